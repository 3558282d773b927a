"""After a note's call to action: "More field notes" and the previous and next note.

Events: on_page_context (field notes only). Reads: nothing from front matter directly; the
notes' `impart_note` (category, date) and `placeholder_notice`, set by earlier hooks.
The choice is impart.content.related_notes'; the HTML is overrides/partials/more-notes.html.
"""

from __future__ import annotations

from impart.content.related_notes import more_notes, neighbours, refs_from_pages


def on_page_context(context, *, page, config, nav):
    if page.meta.get("impart_note") is None:
        return None
    notes = refs_from_pages(config.plugins["material/blog"].blog.posts)
    current = next((n for n in notes if n.key == page.url), None)
    if current is None:
        return None
    context["more_notes"] = [n.item for n in more_notes(current, notes)]
    previous, following = neighbours(current, notes)
    context["previous_note"] = previous.item if previous else None
    context["next_note"] = following.item if following else None
    return context
