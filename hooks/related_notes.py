"""After a note's call to action: "More field notes" and the previous and next note.

Events: on_config, on_post_build and on_build_error (the build's notes are made and let go),
on_page_context (field notes only). Reads: nothing from front matter directly; the
notes' `impart_note` (category, date) and `placeholder_notice`, set by earlier hooks.
The choice is impart.content.related_notes'; the HTML is overrides/partials/more-notes.html.
"""

from __future__ import annotations

from impart.content.related_notes import RelatedNotes, refs_from_pages

_build: dict = {}  # this build's RelatedNotes, made at its first note page


def on_config(config):
    _build.clear()


def on_post_build(*, config):
    _build.clear()  # it holds every post: the preview would keep a finished build alive until the next


def on_build_error(*, error):
    _build.clear()


def on_page_context(context, *, page, config, nav):
    if page.meta.get("impart_note") is None:
        return None
    if "related" not in _build:  # every note's metadata is settled once pages are being rendered
        _build["related"] = RelatedNotes(refs_from_pages(config.plugins["material/blog"].blog.posts))
    related: RelatedNotes = _build["related"]
    if page.url not in related.at:
        return None
    current = related.latest[related.at[page.url]]
    previous, following = related.neighbours(current)
    linked_below = {n.key for n in (previous, following) if n is not None}
    context["more_notes"] = [n.item for n in related.more_notes(current, exclude=linked_below)]
    context["previous_note"] = previous.item if previous else None
    context["next_note"] = following.item if following else None
    return context
