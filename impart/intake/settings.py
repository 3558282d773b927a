"""Where the intake lives: its page, its endpoint, its thank-you page and its fallback address.

Read from mkdocs.yml (`site_url` and `extra.intake`), so the build and the
handler agree on every path; nothing here comes from a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from impart.settings import ExtraSettings, extra_settings


@dataclass(frozen=True)
class IntakeSettings:
    page_source: str  # the intake page under docs/, holding the form definition
    path: str  # the intake page's site path, where the handler takes POSTs
    thanks: str  # the thank-you page's site path
    action: str  # where the form posts: `path`, or a handler on another host
    contact: str  # the fallback address for anyone who cannot use the form
    base: str = "/"  # the site's own path (from site_url), where site/ begins

    def in_site(self, site_path: str) -> str:
        """A site path as a path inside the built site folder."""
        return site_path[len(self.base) :] if site_path.startswith(self.base) else site_path.lstrip("/")


def intake_page_source(extra: ExtraSettings | Mapping) -> str:
    """The intake page's Markdown file, relative to docs/: asked of every page, so pass the validated settings."""
    return extra_settings(extra).intake.page


def intake_settings(extra: ExtraSettings | Mapping, site_url: str | None) -> IntakeSettings:
    intake = extra_settings(extra).intake
    base = urlparse(site_url or "/").path.rstrip("/") + "/"
    path = base + intake.path.strip("/") + "/"
    return IntakeSettings(
        page_source=intake.page,
        path=path,
        thanks=path + "thanks/",
        action=intake.action or path,
        contact=intake.contact,
        base=base,
    )
