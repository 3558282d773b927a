"""The publication's frame on every page: masthead navigation, footer, linked bylines, category descriptions.

Events: on_config (the build's frame is let go), on_page_context (every page), on_template_context
(the 404 page). Reads:
`extra.categories` (title: description) from mkdocs.yml, and the blog plugin's categories,
archive and author views. The choice is impart.content.frame's; the HTML is
overrides/main.html and overrides/partials/frame-*.html.
"""

from __future__ import annotations

from material.plugins.blog.structure import Archive, Profile

from impart.content.frame import make_frame
from impart.content.related_notes import categories_in_order
from impart.settings import settings_for

_build: dict = {}  # this build's frame, made once at its first page: it walks every note


def on_config(config):
    _build.clear()


def on_page_context(context, *, page, config, nav):
    context["frame"] = _frame(config)
    return context


def on_template_context(context, *, template_name, config):
    context["frame"] = _frame(config)
    return context


def _frame(config):
    if "frame" not in _build:
        blog = config.plugins["material/blog"]
        views = blog.blog.views
        _build["frame"] = make_frame(
            categories_in_order(blog.blog.posts, blog.config.categories_allowed),
            [v for v in views if isinstance(v, Archive)],
            [v for v in views if isinstance(v, Profile)],
            settings_for(config).extra.categories,
        )
    return _build["frame"]
