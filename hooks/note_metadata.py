"""Field notes' front matter, and every page's links and images: checked before the blog plugin reads them.

Events: on_startup (whether this run is the preview), on_files (check every
page, first), on_page_markdown (template, title). Reads: every front-matter key
of a note (see impart.content.field_notes). Every problem of every page is
logged in impart's one-line form, the same lines `impart check` prints
(impart.content.site_checks); any error then stops the build, and a warning
fails `mkdocs build --strict`. In the preview a draft may lack authors,
description or categories (warnings), which the build refuses.
"""

from __future__ import annotations

import os

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger

from impart.content.field_notes import NoteError, load_authors, remove_title_heading
from impart.content.site_checks import check_page, drafts_among
from impart.settings import settings_for

log = get_plugin_logger("impart")

# Filled by on_files at the start of each build and read by later events of
# the same build; never carried from one build to the next.
_notes: dict[str, object] = {}
_run = {"preview": False}  # set once per process by on_startup


def on_startup(command, dirty):
    _run["preview"] = command == "serve"


@event_priority(100)  # before the blog plugin, so editors get our messages
def on_files(files, *, config):
    _notes.clear()
    settings = settings_for(config)
    try:
        authors = load_authors(settings)
    except NoteError as error:
        raise PluginError(str(error)) from None
    posts_dir = os.path.join(settings.posts_dir, "")  # computed once: a thousand notes ask
    docs_dir = os.path.join(settings.docs_dir, "")
    known = {file.src_uri for file in files if file.abs_src_path and file.abs_src_path.startswith(docs_dir)}
    errors = 0
    pages = [
        (file, file.content_string, file.abs_src_path.startswith(posts_dir)) for file in files.documentation_pages()
    ]
    drafts = drafts_among((file.src_uri, text) for file, text, is_note in pages if is_note)
    for file, text, is_note in pages:
        note, problems = check_page(file.src_uri, text, settings, known, authors, is_note, drafts, _run["preview"])
        if is_note:
            _notes[file.src_uri] = note
        for problem in problems:
            errors += problem.severity == "error"
            (log.error if problem.severity == "error" else log.warning)(str(problem))
    if errors:
        raise PluginError(
            f"{errors} error(s) in the pages, each on a line above; fix them, or see them with impart check"
        )


def on_page_markdown(markdown, *, page, config, files):
    note = _notes.get(page.file.src_uri)
    if note is None:
        return None
    page.meta["impart_note"] = note
    if page.meta.get("template") == "blog-post.html":
        page.meta["template"] = "field-note.html"
    page.meta["title"] = note.title
    # Typeset like the standfirst it is: <meta name="description"> and the feeds read this key.
    page.meta["description"] = note.description
    # The feeds (mkdocs-rss-plugin, date_from_meta) read these: the same dates as the byline.
    page.meta["published"] = note.created
    page.meta["modified"] = note.last_changed
    if note.title_from_h1:
        # The template prints the title before the standfirst and byline.
        return remove_title_heading(markdown)
    return None
