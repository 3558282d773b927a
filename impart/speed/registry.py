"""Everything the speed layer replaces in MkDocs, Material, Jinja, impart's content and waitress, in one table.

Each row names the fence item that switches it (impart.speed.fence), the target as `module:attribute`, the
replacement (made from the original), and the package whose releases in `fence.VERIFIED` it was read on.
`install` puts the rows that apply in place, once per process; rows marked per build are applied by
hooks/speed.py to that build's objects. bench/README.md says what each item saves and why the pages stay
the same; tests/speed/test_speed_registry.py checks that every row's target exists and that the table is what is
installed.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable

from impart.speed import build_speed, content_caches, fence, parallel_build, preview_cache, preview_output


def _kept(value):
    return lambda _original: value


@dataclasses.dataclass(frozen=True)
class Patch:
    item: str  # the fence item that switches it
    target: str  # "module:attribute.path"
    replace: Callable | None  # the original -> its replacement; None: applied per build by hooks/speed.py
    package: str  # whose releases in fence.VERIFIED it was read on
    what: str  # one line: what the replacement does

    def resolve(self) -> tuple[object, str]:
        module_name, _, path = self.target.partition(":")
        owner = importlib.import_module(module_name)
        *parents, attribute = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        return owner, attribute


BLOG = "material.plugins.blog"
PATCHES = (
    Patch("excerpts", f"{BLOG}.structure:Excerpt.render", _kept(build_speed.render_without_content),
          "mkdocs-material", "posts' excerpts are never rendered: no listing shows them"),
    Patch("excerpts", f"{BLOG}.structure:Markdown", _kept(build_speed.NoParser),
          "mkdocs-material", "an excerpt gets no Markdown parser of its own"),
    Patch("excerpts", f"{BLOG}.structure:_patch", _kept(build_speed.unpatched),
          "mkdocs-material", "nor the configuration copied for that parser"),
    Patch("libyaml", f"{BLOG}.structure:yaml", _kept(build_speed.FrontMatterYaml),
          "mkdocs-material", "posts' front matter read by libyaml, each text once"),
    Patch("front-matter-cache", "impart.content.front_matter:load_yaml", content_caches.parsed_once,
          "impart", "a front matter text parsed once, a fresh copy handed out each time"),
    Patch("readtime-cache", "impart.content.readtime:count_words", content_caches.counted_once,
          "impart", "a page's words counted once per HTML"),
    Patch("dates", f"{BLOG}.plugin:format_date", build_speed.formatted_once,
          "mkdocs-material", "Babel's date formatting answered once per date and format"),
    Patch("dates", f"{BLOG}.plugin:format_datetime", build_speed.formatted_once,
          "mkdocs-material", "the same for date and time"),
    Patch("listing-sources", f"{BLOG}.plugin:copy_file", _kept(build_speed.LISTING_SOURCES),
          "mkdocs-material", "listings' further pages keep their source in memory, not in a copied file"),
    Patch("parser-reuse", "mkdocs.structure.pages:markdown", build_speed.MarkdownParserReused,
          "mkdocs", "pages' Markdown converted by one parser per build, reset between pages"),
    Patch("post-lookups", f"{BLOG}.plugin:BlogPlugin.blog.posts", None,
          "mkdocs-material", "is-this-a-post answered by a set (per build)"),
    Patch("template-dict", "jinja2:Environment.cache", None,
          "mkdocs", "templates kept in a plain dict, no LRU lock (per build)"),
    Patch("translations", "partials/language.html:make_module", None,
          "mkdocs-material", "Material's translations imported once per build, each label once (per build)"),
    Patch("partials-memo", "partials/nav.html, tabs.html, palette.html, search.html:root_render_func", None,
          "mkdocs-material", "navigation, tabs, palette and search box rendered once per thing shown (per build)"),
    Patch("exit-freeze", "gc:freeze", None,
          "mkdocs", "the process ends without a last walk of its heap (on_shutdown)"),
    Patch("preview-cache", "mkdocs.structure.pages:Page.render", preview_cache.render_with_memory,
          "mkdocs", "a page's Markdown render kept and reused under the key of all it depends on"),
    Patch("preview-cache", "material.plugins.search.plugin:SearchIndex.add_entry_from_context",
          preview_cache.index_with_memory, "mkdocs-material", "a page's search entries kept and reused"),
    Patch("preview-cache", "mkdocs.theme:Theme.get_env", preview_cache.env_with_compiled_templates,
          "mkdocs", "every Jinja environment shares the compiled templates"),
    Patch("parallel-build", "mkdocs.utils:write_file", parallel_build.written_by_helper,
          "mkdocs", "a page the helper wrote with the same bytes is not written again"),
    Patch("preview-output", "mkdocs.utils:clean_directory", _kept(preview_output.OUTPUT.begin),
          "mkdocs", "the preview's output folder is not emptied"),
    Patch("preview-output", "mkdocs.utils:write_file", _kept(preview_output.OUTPUT.write),
          "mkdocs", "a file that would hold the same bytes is left alone"),
    Patch("preview-output", "mkdocs.utils:copy_file", _kept(preview_output.OUTPUT.copy),
          "mkdocs", "a copy that is as it was is not made again"),
    Patch("preview-output", f"{BLOG}.plugin:copy_file", _kept(preview_output.OUTPUT.copy),
          "mkdocs-material", "the same for the blog's copies of listings' sources"),
    Patch("preview-output", f"{BLOG}.plugin:BlogPlugin._save_to_file", _kept(preview_output.save_unless_same),
          "mkdocs-material", "a listing's generated source that is the same is not written again"),
    Patch("hardened-server", "waitress.server:BaseWSGIServer.maintenance", None,
          "waitress", "impart/serve/hardened_server.py: a deadline for a whole request (per server)"),
    Patch("hardened-server", "waitress.server:BaseWSGIServer.handle_accept", None,
          "waitress", "impart/serve/hardened_server.py: connections accepted in batches (per server)"),
    Patch("hardened-server", "waitress.server:BaseWSGIServer.channel_class", None,
          "waitress", "impart/serve/hardened_server.py: a request parser with its start time (per server)"),
)  # fmt: skip


def verified(package: str) -> tuple[str, ...]:
    """The releases of `package` the rows naming it were read on."""
    if package == "impart":
        return ("this checkout",)  # impart's own functions, changed only with their tests
    if package == "waitress":  # the server's rows, not the speed layer's to switch off: serve/ declares its release
        from impart.serve.hardened_server import VERIFIED_WAITRESS

        return VERIFIED_WAITRESS
    return fence.VERIFIED[package]


def wanted(command: str, dirty: bool) -> frozenset[str]:
    """The items that apply to this run of MkDocs: the build's everywhere; the results' memory (`preview-cache`)
    in the preview and in a build on two cores (`parallel-build`); the preview's output folder in the preview."""
    items = {item for item in fence.ITEMS if fence.on(item)}
    if command != "serve" or dirty:
        items -= {"preview-cache", "preview-output"}
    if command != "build" or dirty or not parallel_build.available():
        items.discard("parallel-build")
    if "preview-cache" not in items:
        items.discard("preview-output")
    if "preview-output" in items:
        items.discard("listing-sources")  # the preview's own copy_file keeps the copies, made only when stale
    if "parallel-build" in items:
        items.add("preview-cache")  # the helpers hand their results to the build through the same memory
    return frozenset(items)


_installed: set[str] = set()


def install(command: str, dirty: bool) -> frozenset[str]:
    """Puts in place, in table order, the rows whose item applies (`wanted`); each target once per process."""
    items = wanted(command, dirty)
    for patch in PATCHES:
        if patch.replace is None or patch.item not in items or patch.target in _installed:
            continue
        owner, attribute = patch.resolve()
        setattr(owner, attribute, patch.replace(getattr(owner, attribute)))
        _installed.add(patch.target)
    return items
