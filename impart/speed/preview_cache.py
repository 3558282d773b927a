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

import dataclasses
import datetime as dt
import enum
import hashlib
import logging
import os
import zlib
from pathlib import Path, PurePath

import jinja2
import jinja2.bccache
from mkdocs.config.base import Config
from mkdocs.structure import StructureItem
from mkdocs.structure.files import File
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")


def _image_stamp(file: File) -> str:
    """An image's size and time of change on disk: a page's HTML holds its width and height
    (impart.content.images), so an image replaced under the same name must render the pages again."""
    if not file.src_uri.lower().endswith(IMAGE_SUFFIXES) or not file.abs_src_path:
        return ""
    try:
        stat = os.stat(file.abs_src_path)
    except OSError:
        return "|gone"
    return f"|{stat.st_size}|{stat.st_mtime_ns}"


class Uncacheable(Exception):
    """A context value the fingerprint cannot describe: the page is rendered, not reused."""


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def files_state(paths: list[Path]) -> list[tuple[str, int, int]]:
    """Path, size and modification time of each file under the given folders (theme overrides, hooks)."""
    state = []
    for root in paths:
        if root.is_file():
            candidates = [root]
        elif root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file())
        else:
            continue
        for path in candidates:
            stat = path.stat()
            state.append((str(path), stat.st_size, stat.st_mtime_ns))
    return state


# Context values that no page template reads (tests/test_preview_cache.py checks the templates):
# MkDocs' build time, which changes on every rebuild, is only read by sitemap.xml.
NOT_READ_BY_PAGE_TEMPLATES = frozenset({"build_date_utc"})


_PLAIN = {str: "s:", int: "i:", bool: "b:", float: "f:", type(None): "n:"}
_KINDS: dict[type, str] = {}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, worked out once per class


def _kind_of(cls: type) -> str:
    """How the fingerprint describes values of a class; worked out once per class."""
    kinds = (
        ((bool, int, float, str), "scalar"),  # subclasses, such as Jinja's Markup
        ((list, tuple), "sequence"),
        ((dict,), "mapping"),
        ((set, frozenset), "set"),
        ((dt.date, dt.time), "date"),
        ((PurePath,), "path"),
        ((enum.Enum,), "enum"),
        ((Page,), "page"),
        ((Section, Link), "nav item"),
        ((Navigation,), "navigation"),
        ((File,), "file"),
        ((TableOfContents, AnchorLink), "toc"),
    )
    kind = next((name for bases, name in kinds if issubclass(cls, bases)), "unknown")
    if kind == "unknown" and dataclasses.is_dataclass(cls):
        kind = "dataclass"
    elif kind == "unknown" and issubclass(cls, Config) and not hasattr(cls, "plugins"):
        kind = "settings"  # a plugin's settings object, e.g. a blog post's date and categories
    _KINDS[cls] = kind
    return kind


class Fingerprint:
    """One build's fingerprints of template contexts. Objects the whole build shares are described once."""

    def __init__(self, site: str, shared: dict[int, tuple[object, str]]):
        self.site = site  # the configuration, theme and build date (SiteInputs.digest)
        self.shared = shared  # id(object) -> (object, its description): the config, the list of pages
        self.pages: dict[int, tuple[Page, str]] = {}  # pages other than the one being rendered
        self.current: Page | None = None
        self.nav_items: dict[int, tuple[object, str]] = {}  # their meta is settled before pages are built
        self.sibling_urls: dict[int, tuple[list, int, str]] = {}  # see _urls_of

    def share(self, value, description: str) -> None:
        self.shared[id(value)] = (value, description)  # the object is held, so its id is not reused

    def of_context(self, template_name: str, context) -> str:
        parts = [self.site, template_name]
        self.current = context.get("page")
        for key in sorted(context):
            if key in NOT_READ_BY_PAGE_TEMPLATES:
                continue
            parts.append(key)
            value = context[key]
            if key == "pagination" and callable(value):
                # Material's blog hands listings a pager function: its links follow from the
                # listing's sibling pages, described with the page below.
                parts.append("pager")
            elif key == "pages" and id(value) not in self.shared:
                # MkDocs' list of every page, made once per build and the same for every page.
                described: list[str] = []
                self._describe(value, described, depth=0)
                self.share(value, _hash("\x1f".join(described)))
                parts.append(self.shared[id(value)][1])
            else:
                self._describe(value, parts, depth=0, full_pages=True)
        return _hash("\x1f".join(parts))

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
        kind = _KINDS.get(cls) or _kind_of(cls)
        if kind == "scalar":
            parts.append(f"{cls.__name__}:{value}")
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
        elif kind == "set":
            parts.append(f"set:{sorted(map(str, value))}")
        elif kind == "date":
            parts.append(f"{cls.__name__}:{value.isoformat()}:{getattr(value, 'tzinfo', None)}")
        elif kind == "path":
            parts.append(f"path:{value}")
        elif kind == "enum":
            parts.append(f"{cls.__qualname__}:{value.value}")
        elif kind == "page":
            parts.append(self._page_description(value, depth) if full_pages else page_reference(value))
        elif kind == "nav item":
            parts.append(item_reference(value))
        elif kind == "navigation":
            # Described for each page: Material's blog swaps a listing's pages into it as it renders them.
            parts.append("nav:" + self._describe_navigation(value.items))
        elif kind == "file":
            parts.append(f"file:{value.src_uri}:{value.dest_uri}:{value.url}")
        elif kind == "toc":
            parts.append(describe_toc(value))
        elif kind == "dataclass":
            parts.append(cls.__qualname__)
            names = _FIELD_NAMES.get(cls)
            if names is None:
                names = _FIELD_NAMES[cls] = tuple(field.name for field in dataclasses.fields(cls))
            for name in names:
                parts.append(name)
                self._describe(getattr(value, name), parts, depth + 1)
        elif kind == "settings":
            parts.append(cls.__qualname__)
            self._describe(dict(value.items()), parts, depth + 1)
        else:
            raise Uncacheable(f"{cls.__module__}.{cls.__qualname__}")

    def _page_description(self, page: Page, depth: int) -> str:
        """A page in full; the notes a listing shows are described once per build (they no longer change)."""
        if page is self.current:
            return self._describe_page(page, depth)
        known = self.pages.get(id(page))
        if known is None or known[0] is not page:
            known = self.pages[id(page)] = (page, self._describe_page(page, depth))
        return known[1]

    def _describe_page(self, page: Page, depth: int) -> str:
        parts: list[str] = []
        parts.append(page_reference(page))
        parts.append(f"{page.file.src_uri}|{page.canonical_url}|{_attr(page, 'edit_url')}|{page.is_homepage}")
        parts.append(_hash(_attr(page, "content") or ""))
        parts.append(describe_toc(_attr(page, "toc")))
        self._describe(page.meta, parts, depth + 1)
        neighbours = (_attr(page, "previous_page"), _attr(page, "next_page"))
        parts.append("|".join(page_reference(p) if isinstance(p, Page) else str(p) for p in neighbours))
        parts.append("|".join(item_reference(item) for item in page.ancestors))
        # Material's blog: a post's settings, authors and categories; a listing's sibling pages.
        for name in ("config", "authors", "categories"):
            if hasattr(page, name):
                parts.append(name)
                self._describe(getattr(page, name), parts, depth + 1)
        for name in ("pages", "views"):  # a listing's pages (its pagination links) and sub-listings
            siblings = getattr(page, name, None)
            if isinstance(siblings, list):
                parts.append(name + ":" + self._urls_of(siblings))
        post = getattr(page, "post", None)  # an excerpt's post
        if isinstance(post, Page):
            parts.append("post:" + page_reference(post))
        return _hash("\x1f".join(parts))

    def _urls_of(self, siblings: list) -> str:
        """The URLs of a listing's pages: one list that all of them share, so joined once per build (a listing
        of 200 pages asked for 200 URLs on each of its 200 pages)."""
        known = self.sibling_urls.get(id(siblings))
        if known is None or known[0] is not siblings or known[1] != len(siblings):
            known = self.sibling_urls[id(siblings)] = (siblings, len(siblings), "|".join(p.url for p in siblings))
        return known[2]

    def _describe_navigation(self, items) -> str:
        """Every navigation item's kind, title, URL and meta, in order: what Material's navigation reads."""
        parts = []
        for item in items:
            known = self.nav_items.get(id(item))
            if known is None or known[0] is not item:
                described = item_reference(item)
                if isinstance(item, Page):
                    described += repr(sorted((str(k), repr(v)) for k, v in item.meta.items()))
                known = self.nav_items[id(item)] = (item, described)
            parts.append(known[1])
            children = getattr(item, "children", None)
            if children:
                parts.append("(" + self._describe_navigation(children) + ")")
        return "\n".join(parts)


def _attr(page: Page, name: str):
    """An attribute a page may lack (Material's excerpts are pages made without some of them)."""
    try:
        return getattr(page, name)
    except AttributeError:
        return "<absent>"


def page_reference(page) -> str:
    if page is None:
        return "none"
    try:
        title = page.title
    except AttributeError:  # an excerpt Material never rendered (impart.speed.build_speed) has no title
        title = None
    return f"{type(page).__name__}:{page.url}:{title}"


def item_reference(item: StructureItem) -> str:
    if isinstance(item, Page):
        return page_reference(item)
    return f"{type(item).__name__}:{getattr(item, 'url', '')}:{item.title}"


def describe_toc(toc) -> str:
    if isinstance(toc, TableOfContents):
        return "toc:" + _describe_anchors(toc.items)
    if isinstance(toc, AnchorLink):
        return "toc:" + _describe_anchors([toc])
    return f"toc:{toc}"


def _describe_anchors(anchors) -> str:
    return ";".join(f"{a.level}:{a.id}:{a.title}({_describe_anchors(a.children)})" for a in anchors)


# --- What one build shares -------------------------------------------------------------


@dataclasses.dataclass
class SiteInputs:
    """Everything outside docs/ that a page is made from: the config file, the theme's overrides, the hooks, the day."""

    digest: str

    @classmethod
    def of(cls, config) -> SiteInputs:
        config_file = Path(config.config_file_path)
        # The theme's own folders (not installed packages) and the hooks, which MkDocs loads again for each build.
        # impart/ itself is left out: a running preview keeps the modules it imported.
        watched = [Path(d) for d in config.theme.dirs if not _installed(d)]
        watched += [Path(module.__file__) for module in config.hooks.values()]
        described = [
            config_file.read_text(encoding="utf-8"),
            repr(files_state(watched)),
            str(config.site_url),
            str(config.use_directory_urls),
            os.environ.get("SOURCE_DATE_EPOCH", ""),
            dt.date.today().isoformat(),  # indicative pages and overdue promises depend on the day
        ]
        return cls(_hash("\x1f".join(described)))


def _installed(folder: str) -> bool:
    return "site-packages" in Path(folder).parts


# --- The memory ----------------------------------------------------------------------


class KeptResults:
    """Results by slot (e.g. a page's URL), each with the key it was made from. A rebuild keeps what it used or made."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, object]] = {}
        self._next: dict[str, tuple[str, object]] = {}

    def get(self, slot: str, key: str):
        kept = self._kept.get(slot)
        if kept is None or kept[0] != key:
            return None
        self._next[slot] = kept
        return kept[1]

    def put(self, slot: str, key: str, value) -> None:
        self._next[slot] = (key, value)

    def begin(self) -> None:
        self._next = {}  # nothing from a rebuild that failed part way

    def made(self) -> dict[str, tuple[str, object]]:
        """What this build made or used, to hand to another process."""
        return dict(self._next)

    def receive(self, results: dict[str, tuple[str, object]]) -> None:
        """Results made by another process for this build (impart.speed.parallel_build)."""
        self._kept.update(results)

    def end(self) -> None:
        self._kept, self._next = self._next, {}


@dataclasses.dataclass
class RenderedMarkdown:
    content: str
    toc_tokens: list[dict]  # the table of contents as the Markdown toc extension gives it (get_toc's input)
    title: str | None
    anchor_ids: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None
    warnings: list[logging.LogRecord]


def _toc_tokens(anchors) -> list[dict]:
    return [{"level": a.level, "id": a.id, "name": a.title, "children": _toc_tokens(a.children)} for a in anchors]


def markdown_slot(page: Page) -> str:
    return page.file.src_uri + "|" + page.url


class PreviewMemory:
    """Results of the previous rebuild, by page. Each rebuild keeps only what it used or made."""

    def __init__(self) -> None:
        self.enabled = False  # consult the memory (the preview, or a build with a helper process)
        self.keeping = False  # keep what is made (the preview, and the helper process itself)
        self.compress = False  # keep rendered pages compressed (the preview, which holds them between rebuilds)
        self._helpers: list = []  # processes making results for this build (impart.speed.parallel_build.Helper)
        self.markdown = KeptResults()  # page -> RenderedMarkdown
        self.pages = KeptResults()  # URL -> the rendered page (compressed in the preview)
        self.search = KeptResults()  # URL -> the page's search entries
        self.site = ""
        self.files_key = ""
        self.fingerprint: Fingerprint | None = None
        self.compiled_templates = CompiledTemplates()
        self.hits = {"markdown": 0, "page": 0}
        self.misses = {"markdown": 0, "page": 0, "uncacheable": 0}

    def begin(self, site: SiteInputs) -> None:
        for results in (self.markdown, self.pages, self.search):
            results.begin()
        self.site = site.digest
        self.fingerprint = None
        self.files_key = ""
        self.hits = dict.fromkeys(self.hits, 0)
        self.misses = dict.fromkeys(self.misses, 0)

    def summary(self) -> str:
        pages = self.hits["page"] + self.misses["page"] + self.misses["uncacheable"]
        return (
            f"Preview: reused {self.hits['page']} of {pages} rendered pages "
            f"({self.misses['uncacheable']} not reusable) and {self.hits['markdown']} of "
            f"{self.hits['markdown'] + self.misses['markdown']} Markdown renders"
        )

    def end(self) -> None:
        for results in (self.markdown, self.pages, self.search):
            results.end()
        self.fingerprint = None  # it holds the whole build's pages, which the next build replaces

    def expect(self, helper) -> None:
        """A helper process is making results for some slots (helper.positions; impart.speed.parallel_build)."""
        self._helpers.append(helper)

    def consulted(self, slot: str) -> bool:
        """Whether results for this slot may be here: always in the preview, else only a helper's."""
        if self.keeping:
            return True
        for helper in self._helpers:
            index = helper.positions.get(slot)
            if index is not None:
                return helper.covers(index)
        return False

    def await_helpers(self) -> None:
        for helper in self._helpers:
            helper.finish()

    def know_files(self, files) -> None:
        listing = "\n".join(f"{f.src_uri}|{f.dest_uri}|{f.url}{_image_stamp(f)}" for f in files)
        self.files_key = _hash(listing)

    def know_build(self, config) -> None:
        self.fingerprint = Fingerprint(self.site, {})
        self.fingerprint.share(config, "config")

    # Markdown ---------------------------------------------------------------------------

    def markdown_key(self, page: Page) -> str:
        file = page.file
        return _hash("\x1f".join((self.site, self.files_key, file.src_uri, file.dest_uri, page.url, page.markdown)))

    def reuse_markdown(self, page: Page, files) -> bool:
        if not self.consulted(markdown_slot(page)):
            return False
        kept = self.markdown.get(markdown_slot(page), self.markdown_key(page))
        if kept is None:
            return False
        links = None
        if kept.links_to_anchors is not None:
            links = {}
            for src_uri, anchors in kept.links_to_anchors.items():
                target = files.get_file_from_path(src_uri)
                if target is None:
                    return False
                links[target] = dict(anchors)
        page.content = kept.content
        page.toc = get_toc(kept.toc_tokens)  # fresh objects, as MkDocs' own render makes
        page._title_from_render = kept.title
        page.present_anchor_ids = set(kept.anchor_ids) if kept.anchor_ids is not None else None
        if links is not None:
            page.links_to_anchors = links
        for record in kept.warnings:
            logging.getLogger(record.name).handle(record)
        self.hits["markdown"] += 1
        return True

    def keep_markdown(self, page: Page, warnings: list[logging.LogRecord]) -> None:
        links = page.links_to_anchors
        kept = RenderedMarkdown(
            content=page.content,
            toc_tokens=_toc_tokens(page.toc),
            title=page._title_from_render,
            anchor_ids=set(page.present_anchor_ids) if page.present_anchor_ids is not None else None,
            links_to_anchors=None if links is None else {f.src_uri: dict(a) for f, a in links.items()},
            warnings=list(warnings),
        )
        self.markdown.put(markdown_slot(page), self.markdown_key(page), kept)
        self.misses["markdown"] += 1

    # Templates ---------------------------------------------------------------------------

    def page_key(self, template_name: str, context) -> tuple[str, str] | None:
        page = context.get("page") if hasattr(context, "get") else None
        if self.fingerprint is None or not isinstance(page, Page) or not self.consulted(page.url):
            return None
        try:
            return page.url, self.fingerprint.of_context(template_name, context)
        except Uncacheable:
            self.misses["uncacheable"] += 1
            return None

    def rendered(self, key: tuple[str, str]) -> str | None:
        kept = self.pages.get(*key)
        if kept is None:
            return None
        self.hits["page"] += 1
        return zlib.decompress(kept).decode("utf-8", "surrogatepass") if isinstance(kept, bytes) else kept

    def keep_rendered(self, key: tuple[str, str], output: str) -> None:
        # Kept compressed: at 1,000 notes the pages are about 50 MB as text, about a tenth of that compressed,
        # so the preview holds them without needing more memory than stock Material's preview.
        self.pages.put(*key, zlib.compress(output.encode("utf-8", "surrogatepass"), 1) if self.compress else output)
        self.misses["page"] += 1


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept between rebuilds; Jinja checks each against its source's checksum."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


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
        key = _hash(
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


MEMORY = PreviewMemory()
