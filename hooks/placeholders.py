"""Placeholder notices on indicative pages, and their promised arrival.

Events: on_config (the site-wide switch; warn once if it is overdue),
on_page_markdown (each page's notice; warn if it is overdue).
Reads: `placeholder` and a note's `date` from front matter; `extra.placeholders`
(`site_wide`, `indexed`, `label`) from mkdocs.yml. The build date is
`SOURCE_DATE_EPOCH` when set. An overdue promise is a warning, so a strict
build fails; a malformed one stops the build.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from impart.content.dates import build_date
from impart.content.placeholders import PlaceholderError, notice_for, overdue_message, placeholder_settings
from impart.settings import project_relative, settings_for

log = get_plugin_logger("impart")

# Read by on_config at the start of each build, for every page of that build.
_build: dict = {}


def on_config(config):
    try:
        settings, today = placeholder_settings(settings_for(config).extra), build_date()
    except (PlaceholderError, ValueError) as error:
        raise PluginError(f"mkdocs.yml: {error}") from None
    _build.update(settings=settings, today=today)
    if settings.site_wide and settings.site_wide.is_overdue(today):
        log.warning(f"mkdocs.yml: extra.placeholders.site_wide: {overdue_message(settings.site_wide, today)}")


def on_page_markdown(markdown, *, page, config, files):
    settings, today = _build["settings"], _build["today"]
    note = page.meta.get("impart_note")
    try:
        notice = notice_for(page.meta, settings, note.created if note else None)
    except PlaceholderError as error:
        raise PluginError(f"{_display_path(page, config)}: {error}") from None
    if notice is None:
        return None
    page.meta["placeholder_notice"] = notice
    page.meta["noindex"] = not settings.indexed
    if "placeholder" in page.meta and notice.is_overdue(today):
        log.warning(f"{_display_path(page, config)}: {overdue_message(notice, today)}")
    return None


def _display_path(page, config) -> str:
    return project_relative(page.file.abs_src_path or page.file.src_path, Path(config.config_file_path).parent)
