"""Build speed with many notes: changes at the causes' depth, each leaving every page's content as it was.

Each item applies only where impart.speed.fence allows: on the verified versions of
MkDocs, Material and the RSS plugin, without IMPART_SPEED=0, and not named in
IMPART_SPEED_SKIP (bench/ablation.py measures each item's worth that way).

Events: on_startup (patch), on_files (after the blog plugin: items 2 and 10), on_env (late),
on_post_build and on_build_error (item 11), on_shutdown (last). Reads no front matter.

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
   read (impart.content.front_matter.load_yaml hands out a fresh copy each time).

4. Dates are formatted once per date and format. The blog formats each post's
   date three times with Babel (for its page, its URL and the archive), and
   each call looks the locale's patterns up again; Babel's answer depends
   only on the date, its zone, the format and the locale.
5. and 6. (canonical URLs joined once per page URL; pages compared by file
   before title) were removed on 30 November 2026: bench/ablation.py measured
   the build at 0.99x of all on without each, on a quiet machine. Item 12 had
   taken away most of the navigation's page comparisons they saved.

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

10. Paginated listings' further pages keep their source in memory. For
   page 2, 3, ... of each listing (index, archive, category, author), the
   blog copies the listing's one-line source to a file of its own in a
   temporary folder, which MkDocs then reads back: about 800 folders and
   files at 1,000 notes, 0.5 to 1.5 s of the build before any page can be
   rendered. The bytes the copy would hold become the file's content
   (MkDocs' File.content_bytes), which is what MkDocs reads for the page.

11. Pages' Markdown is converted by one parser per build. MkDocs makes a new
   Markdown parser for each page: each of its extensions is loaded and
   every processor and pattern registered again, about 0.3 ms a page and
   thousands of short-lived objects. The parser is made once and `reset()`
   between pages, which is how Python-Markdown is meant to be reused: it
   empties the stash, the references and each extension's state (the table
   of contents'). MkDocs registers its four per-page processors on it by
   name, which replaces the previous page's. A new build, or other
   extensions or options, get a new parser.

12. Material's navigation and tabs, colour-scheme switch and search box are
   rendered once per build for each different thing they show
   (impart.speed.partials_memo says what that is). Every page includes them, and
   the navigation and tabs walk the whole navigation to print the same few
   links on nearly every page: about 1.1 ms a page in all. A page that is
   itself in the navigation is rendered as before, and an override of the
   partials or another Material release turns this off.

tests/test_build_speed.py builds the site with and without this hook and
asserts that every output file is byte for byte the same.
"""

from __future__ import annotations

import gc

from mkdocs.plugins import event_priority

from impart.speed import build_speed, fence, partials_memo

_patched = False
_listing_page_sources = build_speed.ListingPageSources()


def on_startup(command, dirty):
    global _patched
    if _patched or not fence.active():
        return
    from material.plugins.blog import plugin, structure
    from mkdocs.structure import pages

    if fence.on("excerpts"):
        structure.Excerpt.render = build_speed.render_without_content
        structure.Markdown = build_speed.NoParser  # the name is used only to build excerpts' parsers
        structure._patch = build_speed.unpatched  # only ever called for an excerpt's parser's configuration
    if fence.on("libyaml"):
        structure.yaml = build_speed.FrontMatterYaml  # the name is used only to load posts' front matter
    if fence.on("dates"):
        plugin.format_date = build_speed.formatted_once(plugin.format_date)
        plugin.format_datetime = build_speed.formatted_once(plugin.format_datetime)
    if fence.on("listing-sources"):
        plugin.copy_file = _listing_page_sources  # the name is used only to copy listings' sources
    if fence.on("parser-reuse"):
        pages.markdown = build_speed.MarkdownParserReused(pages.markdown)  # Page.render's `markdown.Markdown(...)`
    _patched = True


@event_priority(-100)  # after the blog plugin (-50) has resolved its posts
def on_files(files, *, config):
    blog = config.plugins.get("material/blog")
    if fence.on("post-lookups") and blog is not None and getattr(blog, "blog", None) is not None:
        blog.blog.posts = build_speed.PostList(blog.blog.posts)
    _listing_page_sources.hand_over(files)


@event_priority(-250)  # after hooks/preview_cache.py (-200) has set the template class and emptied the cache,
# before hooks/parallel_build.py (-300) forks the template helper, which then has the same environment
def on_env(env, *, config, files):
    if fence.on("template-dict"):
        env.cache = {}  # what Jinja makes for cache_size=-1: every template kept, no lock, no reordering
    if fence.on("translations"):
        build_speed.translate_once_per_label(env)
    if fence.on("partials-memo"):
        partials_memo.install(env)  # after item 9: its key holds the translations module, the same all build
    return env


def on_post_build(*, config):
    build_speed.forget_reused_parser()


def on_build_error(*, error):
    build_speed.forget_reused_parser()


@event_priority(-10_000)  # after every other plugin's on_shutdown
def on_shutdown():
    if fence.on("exit-freeze"):
        gc.freeze()
