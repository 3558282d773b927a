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


# Measured in Chromium on a note's headline (tests/pages/test_headline_length.py): 70 characters of ordinary
# words take at most 3 lines at 1280 px and 4 at 390 px; a title much longer fills a phone's first screen
# before the reader meets the first sentence.
HEADLINE_MAX_CHARACTERS = 70


def headline_too_long(title: str) -> str | None:
    """What to tell the editor when the title (as read) is longer than a headline should be, else None."""
    length = len(title_text(title))
    if length <= HEADLINE_MAX_CHARACTERS:
        return None
    return (
        f"the title is {length} characters, longer than a headline should be (at most {HEADLINE_MAX_CHARACTERS}: "
        "about 4 lines on a phone); shorten it and put the rest in description:"
    )
