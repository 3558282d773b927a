"""A note's title as written (it may hold inline Markdown: `code`, *emphasis*) in its two forms: inline HTML
for the page's headline and the listings, plain text for <title>, the feeds, JSON-LD and Open Graph. Both are
typeset as the body is (smarty: curly quotes, dashes, ellipses): the tab, a feed reader and a search result
show the headline's own characters.
tests/pages/test_authoring.py reads both forms in the built corpus.
"""

from __future__ import annotations

import functools
import html
import re

import markdown

_TAG = re.compile(r"<[^>]+>")
# A title without these reads the same as Markdown and as text: no marks, and nothing smarty typesets.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>&!'\"]|--|\.\.\.")
_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.S)


@functools.lru_cache(maxsize=4096)
def title_html(title: str) -> str:
    """The title's inline Markdown as HTML, without the paragraph Markdown would wrap it in."""
    if not _MARKDOWN.search(title):
        return title  # most titles: no parser to build (a thousand notes took a second)
    rendered = markdown.markdown(title, extensions=["smarty"]).strip()
    found = _PARAGRAPH.match(rendered)
    return found.group(1) if found else html.escape(title, quote=False)


def title_text(title: str) -> str:
    """The title as a reader reads it: no Markdown marks, no tags, entities as characters."""
    return html.unescape(_TAG.sub("", title_html(title)))
