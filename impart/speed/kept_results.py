"""The results kept between renders, by page and key: the live preview's from one rebuild to the next, and a
two-core build's from its helpers (impart.speed.parallel_build). impart.speed.fingerprint makes the keys."""

from __future__ import annotations

import dataclasses
import logging
import zlib

import jinja2
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from impart.speed.fingerprint import Fingerprint, Uncacheable, image_stamp, text_digest, toc_tokens


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
    toc_tokens: list[dict]  # fingerprint.toc_tokens
    title: str | None
    anchor_ids: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None
    warnings: list[logging.LogRecord]


def markdown_slot(page: Page) -> str:
    return page.file.src_uri + "|" + page.url


class PreviewMemory:
    """Results of the previous rebuild, by page. Each rebuild keeps only what it used or made."""

    def __init__(self) -> None:
        self.enabled = False  # consult the memory (the preview, or a build with a helper process)
        self.keeping = False  # keep what is made (the preview, and the helper process itself)
        self.compress = False  # keep rendered pages compressed (the preview, which holds them between rebuilds)
        self.helpers: list = []  # processes making results for some slots of this build (parallel_build.Helper)
        self.markdown = KeptResults()  # page -> RenderedMarkdown
        self.pages = KeptResults()  # URL -> the rendered page (compressed in the preview)
        self.search = KeptResults()  # URL -> the page's search entries
        self.compiled_templates = CompiledTemplates()
        self.begin(site="")

    def begin(self, site: str) -> None:
        for results in (self.markdown, self.pages, self.search):
            results.begin()
        self.site = site
        self.fingerprint: Fingerprint | None = None
        self.files_key = ""
        self.hits = {"markdown": 0, "page": 0}
        self.misses = {"markdown": 0, "page": 0, "uncacheable": 0}

    def summary(self) -> str:
        pages = self.hits["page"] + self.misses["page"] + self.misses["uncacheable"]
        return (
            f"Preview: reused {self.hits['page']} of {pages} rendered pages ({self.misses['uncacheable']} not reusable)"
            f" and {self.hits['markdown']} of {self.hits['markdown'] + self.misses['markdown']} Markdown renders"
        )

    def end(self) -> None:
        for results in (self.markdown, self.pages, self.search):
            results.end()
        self.fingerprint = None  # it holds the whole build's pages, which the next build replaces

    def consulted(self, slot: str) -> bool:
        """Whether results for this slot may be here: always in the preview, else only a helper's."""
        helper = next((helper for helper in self.helpers if slot in helper.positions), None)
        return self.keeping or (helper is not None and helper.covers(helper.positions[slot]))

    def await_helpers(self) -> None:
        for helper in self.helpers:
            helper.finish()

    def know_files(self, files) -> None:
        self.files_key = text_digest("\n".join(f"{f.src_uri}|{f.dest_uri}|{f.url}{image_stamp(f)}" for f in files))

    def know_build(self, config) -> None:
        self.fingerprint = Fingerprint(self.site, config)

    def markdown_key(self, page: Page) -> str:
        described = (self.site, self.files_key, page.file.src_uri, page.file.dest_uri, page.url, page.markdown)
        return text_digest("\x1f".join(described))

    def reuse_markdown(self, page: Page, files) -> bool:
        slot = markdown_slot(page)
        kept = self.markdown.get(slot, self.markdown_key(page)) if self.consulted(slot) else None
        if kept is None:
            return False
        links = kept.links_to_anchors
        if links is not None:
            targets = [files.get_file_from_path(src_uri) for src_uri in links]
            if any(target is None for target in targets):
                return False
            links = {target: dict(anchors) for target, anchors in zip(targets, links.values(), strict=True)}
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
            toc_tokens=toc_tokens(page.toc),
            title=page._title_from_render,
            anchor_ids=set(page.present_anchor_ids) if page.present_anchor_ids is not None else None,
            links_to_anchors=None if links is None else {f.src_uri: dict(a) for f, a in links.items()},
            warnings=list(warnings),
        )
        self.markdown.put(markdown_slot(page), self.markdown_key(page), kept)
        self.misses["markdown"] += 1

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
        # Compressed, 1,000 notes' pages take a tenth of their 50 MB: no more memory than stock Material's preview.
        self.pages.put(*key, zlib.compress(output.encode("utf-8", "surrogatepass"), 1) if self.compress else output)
        self.misses["page"] += 1


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept between rebuilds; Jinja checks each against its source's checksum."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


MEMORY = PreviewMemory()
