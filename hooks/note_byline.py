"""The byline and call to action of each field note.

Events: on_page_content (reading time from the rendered prose, then the
byline, call to action and article metadata (Open Graph, JSON-LD) handed to
the templates through page.meta).
Reads: `readtime`, `cta` (already validated by note_metadata), and `extra.cta`,
`extra.intake` from mkdocs.yml.
"""

from __future__ import annotations

from impart.content.article_metadata import article_metadata
from impart.content.byline import make_byline
from impart.content.call_to_action import resolve_call_to_action
from impart.content.readtime import reading_minutes
from impart.settings import settings_for


def on_page_content(html, *, page, config, files):
    note = page.meta.get("impart_note")
    if note is None:
        return None
    minutes = note.readtime or reading_minutes(html)
    # Material's own sidebar reads page.config.readtime: keep it the same figure.
    page.config.readtime = minutes
    byline = page.meta["byline"] = make_byline(note, minutes)
    page.meta["article_metadata"] = article_metadata(
        note, byline, page.canonical_url, config.site_name, config.site_url or ""
    )
    page.meta["call_to_action"] = resolve_call_to_action(note.cta, settings_for(config).extra, page.url)
    return None
