"""The listings (field notes, archive, categories, authors): real notes first, indicative notes after them.

Events: on_files (after the blog plugin has made its views and their pages). Reads: `placeholder`
in each note's front matter and `extra.placeholders` from mkdocs.yml, as hooks/placeholders.py
does; a placeholder it cannot read is left to that hook to report. The order is
impart.content.related_notes.indicative_last.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

from impart.content.placeholders import PlaceholderError, notice_for, placeholder_settings
from impart.content.related_notes import indicative_last

AFTER_MATERIAL_BLOG = -60  # the blog makes its views and their pages in its own on_files, at -50


@event_priority(AFTER_MATERIAL_BLOG)
def on_files(files, *, config):
    blog = config.plugins["material/blog"]
    try:
        settings = placeholder_settings(config.extra)
    except (PlaceholderError, ValueError):
        return None  # hooks/placeholders.py names the mistake

    def is_indicative(post) -> bool:
        try:
            return notice_for(post.meta, settings) is not None
        except (PlaceholderError, ValueError):
            return False

    views = [blog.blog]
    while views:
        view = views.pop()
        indicative_last(view.posts, is_indicative)
        views.extend(view.views)
    return None
