"""MkDocs' and Material's renders routed through the kept results (impart.speed.kept_results): a page's Markdown,
template and search entries are reused when their key (impart.speed.fingerprint) matches, with the warnings the
render logged, so `--strict` sees them. tests/speed/test_preview_cache.py checks rebuilds against cold builds."""

from __future__ import annotations

import logging
import sys
from logging.handlers import BufferingHandler

from mkdocs.structure.pages import Page

from impart.speed.fingerprint import describe_toc, reference, text_digest
from impart.speed.kept_results import MEMORY


def render_with_memory(render):
    """MkDocs' Page.render (which posts and listings inherit), through the memory."""

    def render_markdown(page: Page, config, files) -> None:
        if MEMORY.reuse_markdown(page, files):
            return
        if not MEMORY.keeping:
            return render(page, config, files)
        records = BufferingHandler(capacity=sys.maxsize)  # never flushed: it only collects
        records.setLevel(logging.INFO)
        logger = logging.getLogger("mkdocs")
        logger.addHandler(records)
        try:
            render(page, config, files)
        finally:
            logger.removeHandler(records)
        MEMORY.keep_markdown(page, records.buffer)

    return render_markdown


def enable(*, keeping: bool) -> None:
    """Consult the memory from now on in this process; `keeping` also keeps what is made (the preview)."""
    MEMORY.enabled, MEMORY.keeping, MEMORY.compress = True, keeping, keeping


def env_with_compiled_templates(get_env):
    """Theme.get_env, giving the compiled templates' memory to every Jinja environment the theme makes, not only the
    build's: Material's blog and search make one for each label they translate, compiling its template each time."""

    def get_env_with_compiled_templates(theme):
        env = get_env(theme)
        env.bytecode_cache = MEMORY.compiled_templates
        return env

    return get_env_with_compiled_templates


def index_with_memory(add_entry_from_context):
    """Material's SearchIndex.add_entry_from_context (a page's HTML parsed into sections), through the memory."""

    def index_page(index, page) -> None:
        if not MEMORY.consulted(page.url):
            return add_entry_from_context(index, page)
        meta = (repr(page.meta.get(name)) for name in ("title", "search", "tags"))
        described = (MEMORY.site, reference(page), *meta, describe_toc(page.toc), page.content or "")
        key = text_digest("\x1f".join(described))
        entries = MEMORY.search.get(page.url, key)
        if entries is not None:
            index.entries.extend(_copy_entries(entries))
            return
        before = len(index.entries)
        add_entry_from_context(index, page)
        if MEMORY.keeping:
            MEMORY.search.put(page.url, key, _copy_entries(index.entries[before:]))

    return index_page


def _copy_entries(entries: list[dict]) -> list[dict]:
    """Search entries are flat dicts of strings, with an optional list of tags."""
    return [
        {**entry, "tags": list(entry["tags"])} if isinstance(entry.get("tags"), list) else dict(entry)
        for entry in entries
    ]


def template_class_with_memory(base):
    """A Jinja template class whose render (a page's: includes, imports and `extends` never call it) goes through
    the memory."""

    class TemplateWithMemory(base):
        def render(self, *args, **kwargs):
            key = MEMORY.page_key(self.name, args[0]) if len(args) == 1 and not kwargs else None
            output = MEMORY.rendered(key) if key is not None else None
            if output is None:
                output = super().render(*args, **kwargs)
                if key is not None and MEMORY.keeping:
                    MEMORY.keep_rendered(key, output)
            return output

    return TemplateWithMemory
