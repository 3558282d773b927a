"""Material's navigation, tabs, colour-scheme switch and search box, rendered once per build for each output: kept
under a key of exactly what they read (`navigation_key`, `site_key`), and only while every template involved is
Material's own file at the digest it was read at (`PINNED`). tests/speed/test_partials_memo.py checks both."""

from __future__ import annotations

import contextlib
import hashlib
import weakref
from pathlib import Path

import jinja2

from impart.speed.build_speed import materials_own

# Every template the kept partials include, and the partials themselves, as read (mkdocs-material 9.8.1, 9.8.2).
PINNED = {
    "partials/palette.html": "fb935107ae7d3d74",
    "partials/search.html": "bfd556535abcddb9",
    "partials/nav.html": "af33f6e032f632eb",
    "partials/nav-item.html": "89895208f22d68ce",
    "partials/tabs.html": "d2c82916569e645a",
    "partials/tabs-item.html": "52fe1f551aa2dbfc",
    "partials/logo.html": "e0925ef6c190174a",
    "partials/source.html": "6847616d67be4920",
    "partials/toc.html": "fde48f583563364b",
    "partials/toc-item.html": "418f31ce2e6d5599",
}


_META_READ = ("icon", "subtitle", "status")  # the meta keys the partials read of an item
_NONE = type(None)  # stands for a weak reference to None: calling it gives None


def as_pinned(env) -> bool:
    """Whether each template the memoized partials use is Material's own file, as it was read."""
    for name, pinned in PINNED.items():
        try:
            template = env.get_template(name)
        except jinja2.TemplateNotFound:  # not Material
            return False
        if not materials_own(template):
            return False
        if hashlib.sha256(Path(template.filename).read_bytes()).hexdigest()[:16] != pinned:
            return False
    return True


def install(env) -> bool:
    """Keeps the memoized partials' output by key in this environment (one build); False if not as pinned."""
    if not as_pinned(env):
        return False
    for name, key_of in MEMOIZED.items():
        template = env.get_template(name)
        template.root_render_func = _memoized(template.root_render_func, key_of)
    return True


def _items(items):
    for item in items:
        yield item
        yield from _items(getattr(item, "children", None) or ())


def site_key(context) -> tuple | None:
    """What the palette and search partials read: the configuration, the features and the translations."""
    config = context.get("config")
    return None if config is None else (id(config), id(context.get("lang")), tuple(context.get("features") or ()))


def navigation_key(context) -> tuple | None:
    """The items' titles, addresses relative to the page, meta and state, the configuration, features and
    translations; None where the page itself is in the navigation or a listing's pages."""
    page, nav, config = context.get("page"), context.get("nav"), context.get("config")
    if page is None or nav is None or config is None:
        return None
    url = context.environment.filters["url"]
    described = []
    for item in _items(nav.items):
        pages = getattr(item, "pages", None)
        if item == page or (isinstance(pages, list) and page in pages) or getattr(item, "typeset", None):
            return None
        address = getattr(item, "url", None)
        meta = getattr(item, "meta", None) or {}
        described.append(
            (type(item).__name__, item.title, None if address is None else url(context, address))
            + tuple(bool(getattr(item, flag, None)) for flag in ("active", "encrypted", "is_index"))
            + tuple(repr(meta.get(name)) for name in _META_READ)
            + (len(getattr(item, "children", None) or ()),)
        )
    home = config.extra.get("homepage") or (nav.homepage.url if nav.homepage else None)
    addresses = (url(context, address) if address else None for address in (home, config.theme.get("logo")))
    return (id(nav), *site_key(context), tuple(described), *addresses)


def _memoized(render, key_of):
    # key -> (output, weak references to the objects whose ids are in the key). Weak, so that no build's
    # navigation (and its pages) outlives it here; an entry serves only while those are the very objects.
    kept: dict[tuple, tuple] = {}

    def render_kept(context):
        key = key_of(context)
        if key is None:
            yield from render(context)
            return
        owners = (context.get("nav"), context.get("config"), context.get("lang"))
        entry = kept.get(key)
        if entry is not None and all(ref() is owner for ref, owner in zip(entry[1], owners, strict=True)):
            yield entry[0]
            return
        output = "".join(render(context))
        with contextlib.suppress(TypeError):  # an object that cannot be referenced weakly: rendered, not kept
            kept[key] = (output, tuple(weakref.ref(owner) if owner is not None else _NONE for owner in owners))
        yield output

    return render_kept


MEMOIZED = {
    "partials/nav.html": navigation_key,
    "partials/tabs.html": navigation_key,
    "partials/palette.html": site_key,
    "partials/search.html": site_key,
}
