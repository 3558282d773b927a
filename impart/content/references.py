"""What a page's Markdown refers to, with the line each reference is on: links, images, embedded resources.

Read from the source, outside code (fenced blocks and inline code), so `impart check` sees what the build would
without building; impart.content.body_checks judges them. tests/content/test_body_checks.py covers each form.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")  # inline code in a line: an example, never markup
# A URL as Python-Markdown reads one: spaces allowed inside (`my chart.png`), as few as leave a title to follow,
# so the build and `impart check` see the same path.
_URL_WITH_SPACES = r"[^)\s](?:[^)\n]*?[^)\s])?"
# [text](url "title") and ![alt](url): the URL may be in <...> or a template placeholder {{ ... }}; a title may
# follow. The text may wrap onto the next lines of its paragraph, as Markdown allows.
_INLINE = re.compile(
    r"(!?)\[(?:[^\[\]\\]|\\.)*\]\(\s*(<[^>]*>|\{\{[^}]*\}\}|"
    + _URL_WITH_SPACES
    + r")(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
# [label]: url, but not a footnote ([^1]:) nor an abbreviation (*[SLA]:).
_DEFINITION = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*(<[^>]*>|\S+)")
# Where a definition is used: [text][label], [label][] or [label] alone (not an inline link, nor a definition).
_FULL_REFERENCE = re.compile(r"(!?)\[((?:[^\[\]\\]|\\.)*)\][ ]?\[([^\]]*)\]")
_SHORTCUT_REFERENCE = re.compile(r"(!?)\[((?:[^\[\]\\]|\\.)+)\](?![\[(:])")
_TAG = re.compile(r"<(img|iframe|script|link|video|audio|source|embed|object|a)\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r"\b(src|href|data|poster)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
_SRCSET = re.compile(r"\bsrcset\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
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


# What a page's address ends with (a page's source file is not served): raw HTML names pages by their address.
PAGE_SUFFIXES = frozenset({"", ".md", ".html", ".htm"})


def links_to_file(url: str) -> bool:
    """Whether an href names a file of this site that is not a page (`clip.mp4`, `/assets/guide.pdf`)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.endswith("/"):
        return False
    return posixpath.splitext(parts.path)[1].lower() not in PAGE_SUFFIXES


def srcset_urls(candidates: str) -> list[str]:
    """The URLs of a `srcset` ("small.png 480w, large.png 1080w"): each candidate's first word."""
    return [candidate.split()[0] for candidate in candidates.split(",") if candidate.strip()]


def blank_inline_code(line: str) -> str:
    """The line with its inline code blanked out by spaces, so what is left keeps its columns."""
    return INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


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


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _inline_references(lines: list[tuple[int, str]]) -> Iterator[Reference]:
    """Markdown links and images, whose text may run over several lines of one paragraph."""
    joined: list[tuple[int, str]] = []
    for number, line in lines:
        if joined and number != joined[-1][0] + 1:
            joined.append((number - 1, ""))  # fenced code between: a paragraph ends there
        joined.append((number, line))
    lines = joined
    prose = "\n".join(line for _, line in lines)
    starts = [0]
    for _, line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for match in _INLINE.finditer(prose):
        if _BLANK_LINE.search(match.group(0)):
            continue  # a blank line ends a paragraph: Markdown would not join these
        number = lines[bisect.bisect_right(starts, match.start(2)) - 1][0]  # the line the URL is on
        yield Reference(number, "image" if match.group(1) else "link", match.group(2).strip("<>"))


def _label(text: str) -> str:
    return " ".join(text.split()).lower()


def _used_labels(lines: list[tuple[int, str]]) -> dict[str, set[str]]:
    """Each reference label the page uses, and how: as a "link", an "image" or both."""
    used: dict[str, set[str]] = {}
    prose = "\n".join(line for _, line in lines)
    for match in _FULL_REFERENCE.finditer(prose):
        label = match.group(3) or match.group(2)
        used.setdefault(_label(label), set()).add("image" if match.group(1) else "link")
    for match in _SHORTCUT_REFERENCE.finditer(_FULL_REFERENCE.sub(" ", prose)):
        used.setdefault(_label(match.group(2)), set()).add("image" if match.group(1) else "link")
    return used


def references(text: str, first_line: int = 1) -> list[Reference]:
    """Every reference of the page, in the order of its lines. A reference definition ([label]: url) is one only
    where the page uses its label (a definition no text uses is not rendered), as an image where an image uses it."""
    found = []
    lines = [
        (number, blank_inline_code(line))  # `![x](y)` in code is an example
        for number, line in prose_lines(text, first_line)
    ]
    found += _inline_references(lines)
    used = None
    for number, line in lines:
        definition = _DEFINITION.match(line)
        if definition:
            if used is None:
                used = _used_labels(lines)
            label = _label(line.split("]:", 1)[0].lstrip(" \t[").rstrip())
            for kind in sorted(used.get(label, ())):
                found.append(Reference(number, kind, definition.group(1).strip("<>")))
        for tag in _TAG.finditer(line):
            element = tag.group(1).lower()
            kind = {"img": "image", "a": "link"}.get(element, element)
            if element == "link" and "stylesheet" in tag.group(2).lower():
                kind = "stylesheet"
            for attribute in _ATTRIBUTE.finditer(tag.group(2)):
                url = next(value for value in attribute.groups()[1:] if value is not None)
                found.append(Reference(number, kind, url))
            for attribute in _SRCSET.finditer(tag.group(2)):
                candidates = next(value for value in attribute.groups() if value is not None)
                found += [Reference(number, kind, url) for url in srcset_urls(candidates)]
    return found
