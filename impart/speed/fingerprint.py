"""The keys of the results the preview keeps: a fingerprint of everything a page's Markdown, template or search
entries are made from, so a key that matches means the same result (impart.speed.kept_results holds them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import os
from pathlib import Path, PurePath

from mkdocs.config.base import Config
from mkdocs.structure import StructureItem
from mkdocs.structure.files import File
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")


def stat_of(path: str) -> tuple[int, int] | None:
    """A file's size and time of change, or None when there is no file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def image_stamp(file: File) -> str:
    """An image's size and time of change: a page's HTML holds its width and height, so a new image renders it again."""
    is_image = file.abs_src_path and file.src_uri.lower().endswith(IMAGE_SUFFIXES)
    return f"|{stat_of(file.abs_src_path)}" if is_image else ""


class Uncacheable(Exception):
    """A context value the fingerprint cannot describe: the page is rendered, not reused."""


def digest(content: bytes) -> bytes:
    return hashlib.blake2b(content, digest_size=20).digest()


def text_digest(text: str) -> str:
    return digest(text.encode("utf-8", "surrogatepass")).hex()


# Context values that no page template reads (tests/speed/test_preview_cache.py checks the templates):
# MkDocs' build time, which changes on every rebuild, is only read by sitemap.xml.
NOT_READ_BY_PAGE_TEMPLATES = frozenset({"build_date_utc"})


def reference(item: StructureItem | None) -> str:
    """A page or navigation item by kind, URL and title (an excerpt Material never rendered has no title)."""
    if item is None:
        return "none"
    return f"{type(item).__name__}:{getattr(item, 'url', '')}:{getattr(item, 'title', None)}"


def toc_tokens(anchors) -> list[dict]:
    """A table of contents as the Markdown toc extension gives it, what get_toc makes one from."""
    return [{"level": a.level, "id": a.id, "name": a.title, "children": toc_tokens(a.children)} for a in anchors]


def describe_toc(toc) -> str:
    if isinstance(toc, AnchorLink):
        toc = [toc]
    return f"toc:{toc_tokens(toc) if isinstance(toc, TableOfContents | list) else toc}"


_PLAIN = {str: "s:", int: "i:", bool: "b:", float: "f:", type(None): "n:"}
_fields_of = functools.cache(dataclasses.fields)  # a dataclass's fields, worked out once per class

# By class, subclasses too (Jinja's Markup is a str): a function describing a leaf value, or its _describe branch.
_KINDS = (
    ((bool, int, float, str), lambda value: f"{type(value).__name__}:{value}"),
    ((list, tuple), "sequence"),
    ((dict,), "mapping"),
    ((set, frozenset), lambda value: f"set:{sorted(map(str, value))}"),
    ((dt.date, dt.time), lambda value: f"{type(value).__name__}:{value.isoformat()}:{getattr(value, 'tzinfo', None)}"),
    ((PurePath,), lambda value: f"path:{value}"),
    ((enum.Enum,), lambda value: f"{type(value).__qualname__}:{value.value}"),
    ((Page,), "page"),
    ((Section, Link), reference),
    ((Navigation,), "navigation"),
    ((File,), lambda file: f"file:{file.src_uri}:{file.dest_uri}:{file.url}"),
    ((TableOfContents, AnchorLink), describe_toc),
)


@functools.cache
def _kind_of(cls: type):
    """The entry of _KINDS for a class, a dataclass or a plugin's settings; worked out once per class."""
    kind = next((kind for bases, kind in _KINDS if issubclass(cls, bases)), "unknown")
    if kind == "unknown" and dataclasses.is_dataclass(cls):
        kind = "dataclass"
    elif kind == "unknown" and issubclass(cls, Config) and not hasattr(cls, "plugins"):
        kind = "settings"  # a plugin's settings object, e.g. a blog post's date and categories
    return kind


class Fingerprint:
    """One build's fingerprints of template contexts. Objects the whole build shares are described once."""

    def __init__(self, site: str, config):
        self.site = site  # the configuration, theme and build date (site_digest)
        self.shared = {id(config): (config, "config")}  # id -> (object, description); holding it keeps the id its own
        self.pages: dict[int, tuple[Page, str]] = {}  # pages other than the one being rendered
        self.current: Page | None = None
        self.nav_items: dict[int, tuple[object, str]] = {}  # their meta is settled before pages are built
        self.sibling_urls: dict[tuple[int, int], tuple[list, str]] = {}  # see _urls_of

    def of_context(self, template_name: str, context) -> str:
        parts = [self.site, template_name]
        self.current = context.get("page")
        for key in sorted(context.keys() - NOT_READ_BY_PAGE_TEMPLATES):
            parts.append(key)
            value = context[key]
            if key == "pagination" and callable(value):  # a listing's pager: its links follow from the sibling pages
                parts.append("pager")
            elif key == "pages" and id(value) not in self.shared:  # MkDocs' list of every page, one per build
                described: list[str] = []
                self._describe(value, described, depth=0)
                self.shared[id(value)] = (value, text_digest("\x1f".join(described)))
                parts.append(self.shared[id(value)][1])
            else:
                self._describe(value, parts, depth=0, full_pages=True)
        return text_digest("\x1f".join(parts))

    def _describe(self, value, parts: list[str], depth: int, full_pages: bool = False) -> None:
        cls = type(value)
        kind = _PLAIN.get(cls)
        if kind is not None:  # most values: checked first, by exact type
            parts.append(kind + str(value))
            return
        if depth > 12:
            raise Uncacheable("nested too deeply")
        known = self.shared.get(id(value))
        if known is not None and known[0] is value:
            parts.append(known[1])
            return
        kind = _kind_of(cls)
        if callable(kind):
            parts.append(kind(value))
        elif kind == "sequence":
            parts.append(f"[{len(value)}")
            for item in value:
                self._describe(item, parts, depth + 1, full_pages)
            parts.append("]")
        elif kind == "mapping":
            parts.append(f"{{{len(value)}")
            try:
                keys = sorted(value)  # text keys, nearly always: no key function needed
            except TypeError:
                keys = sorted(value, key=repr)
            for key in keys:
                parts.append("k:" + key if type(key) is str else "r:" + repr(key))  # 1 and "1" differ
                self._describe(value[key], parts, depth + 1)
            parts.append("}")
        elif kind == "page":
            parts.append(self._page_description(value, depth) if full_pages else reference(value))
        elif kind == "navigation":  # for each page: Material's blog swaps a listing's pages into it as it renders them
            parts.append("nav:" + self._describe_navigation(value.items))
        elif kind == "dataclass":
            parts.append(cls.__qualname__)
            self._describe({field.name: getattr(value, field.name) for field in _fields_of(cls)}, parts, depth + 1)
        elif kind == "settings":
            parts.append(cls.__qualname__)
            self._describe(dict(value.items()), parts, depth + 1)
        else:
            raise Uncacheable(f"{cls.__module__}.{cls.__qualname__}")

    def _page_description(self, page: Page, depth: int) -> str:
        """A page in full; the notes a listing shows are described once per build (they no longer change)."""
        if page is self.current:
            return self._describe_page(page, depth)
        return _once(self.pages, id(page), page, lambda: self._describe_page(page, depth))

    def _describe_page(self, page: Page, depth: int) -> str:
        parts = [  # getattr with a default: Material's excerpts are pages made without some of these attributes
            reference(page),
            f"{page.file.src_uri}|{page.canonical_url}|{getattr(page, 'edit_url', _ABSENT)}|{page.is_homepage}",
            text_digest(getattr(page, "content", _ABSENT) or ""),
            describe_toc(getattr(page, "toc", _ABSENT)),
        ]
        self._describe(page.meta, parts, depth + 1)
        neighbours = (getattr(page, "previous_page", _ABSENT), getattr(page, "next_page", _ABSENT))
        parts.append("|".join(reference(p) if isinstance(p, Page) else str(p) for p in neighbours))
        parts.append("|".join(reference(item) for item in page.ancestors))
        for name in ("config", "authors", "categories"):  # Material's blog: a post's settings, authors, categories
            if hasattr(page, name):
                parts.append(name)
                self._describe(getattr(page, name), parts, depth + 1)
        for name in ("pages", "views"):  # a listing's pages (its pagination links) and sub-listings
            siblings = getattr(page, name, None)
            if isinstance(siblings, list):
                parts.append(name + ":" + self._urls_of(siblings))
        post = getattr(page, "post", None)  # an excerpt's post
        parts.append(f"post:{reference(post)}" if isinstance(post, Page) else "no post")
        return text_digest("\x1f".join(parts))

    def _urls_of(self, siblings: list) -> str:
        """The URLs of a listing's pages, joined once per build: the listing's every page holds the one list."""
        key = (id(siblings), len(siblings))
        return _once(self.sibling_urls, key, siblings, lambda: "|".join(p.url for p in siblings))

    def _describe_navigation(self, items) -> str:
        """Every navigation item's kind, title, URL and meta, in order: what Material's navigation reads."""
        parts = []
        for item in items:
            parts.append(_once(self.nav_items, id(item), item, functools.partial(_nav_item, item)))
            children = getattr(item, "children", None)
            if children:
                parts.append("(" + self._describe_navigation(children) + ")")
        return "\n".join(parts)


_ABSENT = "<absent>"


def _once(table: dict, key, value, make) -> str:
    """`make()` for this very object, made once: kept beside the object, so an id used again misses."""
    known = table.get(key)
    if known is None or known[0] is not value:
        known = table[key] = (value, make())
    return known[1]


def _nav_item(item: StructureItem) -> str:
    meta = item.meta if isinstance(item, Page) else {}
    return reference(item) + repr(sorted((str(k), repr(v)) for k, v in meta.items()))


def site_digest(config) -> str:
    """Everything outside docs/ that a page is made from: the config file, the theme's overrides, the hooks, the day."""
    # The theme's own folders and the hooks, loaded again each build; not impart/, whose modules a preview keeps.
    watched = [Path(d) for d in config.theme.dirs if "site-packages" not in Path(d).parts]
    watched += [Path(module.__file__) for module in config.hooks.values()]
    files = []  # path, size and time of change of each file under them
    for root in watched:
        for path in [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()):
            files.append((str(path), stat_of(path)))
    described = [
        Path(config.config_file_path).read_text(encoding="utf-8"),
        repr(files),
        str(config.site_url),
        str(config.use_directory_urls),
        os.environ.get("SOURCE_DATE_EPOCH", ""),
        dt.date.today().isoformat(),  # indicative pages and overdue promises depend on the day
    ]
    return text_digest("\x1f".join(described))
