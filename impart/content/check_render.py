"""Pages rendered as the build renders them, for `impart check`, which judges the rendered page
(impart.content.rendered_page) without building the site.

MkDocs' own Page.render with the site's mkdocs.yml (its Markdown extensions and their settings, MkDocs' link
rewriting), but without plugins or hooks: the blog plugin's one effect on a note's body, its address
(`field-notes/<file name>/`), is given to each note's file here, so links and images resolve from the same
address as in the build. Made only when a page needs judging (most need not: rendered_page.may_show_broken), and
once per run. tests/cli/test_check_equals_build.py proves check and the build print the same lines.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from impart.content.rendered_page import RenderedPage, Site
from impart.settings import SiteSettings


class CheckRenderer:
    """Renders the pages of one site, its configuration read once."""

    def __init__(self, config_file: Path, settings: SiteSettings, drafts: Iterable[str] = ()) -> None:
        from mkdocs.config.defaults import MkDocsConfig
        from mkdocs.structure.files import File, Files, get_files
        from mkdocs.utils import yaml_load

        with open(config_file, "rb") as handle:
            raw = yaml_load(handle) or {}
        raw.pop("plugins", None)  # the blog's one effect on a body, the notes' addresses, is given below
        raw.pop("hooks", None)
        config = MkDocsConfig(config_file_path=str(config_file))
        config.load_dict(raw)
        failed, _ = config.validate()
        if failed:
            key, error = failed[0]
            raise ValueError(f"'{key}': {error}; fix it as the MkDocs documentation of '{key}' says")
        self.config = config
        posts = settings.posts_dir.relative_to(settings.docs_dir).as_posix() + "/"
        drafts = set(drafts)
        files = []
        for file in get_files(config):
            if file.src_uri in drafts:
                continue  # the build leaves drafts out: nothing may link to them
            if file.src_uri.startswith(posts) and file.is_documentation_page():
                dest = f"{settings.blog_dir}/{file.name}/index.html"
                file = File(file.src_uri, config.docs_dir, config.site_dir, config.use_directory_urls, dest_uri=dest)
            files.append(file)
        self.files = Files(files)
        self.site = site_of(self.files, config)

    def render(self, src_uri: str, where: str, text: str, body: str) -> RenderedPage | None:
        """The page's body as the build renders it; None for a page the build leaves out (a draft)."""
        from mkdocs.structure.pages import Page

        file = self.files.get_file_from_path(src_uri)
        if file is None:
            return None
        page = Page(None, file, self.config)
        page.markdown = body
        logger = logging.getLogger("mkdocs")
        level = logger.level
        logger.setLevel(logging.CRITICAL)  # MkDocs' own link warnings: check says its own lines
        try:
            page.render(self.config, self.files)
        finally:
            logger.setLevel(level)
        return RenderedPage(src_uri, where, file.url, text, page.content or "")


def config_value(config, dotted: str) -> str | None:
    """The text a `{{ config.a.b }}` placeholder names in the site's configuration, None when it names none."""
    value = config
    for part in dotted.split("."):
        try:
            value = value[part]
        except (KeyError, TypeError, IndexError):
            value = getattr(value, part, None)
        if value is None:
            return None
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def site_of(files, config) -> Site:
    """What a page is judged against: the files MkDocs takes from docs/ (the theme's left out: a note's media are
    its own), the site's address, its theme features."""
    docs_dir = os.path.join(os.path.abspath(config.docs_dir), "")
    files = [file for file in files if file.abs_src_path and file.abs_src_path.startswith(docs_dir)]
    by_src = {file.src_uri: file for file in files}
    return Site(
        site_files={file.dest_uri for file in files},
        docs_files=set(by_src),
        site_path=urlsplit(config.site_url or "/").path or "/",
        annotate="content.code.annotate" in (config.theme.get("features") or []),
        page_url=lambda src_uri: (
            by_src[src_uri].url if src_uri in by_src and by_src[src_uri].is_documentation_page() else None
        ),
        config_value=lambda dotted: config_value(config, dotted),
    )
