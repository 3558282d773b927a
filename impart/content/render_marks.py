"""Which pages need their rendered HTML judged (impart.content.rendered_page): those whose Markdown holds something
that can render broken. A page without any renders as written, so neither the build nor `impart check` (which has
to render a page to judge it) spends time on it; both ask this same question, so both judge the same pages.

What can render broken, and the mark it needs in the Markdown:

- anything inside raw HTML (Markdown there is not read; frames and media written over several lines): an HTML tag;
- an inline link or image Markdown did not take: a `](` that is not part of a well-formed `[text](address)`
  (an address with a space or parentheses, an escaped bracket, nested brackets);
- a notice or content tab it did not take: a `!!!`, `???` or `===` line that is not a well-formed header;
- a footnote marker with no note written for it;
- a code annotation marker `(1)!`; a template placeholder `{{`, `{%`;
- an image, a link to a file or a frame by a path from the site's root (`](/...)`, `]: /...`, or raw HTML, which
  has a tag), which the source checks cannot resolve.

A well-formed link, notice or footnote outside raw HTML always renders as one: the build's own tests of the
authoring toolkit (tests/pages/test_authoring.py) build every such form. tests/content/test_rendered_page.py
checks that each kind of finding's note is judged and that a plain note is not.
"""

from __future__ import annotations

import re

_HTML_TAG = re.compile(r"<(?!https?:|mailto:|ftp:)[A-Za-z/]")
_LINK_OPENING = re.compile(r"\]\(")
# A well-formed inline link or image: text without brackets (it may wrap), an address without spaces or
# parentheses (or in <...>), an optional title.
_WELL_FORMED_LINK = re.compile(
    r"(?<!\\)!?\[(?:[^\[\]\\]|\\[^\[\]])*\]\((?:<[^<>\n]*>|[^()<>\s]*)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)"
)
_BLOCK_HEADER = re.compile(r"^[ \t]*(?:!!!|\?\?\?|===)(?!=*[ \t]*$).*$", re.M)
_WELL_FORMED_HEADER = re.compile(
    r"[ \t]*(?:(?:!!!|\?\?\?\+?)[ ]?[\w-]+(?:[ ]+[\w-]+)*(?:[ ]+\"[^\"]*\")?"
    r"|===[+!]*[ ]+\"[^\"]*\"(?:[ ]*\{[^}]*\})?)[ \t]*"
)
_FOOTNOTE_MARKER = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FOOTNOTE_NOTE = re.compile(r"^[ \t]*\[\^([^\]\s]+)\]:", re.M)
_ALWAYS_JUDGED = re.compile(r"\(\d+\)!|\{\{|\{%|\]\(\s*/(?!/)|^[ \t]*\[[^\]\n]+\]:[ \t]*/(?!/)", re.M)


def may_show_broken(markdown: str) -> bool:
    """Whether the page's Markdown holds something that can render broken (else it need not be rendered)."""
    if _HTML_TAG.search(markdown) or _ALWAYS_JUDGED.search(markdown):
        return True
    if len(_LINK_OPENING.findall(markdown)) != len(_WELL_FORMED_LINK.findall(markdown)):
        return True
    if any(not _WELL_FORMED_HEADER.fullmatch(header) for header in _BLOCK_HEADER.findall(markdown)):
        return True
    markers = set(_FOOTNOTE_MARKER.findall(markdown))
    return bool(markers) and not markers <= set(_FOOTNOTE_NOTE.findall(markdown))
