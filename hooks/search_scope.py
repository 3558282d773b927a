"""Search finds the notes, not the listings that repeat their summaries, nor text a reader never sees.

Events: on_page_markdown, on_page_content. on_page_markdown sets `search: {exclude: true}` in the meta of every
page Material's blog makes for a listing: the field-notes index, the archive, category and author pages, and each
further page of them. Their text is only the summaries of notes that are indexed in full on their own pages, so a
search found a listing page beside each note (at 1,000 notes, 800 of the 1,800 pages); leaving them out also
spares the build parsing their HTML for the index. on_page_content marks each `hidden` element for the search
index to skip (impart.content.hidden_elements). Reads: nothing from front matter.
"""

from __future__ import annotations

from material.plugins.blog.structure import View

from impart.content.hidden_elements import exclude_hidden_from_search


def on_page_markdown(markdown, *, page, config, files):
    if isinstance(page, View):
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
    return markdown


def on_page_content(html, *, page, config, files):
    marked = exclude_hidden_from_search(html)
    return marked if marked != html else None
