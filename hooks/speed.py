"""The speed layer (impart/speed/): the same pages, sooner. impart.speed.registry lists what it replaces and
the releases where it applies, bench/README.md what each item saves. Reads no front matter."""

from __future__ import annotations

import gc

from mkdocs.plugins import event_priority, get_plugin_logger

from impart.speed import (
    build_speed,
    fingerprint,
    parallel_build,
    partials_memo,
    preview_cache,
    preview_output,
    registry,
)
from impart.speed.kept_results import MEMORY

log = get_plugin_logger("impart")

# Event priorities (MkDocs runs higher first; plugins and hooks default to 0).
AFTER_MATERIAL_BLOG = -100  # the blog plugin resolves its posts at -50
AFTER_EVERY_PLUGIN = -300  # the helpers start from the files, navigation and environment as everyone left them
AFTER_EVERY_WRITE = -1000  # every plugin has written its files
LAST = -10_000

_items: frozenset[str] = frozenset()
_nav = None  # this build's navigation, from on_nav to on_env


def on_startup(command, dirty):
    global _items
    _items = registry.install(command, dirty)
    if "parallel-build" in _items:
        preview_cache.enable(keeping=False)  # the build consults what its helpers made, and keeps nothing
    elif "preview-cache" in _items:
        preview_cache.enable(keeping=True)


def _helping() -> bool:
    return "parallel-build" in _items


def on_config(config):
    if MEMORY.enabled:
        MEMORY.begin(fingerprint.site_digest(config))


@event_priority(AFTER_MATERIAL_BLOG)
def on_files(files, *, config):
    blog = config.plugins.get("material/blog")
    if "post-lookups" in _items and blog is not None and getattr(blog, "blog", None) is not None:
        blog.blog.posts = build_speed.PostList(blog.blog.posts)
    build_speed.LISTING_SOURCES.hand_over(files)


@event_priority(AFTER_EVERY_PLUGIN)
def on_nav(nav, *, config, files):
    global _nav
    if MEMORY.enabled:
        MEMORY.know_files(files)
    if _helping():
        _nav = nav
        parallel_build.start_markdown_helper(config, files)


@event_priority(AFTER_EVERY_PLUGIN)
def on_env(env, *, config, files):
    if MEMORY.enabled:
        MEMORY.know_build(config)
        env.template_class = preview_cache.template_class_with_memory(env.template_class)
        env.cache.clear()  # templates compiled before now would skip the memory
    if "template-dict" in _items:
        env.cache = {}  # what Jinja makes for cache_size=-1: every template kept, no lock, no reordering
    if "translations" in _items:
        build_speed.translate_once_per_label(env)
    if "partials-memo" in _items:
        partials_memo.install(env)  # after the translations: its key holds their module, the same all build
    if _helping():
        parallel_build.start_template_helper(config, files, _nav, env)  # last: from the environment as it is
    return env


@event_priority(AFTER_EVERY_WRITE)
def on_post_build(*, config):
    build_speed.forget_reused_parser()  # it holds the last page's files: the preview would keep a whole build
    if _helping():
        parallel_build.finish()
    elif MEMORY.keeping:
        removed = preview_output.OUTPUT.finish()
        log.info(f"{MEMORY.summary()}; {preview_output.OUTPUT.kept_files} files left as they were, {removed} removed")
        MEMORY.end()


def on_build_error(*, error):
    build_speed.forget_reused_parser()
    if _helping():
        MEMORY.await_helpers()  # no helper outlives a failed build, nor its file


@event_priority(LAST)
def on_shutdown():
    if "exit-freeze" in _items:
        gc.freeze()
