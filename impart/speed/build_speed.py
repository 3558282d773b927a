"""The pieces impart.speed.registry puts in place of Material's own blog and theme parts and of impart's front
matter and word count; bench/README.md says what each saves and why the pages stay byte for byte the same."""

from __future__ import annotations

import copy
import functools
import os
import threading
from pathlib import Path

import material
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.toc import get_toc

from impart.content import front_matter
from impart.speed.fingerprint import digest

_MATERIAL_TEMPLATES = os.path.join(os.path.dirname(material.__file__), "templates")


class PostList(list):
    """The blog's list of posts, with membership by identity through a set: O(1) instead of O(n) comparisons."""

    def __init__(self, posts):
        super().__init__(posts)
        self._ids = {id(post) for post in posts}

    def __contains__(self, page) -> bool:
        return id(page) in self._ids


class NoParser:
    """Stands in for an excerpt's Markdown parser, which is never run: it takes registrations and keeps none."""

    def __init__(self, **_options):
        self.treeprocessors = self

    def register(self, _processor, _name, _priority) -> None:
        pass


class FrontMatterYaml:
    """Stands in for the yaml module in the blog's post reader, which only calls yaml.load(text, SafeLoader)."""

    @staticmethod
    def load(text, _loader):
        return front_matter.load_yaml(text)  # by the module: the speed layer's cache, when it is in place


def render_without_content(self, page, separator):
    """An excerpt's render: its content and table of contents stay empty, as the listings never show them."""
    self.content, self.more, self.toc = "", None, get_toc([])


def unpatched(config):
    """The configuration as it is: the blog copies and adjusts it only for an excerpt's parser, never run here."""
    return config


class ListingPageSources:
    """Stands in for the blog plugin's `copy_file`, which copies a listing's source for each further page (2, 3, ...):
    the copy is kept as the file's content in memory (`hand_over`), where MkDocs reads it from; no file is made."""

    def __init__(self) -> None:
        self._copies: dict[str, bytes] = {}  # a page's source path -> the bytes a copy would have held
        self._read: dict[str, bytes] = {}  # a listing's source path -> its bytes, read once per build

    def __call__(self, source_path: str, destination_path: str) -> None:
        if source_path not in self._read:
            self._read[source_path] = Path(source_path).read_bytes()
        self._copies[destination_path] = self._read[source_path]

    def hand_over(self, files) -> None:
        """Gives each copied page's file its content (MkDocs then reads no path for it); forgets this build's."""
        for file in files:
            if file.abs_src_path in self._copies:
                file.content_bytes = self._copies[file.abs_src_path]
        self._copies.clear()
        self._read.clear()


class MarkdownParserReused:
    """Stands in for the markdown module in mkdocs.structure.pages, whose Page.render makes a parser per page:
    `Markdown(...)` hands back the last one, reset, while the extensions and their options are the same."""

    def __init__(self, module) -> None:
        self._module = module
        self._last = threading.local()  # one parser per thread: a parser is never shared by two renders

    def __getattr__(self, name: str):
        return getattr(self._module, name)

    def Markdown(self, *, extensions, extension_configs):  # noqa: N802 (the name markdown's class has)
        made = getattr(self._last, "made", None)
        if made is not None and made[0] is extensions and made[1] == extensions and made[2] == extension_configs:
            return made[3].reset()
        parser = self._module.Markdown(extensions=extensions, extension_configs=extension_configs)
        # The configuration's own list (by identity: a new build has a new one), and copies of what it held.
        self._last.made = (extensions, list(extensions), copy.deepcopy(extension_configs), parser)
        return parser


def forget_reused_parser() -> None:
    """Lets go of the reused parsers, whose processors hold the last build: the preview would keep it alive."""
    if isinstance(mkdocs_pages.markdown, MarkdownParserReused):
        mkdocs_pages.markdown._last = threading.local()


def materials_own(template) -> bool:
    """Whether a partial (`partials/...`) is Material's own file, not an override of it."""
    return os.path.dirname(os.path.dirname(template.filename or "")) == _MATERIAL_TEMPLATES


def translate_once_per_label(env) -> None:
    """Material's translations partial (not an override of it), imported once for the build, each label answered
    once: its with-context import gives the same module for every page of a build."""
    template = env.get_template("partials/language.html")
    if not materials_own(template):
        return
    made = []
    make_module = template.make_module

    def make_module_once(vars=None, shared=False, locals=None):
        if not made:
            module = make_module(vars, shared, locals)
            module.t = _remembered(module.t)
            made.append(module)
        return made[0]

    template.make_module = make_module_once


def _remembered(macro):
    """A macro whose answer depends only on its one text argument, answering each argument once."""
    answer = functools.cache(macro)

    def remembered(key, *more, **named):
        return answer(key) if type(key) is str and not (more or named) else macro(key, *more, **named)

    return remembered


LISTING_SOURCES = ListingPageSources()


AT_MOST = 20_000  # entries a cache keeps, for a preview left running for days
COUNTED: dict[bytes, int] = {}  # word counts by HTML digest; a build's helper hands its own over (parallel_build)


def parsed_once(load_yaml):
    """impart.content.front_matter.load_yaml, keeping each text's result; a fresh copy of it each time."""
    parsed = functools.lru_cache(maxsize=AT_MOST)(load_yaml)

    def load_yaml_once(text: str):
        return copy.deepcopy(parsed(text))

    return load_yaml_once


def counted_once(count_words):
    """impart.content.readtime.count_words, keeping each HTML's count by its digest."""

    def count_words_once(html: str) -> int:
        key = digest(html.encode("utf-8", "surrogatepass"))
        if key not in COUNTED:
            if len(COUNTED) >= AT_MOST:
                COUNTED.clear()  # starts again rather than track which count is oldest
            COUNTED[key] = count_words(html)
        return COUNTED[key]

    return count_words_once
