"""Build speed with many notes: changes at the causes' depth, each leaving every page's content as it was.

Events: on_startup (patch), on_files (after the blog plugin), on_env (late), on_shutdown (last). Reads no front matter.

1. Posts' excerpts are never rendered. Material's blog renders each post's
   Markdown again for every listing page it appears on (index, archive,
   category, author, each paginated): about 4 renders per note. Our listings
   (overrides/blog.html, partials/note-summary.html) show the title, byline and
   standfirst from the note's metadata and never the excerpt, so the render
   only cost time. The excerpt keeps an empty content and table of contents,
   and gets no Markdown parser of its own (building one per post cost more
   than a second at 1,000 notes), nor the patched copy of the configuration
   and the two tree processors that parser would have run: a thousand of each
   otherwise stay alive for the garbage collector to walk through.
2. Is-this-page-a-post checks are set lookups. The blog plugin asks
   `page not in self.blog.posts` for every page in two events; on a list that
   compares pages by title and file, one by one: about 2.6 million comparisons
   at 1,000 notes. The list becomes one that answers membership by identity
   from a set (a page is only ever equal to itself there).
3. Front matter is parsed by libyaml (PyYAML's C loader, same safe schema and
   results) instead of the pure-Python loader, in the blog plugin's post reader,
   and each text once: the blog reads the same front matter impart has just
   read (impart.front_matter.load_yaml hands out a fresh copy each time).

4. Dates are formatted once per date and format. The blog formats each post's
   date three times with Babel (for its page, its URL and the archive), and
   each call looks the locale's patterns up again; Babel's answer depends
   only on the date, its zone, the format and the locale.
5. Canonical URLs are joined once per page URL. MkDocs joins the site URL
   and each page's URL with urllib's urljoin, a pure function, on every page
   it makes, and the blog makes about two pages per note.

6. Pages compare by file before title. Material's navigation asks
   `page in nav_item.pages` and `nav_item == page` for each navigation item
   on every page it renders (about 350,000 comparisons at 1,000 notes), and
   MkDocs' Page equality (same class, same title, same file) works the title
   out from the page's meta each time. Files compare by identity, so putting
   them first skips the title for pages whose files differ; the answer is
   the same, since all three parts must hold either way.
7. Templates are found in a plain dict. Each page's render looks up about
   45 included and imported templates by name, and MkDocs' Jinja environment
   keeps them in a 400-entry least-recently-used cache that takes a lock and
   reorders itself on every lookup. The theme has about 60 templates, which
   an unbounded cache (Jinja's own option, cache_size=-1) holds without either.
8. The process ends without a last walk of its heap. When MkDocs is done
   (on_shutdown, after every other plugin), everything still alive is moved
   to the garbage collector's permanent generation (gc.freeze), so the
   collections Python runs while it shuts down skip it: a 1,000-note build's
   exit took 0.7 to 1 s, now 0.05 s. Nothing is written after on_shutdown
   but the log, which is flushed at exit as before; files are closed by the
   `with` blocks that wrote them.
9. Material's translations are looked up once per build and label. Each
   page imports `partials/language.html` with its context, and its `t(key)`
   macro calls a language table's macro that builds the whole table (about
   100 labels) to return one: some 25 lookups a page, 45,000 at 1,000 notes.
   What the partial does depends only on the site's language, the same for
   every page of a build, so the first page's import is kept for the rest of
   the build and each label's answer is remembered. Only Material's own
   partial is treated so; an override of it is imported as before.

tests/test_build_speed.py builds the site with and without this hook and
asserts that every output file is byte for byte the same.
"""

from __future__ import annotations

import functools
import gc
import os

import material
from mkdocs.plugins import event_priority

from impart.front_matter import load_yaml

_patched = False
LANGUAGE_PARTIAL = "partials/language.html"
_MATERIAL_TEMPLATES = os.path.join(os.path.dirname(material.__file__), "templates")


class _PostList(list):
    """The blog's list of posts, with membership by identity through a set: O(1) instead of O(n) comparisons."""

    def __init__(self, posts):
        super().__init__(posts)
        self._ids = {id(post) for post in posts}

    def __contains__(self, page) -> bool:
        return id(page) in self._ids


class _NoParser:
    """Stands in for an excerpt's Markdown parser, which is never run: it takes registrations and keeps none."""

    def __init__(self, **_options):
        self.treeprocessors = self

    def register(self, _processor, _name, _priority) -> None:
        pass


class _FrontMatterYaml:
    """Stands in for the yaml module in the blog's post reader, which only calls yaml.load(text, SafeLoader)."""

    @staticmethod
    def load(text, _loader):
        return load_yaml(text)


def _render_without_content(self, page, separator):
    from mkdocs.structure.toc import get_toc

    self.content, self.more, self.toc = "", None, get_toc([])


def _unpatched(config):
    """The configuration as it is: the blog copies and adjusts it only for an excerpt's parser, never run here."""
    return config


def _formatted_once(format_function):
    """Babel's format_date or format_datetime, remembering each answer by everything it depends on."""
    answers: dict[tuple, str] = {}

    def format_once(date, format, locale):  # the blog passes format and locale by name
        key = (type(date), date.isoformat(), getattr(date, "tzinfo", None), format, str(locale))
        if key not in answers:
            answers[key] = format_function(date, format=format, locale=locale)
        return answers[key]

    return format_once


def _page_equals(self, other) -> bool:
    """MkDocs' Page equality, with the file (compared by identity) before the title (worked out each time)."""
    return isinstance(other, self.__class__) and self.file == other.file and self.title == other.title


def on_startup(command, dirty):
    global _patched
    if _patched:
        return
    from material.plugins.blog import plugin, structure
    from mkdocs.structure import pages

    structure.Excerpt.render = _render_without_content
    structure.Markdown = _NoParser  # the name is used only to build excerpts' parsers
    structure._patch = _unpatched  # only ever called for an excerpt's parser's configuration
    structure.yaml = _FrontMatterYaml  # the name is used only to load posts' front matter
    plugin.format_date = _formatted_once(plugin.format_date)
    plugin.format_datetime = _formatted_once(plugin.format_datetime)
    pages.urljoin = functools.lru_cache(maxsize=65536)(pages.urljoin)  # only Page's canonical and edit URLs
    pages.Page.__eq__ = _page_equals
    _patched = True


@event_priority(-100)  # after the blog plugin (-50) has resolved its posts
def on_files(files, *, config):
    blog = config.plugins.get("material/blog")
    if blog is not None and getattr(blog, "blog", None) is not None:
        blog.blog.posts = _PostList(blog.blog.posts)


def _remembered(macro):
    """A macro whose answer depends only on its one text argument, answering each argument once."""
    answers: dict[str, object] = {}

    def remembered(key, *more, **named):
        if more or named or type(key) is not str:
            return macro(key, *more, **named)
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = macro(key)
        return answer

    return remembered


def _imported_once(template):
    """`template.make_module` for a with-context import whose result is the same for every page of a build."""
    made = []
    make_module = template.make_module

    def make_module_once(vars=None, shared=False, locals=None):
        if not made:
            module = make_module(vars, shared, locals)
            module.t = _remembered(module.t)
            made.append(module)
        return made[0]

    return make_module_once


@event_priority(-250)  # after hooks/preview_cache.py (-200) has set the template class and emptied the cache,
# before hooks/parallel_build.py (-300) forks the template helper, which then has the same environment
def on_env(env, *, config, files):
    env.cache = {}  # what Jinja makes for cache_size=-1: every template kept, no lock, no reordering
    template = env.get_template(LANGUAGE_PARTIAL)
    if template.filename and os.path.dirname(os.path.dirname(template.filename)) == _MATERIAL_TEMPLATES:
        template.make_module = _imported_once(template)
    return env


@event_priority(-10_000)  # after every other plugin's on_shutdown
def on_shutdown():
    gc.freeze()
