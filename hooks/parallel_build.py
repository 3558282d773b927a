"""A cold `mkdocs build` uses a second core: a forked helper makes half the pages' results
(impart.speed.parallel_build).

Events: on_startup (`mkdocs build` only, with two or more cores, not --dirty;
IMPART_PARALLEL_BUILD=0 or impart.speed.fence turns it off), on_nav and on_env (twice: the
templates compiled ahead are taken after hooks/preview_cache.py has set up the
memory, and the template helper starts last), on_post_build and
on_build_error. Reads nothing from front matter. MkDocs' write_file is
wrapped so that a page the template helper already wrote with the same bytes
is not written twice.
"""

from __future__ import annotations

from mkdocs import utils
from mkdocs.plugins import CombinedEvent, event_priority

from impart.speed import fence, parallel_build, preview_cache, template_precompile
from impart.speed.preview_cache import MEMORY

_nav = None  # this build's navigation, from on_nav to on_env


def _helping() -> bool:
    return MEMORY.enabled and not MEMORY.keeping  # a build, not the preview


def on_startup(command, dirty):
    if command == "build" and not dirty and fence.on("parallel-build") and parallel_build.available():
        preview_cache.enable(keeping=False)
        if not getattr(utils.write_file, "impart_parallel", False):
            utils.write_file = parallel_build.written_by_helper(utils.write_file)  # MkDocs' build calls it by module


@event_priority(-300)
def on_nav(nav, *, config, files):
    global _nav
    if _helping():
        _nav = nav
        parallel_build.start_markdown_helper(config, files)


@event_priority(-220)  # after the plugins' and hooks/preview_cache.py's (-200) changes to the environment,
# before hooks/build_speed.py (-250) loads templates
def _take_precompiled_templates(env, *, config, files):
    if _helping():
        parallel_build.PRECOMPILED["templates"] = template_precompile.take(env)
    return env


@event_priority(-300)  # last: the helper starts from the environment as every other hook left it
def _start_template_helper(env, *, config, files):
    if _helping():
        parallel_build.start_template_helper(config, files, _nav, env)
    return env


on_env = CombinedEvent(_take_precompiled_templates, _start_template_helper)


def on_post_build(*, config):
    if _helping():
        parallel_build.finish()


def on_build_error(*, error):
    if _helping():
        MEMORY.await_helpers()  # no helper outlives a failed build, nor its file
        template_precompile.discard()
