"""What a page's Markdown refers to, with the line each reference is on: links, images, embedded resources.

Read from the source, outside code (fenced blocks and inline code), so `impart check` sees what the build would
without building; impart.content.body_checks judges them. tests/content/test_body_checks.py covers each form.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](url "title") and ![alt](url): the URL may be in <...>; a title may follow.
_INLINE = re.compile(r"(!?)\[(?:[^\[\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
# [label]: url, but not a footnote ([^1]:) nor an abbreviation (*[SLA]:).
_DEFINITION = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*(<[^>]*>|\S+)")
_TAG = re.compile(r"<(img|iframe|script|link|video|audio|source|embed|object|a)\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r"\b(src|href|data|poster)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class Reference:
    line: int  # in the file, counting from 1
    kind: str  # "link", "image", or the HTML element: "iframe", "script", "link", "video", ...
    url: str


def local_target(page: str, url: str) -> str | None:
    """The path under docs/ that `url`, written on `page` (its path under docs/), points to; None for a URL
    with a scheme or a host, an anchor on the page itself, or a site path (/...)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))


def prose_lines(text: str, first_line: int = 1) -> Iterator[tuple[int, str]]:
    """Each line outside fenced code, as written, and its number in the file."""
    fence = None
    for number, line in enumerate(text.splitlines(), start=first_line):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            continue
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        yield number, line


def first_prose_line(text: str, first_line: int = 1) -> int | None:
    """The number of the first line with text on it outside fenced code: where the body's prose starts."""
    return next((number for number, line in prose_lines(text, first_line) if line.strip()), None)


def first_heading(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """The first `# Heading` line outside code: its line number and its text."""
    for number, line in prose_lines(text, first_line):
        found = _HEADING.match(line)
        if found:
            return number, found.group(1).strip()
    return None


def references(text: str, first_line: int = 1) -> list[Reference]:
    found = []
    for number, line in prose_lines(text, first_line):
        line = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)  # `![x](y)` in code is an example
        for match in _INLINE.finditer(line):
            found.append(Reference(number, "image" if match.group(1) else "link", match.group(2).strip("<>")))
        definition = _DEFINITION.match(line)
        if definition:
            found.append(Reference(number, "link", definition.group(1).strip("<>")))
        for tag in _TAG.finditer(line):
            element = tag.group(1).lower()
            for attribute in _ATTRIBUTE.finditer(tag.group(2)):
                url = next(value for value in attribute.groups()[1:] if value is not None)
                kind = {"img": "image", "a": "link"}.get(element, element)
                if element == "link" and "stylesheet" in tag.group(2).lower():
                    kind = "stylesheet"
                found.append(Reference(number, kind, url))
    return found
