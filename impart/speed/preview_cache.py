"""The live preview's memory: work on unchanged pages, kept between rebuilds of `mkdocs serve`.

`mkdocs serve` rebuilds the whole site on every save: at 1,000 notes, about
1,800 pages of Markdown and templates, most of them exactly as they were. This
module keeps results from one rebuild to the next, each filed under a key made
of everything that result is computed from, so a key that matches means the
same result and nothing is ever guessed:

1. A page's Markdown rendered to HTML (MkDocs' `Page.render`). Key: the page's
   source path and URL, its Markdown after the on_page_markdown events, the
   theme and configuration (`SiteInputs`), and every file's path and URL (links
   resolve against them). Warnings logged by the render are kept and logged
   again when the result is reused, so `--strict` and the console see them.
2. A page's rendered template (the `Template.render` call in MkDocs'
   `_build_page`). Key: the template's name and a fingerprint of its whole
   context (`Fingerprint`): the page's URL, title, meta, content, table of
   contents, neighbours and place in the navigation; the notes a listing shows
   and its pagination; the navigation; the configuration. A context value of a
   type the fingerprint does not know makes that page uncacheable: it is
   rendered, never reused.
3. A page's search entries (Material's `SearchIndex.add_entry_from_context`,
   which parses the page's HTML). Key: its URL, title, search settings, tags,
   table of contents and content.
4. Jinja's compiled templates, which Jinja checks against their sources.


tests/test_preview_cache.py checks that rebuilds after ten kinds of edit
(body, title, date, category, new notes, a removed note, mkdocs.yml, a
template, an image added, an image replaced by one of another size) write the
same files as a cold build of the edited site. Images are part of the files'
key (their size and time of change) since their width and height are written
into the pages that show them.
"""

from __future__ import annotations

import logging

from mkdocs.structure.pages import Page

from impart.speed.fingerprint import describe_toc, page_reference, text_digest
from impart.speed.kept_results import MEMORY


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def render_with_memory(render):
    """MkDocs' Page.render (which posts and listings inherit), through the memory."""

    def render_markdown(page: Page, config, files) -> None:
        if not MEMORY.enabled:
            return render(page, config, files)
        if MEMORY.reuse_markdown(page, files):
            return None
        if not MEMORY.keeping:
            return render(page, config, files)
        records = _Records()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(records)
        try:
            render(page, config, files)
        finally:
            logger.removeHandler(records)
        MEMORY.keep_markdown(page, records.records)
        return None

    return render_markdown


def enable(*, keeping: bool) -> None:
    """Consult the memory from now on in this process; `keeping` also keeps what is made (the preview)."""
    MEMORY.enabled, MEMORY.keeping, MEMORY.compress = True, keeping, keeping


def env_with_compiled_templates(get_env):
    """Theme.get_env, giving every Jinja environment the theme makes the compiled templates' memory, not only the
    build's own: Material's blog and search make a fresh one for each label they translate, and compiled
    partials/language.html from source each time (about a tenth of a second per rebuild)."""

    def get_env_with_compiled_templates(theme):
        env = get_env(theme)
        if MEMORY.enabled:
            env.bytecode_cache = MEMORY.compiled_templates
        return env

    return get_env_with_compiled_templates


def index_with_memory(add_entry_from_context):
    """Material's SearchIndex.add_entry_from_context (a page's HTML parsed into sections), through the memory."""

    def index_page(index, page) -> None:
        if not MEMORY.enabled:
            return add_entry_from_context(index, page)
        if not MEMORY.consulted(page.url):
            return add_entry_from_context(index, page)
        meta = page.meta
        key = text_digest(
            "\x1f".join(
                (
                    MEMORY.site,
                    page_reference(page),
                    repr(meta.get("title")),
                    repr(meta.get("search")),
                    repr(meta.get("tags")),
                    describe_toc(page.toc),
                    page.content or "",
                )
            )
        )
        entries = MEMORY.search.get(page.url, key)
        if entries is None:
            before = len(index.entries)
            add_entry_from_context(index, page)
            entries = _copy_entries(index.entries[before:])
            del index.entries[before:]
            if MEMORY.keeping:
                MEMORY.search.put(page.url, key, entries)
        index.entries.extend(_copy_entries(entries))
        return None

    return index_page


def _copy_entries(entries: list[dict]) -> list[dict]:
    """Search entries are flat dicts of strings, with an optional list of tags."""
    copies = []
    for entry in entries:
        entry = dict(entry)
        if isinstance(entry.get("tags"), list):
            entry["tags"] = list(entry["tags"])
        copies.append(entry)
    return copies


def template_class_with_memory(base):
    """A Jinja template class whose top-level render (a page's, from MkDocs) goes through the memory.

    Includes, imports and `extends` never call render(), so only whole pages are kept.
    """

    class TemplateWithMemory(base):
        def render(self, *args, **kwargs):
            context = args[0] if len(args) == 1 and not kwargs else None
            key = MEMORY.page_key(self.name, context) if context is not None else None
            if key is not None:
                output = MEMORY.rendered(key)
                if output is not None:
                    return output
            output = super().render(*args, **kwargs)
            if key is not None and MEMORY.keeping:
                MEMORY.keep_rendered(key, output)
            return output

    return TemplateWithMemory
