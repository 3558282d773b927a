"""Each page judged as a reader gets it: what its rendered HTML shows broken (impart.content.rendered_page).

Events: on_page_content (judge the page's body as its Markdown rendered, before any other hook adds to it),
on_env (stop the build when a page showed something broken, before any page is written). Reads: nothing from
front matter. The lines are the ones `impart check` prints (it renders the same pages: impart.content.check_render).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger

from impart.content.check_render import site_of
from impart.content.render_marks import may_show_broken
from impart.content.rendered_page import RenderedPage, judge
from impart.settings import project_relative

log = get_plugin_logger("impart")

# Filled during one build and emptied at its start (on_files); never carried into the next build.
_build: dict = {}


@event_priority(100)
def on_files(files, *, config):
    _build.clear()
    _build.update(errors=0, judged=set())


@event_priority(100)  # first: the body as the Markdown made it, before hooks add bylines and calls to action
def on_page_content(html, *, page, config, files):
    file = page.file
    if file.generated_by or file.src_uri in _build["judged"] or not may_show_broken(file.content_string):
        return None
    _build["judged"].add(file.src_uri)  # a listing's further pages render the same file again
    if "site" not in _build:
        _build["site"] = site_of(files, config)
    where = project_relative(file.abs_src_path, Path(config.config_file_path).parent)
    for problem in judge(RenderedPage(file.src_uri, where, page.url, file.content_string, html), _build["site"]):
        _build["errors"] += 1
        log.error(str(problem))
    return None


@event_priority(100)  # before the speed layer's on_env starts a helper that writes pages
def on_env(env, *, config, files):
    if _build.get("errors"):
        raise PluginError(
            f"{_build['errors']} error(s) in the rendered pages, each on a line above; fix them, or see them "
            "with impart check"
        )
    return None
