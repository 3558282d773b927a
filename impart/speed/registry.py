"""Everything the speed layer replaces in MkDocs, Material, Jinja, impart's content and waitress, in one table, with
the releases it was verified on; `install` puts the rows that apply in place, once per process. bench/README.md says
what each item saves; tests/speed/test_speed_registry.py checks that every target exists and is what is installed."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pkgutil
from collections.abc import Callable
from importlib import metadata

import mkdocs.plugins

from impart.speed import build_speed, parallel_build, preview_cache, preview_output

log = mkdocs.plugins.get_plugin_logger("impart")

# The releases each patched package was read and tested at. The layer applies only on these, under MkDocs,
# unless IMPART_SPEED=0: an upgrade can make a build slower, never a page different. To verify a release:
# install it, run tests/speed/test_build_speed.py, then add it here.
VERIFIED = {
    "mkdocs": ("1.6.1",),
    "mkdocs-material": ("9.8.1", "9.8.2"),
    "mkdocs-rss-plugin": ("1.19.0",),
}


def _kept(value):
    return lambda _original: value


@dataclasses.dataclass(frozen=True)
class Patch:
    item: str  # what switches it (ITEMS, IMPART_SPEED_SKIP)
    target: str  # "module:attribute.path"
    replace: Callable | None  # the original -> its replacement; None: applied per build by hooks/speed.py
    package: str  # whose releases in VERIFIED it was read on

    def resolve(self) -> tuple[object, str]:
        module, _, path = self.target.partition(":")
        owner, _, attribute = path.rpartition(".")
        return pkgutil.resolve_name(f"{module}:{owner}"), attribute


BLOG, SEARCH, MATERIAL = "material.plugins.blog", "material.plugins.search.plugin", "mkdocs-material"
PATCHES = (
    Patch("excerpts", f"{BLOG}.structure:Excerpt.render", _kept(build_speed.render_without_content), MATERIAL),
    Patch("excerpts", f"{BLOG}.structure:Markdown", _kept(build_speed.NoParser), MATERIAL),
    Patch("excerpts", f"{BLOG}.structure:_patch", _kept(build_speed.unpatched), MATERIAL),
    Patch("libyaml", f"{BLOG}.structure:yaml", _kept(build_speed.FrontMatterYaml), MATERIAL),
    Patch("front-matter-cache", "impart.content.front_matter:load_yaml", build_speed.parsed_once, "impart"),
    Patch("readtime-cache", "impart.content.readtime:count_words", build_speed.counted_once, "impart"),
    Patch("listing-sources", f"{BLOG}.plugin:copy_file", _kept(build_speed.LISTING_SOURCES), MATERIAL),
    Patch("parser-reuse", "mkdocs.structure.pages:markdown", build_speed.MarkdownParserReused, "mkdocs"),
    Patch("post-lookups", f"{BLOG}.plugin:BlogPlugin.blog.posts", None, MATERIAL),
    Patch("template-dict", "jinja2:Environment.cache", None, "mkdocs"),
    Patch("translations", "partials/language.html:make_module", None, MATERIAL),
    Patch("partials-memo", "partials/nav.html, tabs.html, palette.html, search.html:root_render_func", None, MATERIAL),
    Patch("exit-freeze", "gc:freeze", None, "mkdocs"),
    Patch("preview-cache", "mkdocs.structure.pages:Page.render", preview_cache.render_with_memory, "mkdocs"),
    Patch("preview-cache", f"{SEARCH}:SearchIndex.add_entry_from_context", preview_cache.index_with_memory, MATERIAL),
    Patch("preview-cache", "mkdocs.theme:Theme.get_env", preview_cache.env_with_compiled_templates, "mkdocs"),
    Patch("parallel-build", "mkdocs.utils:write_file", parallel_build.written_by_helper, "mkdocs"),
    Patch("preview-output", "mkdocs.utils:clean_directory", _kept(preview_output.OUTPUT.begin), "mkdocs"),
    Patch("preview-output", "mkdocs.utils:write_file", _kept(preview_output.OUTPUT.write), "mkdocs"),
    Patch("preview-output", "mkdocs.utils:copy_file", _kept(preview_output.OUTPUT.copy), "mkdocs"),
    Patch("preview-output", f"{BLOG}.plugin:copy_file", _kept(preview_output.OUTPUT.copy), MATERIAL),
    Patch("preview-output", f"{BLOG}.plugin:BlogPlugin._save_to_file", _kept(preview_output.save_unless_same),
          MATERIAL),
    Patch("hardened-server", "waitress.server:BaseWSGIServer.maintenance", None, "waitress"),
    Patch("hardened-server", "waitress.server:BaseWSGIServer.handle_accept", None, "waitress"),
    Patch("hardened-server", "waitress.server:BaseWSGIServer.channel_class", None, "waitress"),
    Patch("preview-errors", "mkdocs.livereload:LiveReloadServer._build_loop", None, "mkdocs"),
    Patch("preview-errors", "mkdocs.livereload:LiveReloadServer.set_app", None, "mkdocs"),
    Patch("preview-errors", "mkdocs.livereload:LiveReloadServer._inject_js_into_html", None, "mkdocs"),
    Patch("preview-errors", "mkdocs.commands.serve:build", None, "mkdocs"),
)  # fmt: skip

# Not the speed layer's to switch off: impart/serve/ checks their releases itself (VERIFIED_WAITRESS in
# hardened_server.py, VERIFIED_MKDOCS in preview_errors.py, tied to VERIFIED by the registry's tests).
SERVER_ITEMS = ("hardened-server", "preview-errors")


def verified(package: str) -> tuple[str, ...]:
    """The releases of `package` the rows naming it were read on."""
    if package == "impart":
        return ("this checkout",)  # impart's own functions, changed only with their tests
    if package == "waitress":  # serve/ declares the server's release
        from impart.serve.hardened_server import VERIFIED_WAITRESS

        return VERIFIED_WAITRESS
    return VERIFIED[package]


def unverified_versions() -> list[str]:
    """The installed releases of the patched packages that are not in VERIFIED, as 'name version'. Under
    ProperDocs (its `properdocs` command aliases mkdocs.* to itself) the fork's release stands for MkDocs'."""
    engine = "properdocs" if mkdocs.plugins.__name__.startswith("properdocs") else "mkdocs"
    found = []
    for package in (engine, *(name for name in VERIFIED if name not in ("mkdocs", "properdocs"))):
        with contextlib.suppress(metadata.PackageNotFoundError):  # not installed: nothing of it to patch
            installed = metadata.version(package)
            if installed not in VERIFIED.get(package, ()):
                found.append(f"{package} {installed}")
    return found


@functools.cache
def active() -> bool:
    """Whether the speed layer applies in this process; says once why not, when the cause is a version."""
    if os.environ.get("IMPART_SPEED", "1") == "0":
        return False
    unverified = unverified_versions()
    if unverified:
        log.info(
            f"the speed layer is off: {', '.join(unverified)} is not a release it was verified on "
            f"(VERIFIED in impart/speed/registry.py); the build runs stock, slower but the same"
        )
    return not unverified


# The names rows are switched by, in table order (preview-cache's memory also serves parallel-build).
ITEMS = tuple(dict.fromkeys(patch.item for patch in PATCHES if patch.item not in SERVER_ITEMS))


@functools.cache
def skipped() -> frozenset[str]:
    """The items `IMPART_SPEED_SKIP=item,item` leaves off (bench/ablation.py)."""
    names = {name.strip() for name in os.environ.get("IMPART_SPEED_SKIP", "").split(",") if name.strip()}
    if unknown := names - set(ITEMS):
        raise ValueError(f"IMPART_SPEED_SKIP: unknown item {sorted(unknown)[0]!r}; the items are {', '.join(ITEMS)}")
    return frozenset(names)


def wanted(command: str, dirty: bool) -> frozenset[str]:
    """The items that apply to this run of MkDocs, none unless `active`: the build's everywhere, the results'
    memory in the preview and in a build on two cores, the preview's output folder in the preview."""
    if not active():
        return frozenset()
    items = set(ITEMS) - skipped()
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
