"""The anchors a page will have once rendered, read from its Markdown, so `impart check` and the build can tell a
link to `#somewhere` on the same page that goes nowhere without rendering it.

Generous on purpose: every heading (by the toc extension's own slugify, duplicates numbered as it numbers them),
every `{#id}` of attr_list and every raw HTML `id`/`name`. Footnotes' and Material's generated anchors (`fn:`,
`fnref:`, `__tabbed_`...) are taken as present. A missed anchor only costs a warning that is not given.
"""

from __future__ import annotations

import re

from markdown.extensions.toc import slugify

from impart.content.references import prose_lines

_ATX = re.compile(r"^[ ]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^[ ]{0,3}(=+|-+)[ \t]*$")
_ATTR_ID = re.compile(r"\{[^}\n]*#([\w:.-]+)[^}\n]*\}")
_HTML_ID = re.compile(r"\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"[*`]|~~|==|\^\^|(?<!\w)_+|_+(?!\w)|<[^>]+>")
# Anchors the extensions make for themselves: footnotes, content tabs, code lines.
GENERATED = ("fn:", "fnref:", "__")


def _heading_slug(text: str) -> str:
    text = _ATTR_ID.sub("", text)
    text = _LINK.sub(r"\1", text)
    return slugify(_MARKS.sub("", text).strip(), "-")


def page_anchors(text: str, first_line: int = 1) -> set[str]:
    """Every id the page's Markdown gives an element, as the rendered page will carry it."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    previous = ""
    for _, line in prose_lines(text, first_line):
        anchors.update(_ATTR_ID.findall(line))
        anchors.update(_HTML_ID.findall(line))
        heading = _ATX.match(line)
        title = heading.group(1) if heading else None
        if title is None and previous.strip() and _SETEXT_UNDERLINE.match(line):
            title = previous.strip()
        if title is not None and not _ATTR_ID.search(title):
            slug = _heading_slug(title)
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if not count else f"{slug}_{count}")  # as toc's unique() numbers a repeat
        previous = line
    return anchors
