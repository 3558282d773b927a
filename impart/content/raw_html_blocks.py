"""Which lines of a page's body are Markdown, and which are raw HTML that Markdown passes through untouched.

Python-Markdown takes a block-level element opened at the start of a line (up to three spaces in) as raw HTML
up to its matching end tag, and an HTML comment up to its `-->`: a `# ` line in there is text, never a heading.
Only an element with a `markdown` attribute (md_in_html) has Markdown inside. Read from the source, so
`impart check` and the build agree without rendering; impart.content.headings uses it.
tests/content/test_hidden_text.py covers a `# ` line inside `<div hidden>` and inside `<div markdown>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown.util import BLOCK_LEVEL_ELEMENTS

from impart.content.references import prose_lines

_BLOCK_LEVEL = frozenset(BLOCK_LEVEL_ELEMENTS)
_VOID = frozenset({"hr"})
_OPENER = re.compile(r" {0,3}<([A-Za-z][A-Za-z0-9-]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)(>|$)")
_MARKDOWN_ATTRIBUTE = re.compile(r"""(?:^|\s)markdown(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?(?=[\s/>]|$)""", re.I)
_COMMENT = re.compile(r" {0,3}<!--")


def _depth_change(tag: str, line: str) -> int:
    opened = len(re.findall(rf"<{tag}(?=[\s/>]|$)(?:\"[^\"]*\"|'[^']*'|[^'\">])*?(?<!/)>", line, re.I))
    closed = len(re.findall(rf"</{tag}\s*>", line, re.I))
    return opened - closed


def _has_markdown_inside(attributes: str) -> bool:
    """md_in_html reads Markdown inside an element with a `markdown` attribute, bare or any value but "0"."""
    found = _MARKDOWN_ATTRIBUTE.search(attributes)
    return found is not None and next((v for v in found.groups() if v is not None), "1") != "0"


def markdown_lines(text: str, first_line: int = 1) -> Iterator[tuple[int, str]]:
    """Each line outside fenced code and outside raw HTML blocks, as written, and its number in the file."""
    if "<" not in text:
        yield from prose_lines(text, first_line)  # no HTML at all: most notes
        return
    raw_tag: str | None = None  # the raw block's element ("!--" for a comment), while inside one
    depth = 0
    for number, line in prose_lines(text, first_line):
        if raw_tag == "!--":
            if "-->" in line:
                raw_tag = None
            continue
        if raw_tag is not None:
            depth += _depth_change(raw_tag, line)
            if depth <= 0:
                raw_tag = None
            continue
        if _COMMENT.match(line):
            raw_tag = None if "-->" in line else "!--"
            continue
        opener = _OPENER.match(line)
        tag = opener.group(1).lower() if opener else ""
        if tag in _BLOCK_LEVEL and not _has_markdown_inside(opener.group(2)):
            depth = _depth_change(tag, line) + (opener.group(3) == "")  # a start tag going on to the next line
            if tag not in _VOID and depth > 0:
                raw_tag = tag
            continue
        yield number, line
