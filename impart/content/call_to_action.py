"""The closing call to action: which lead and label a page shows, and where it leads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from impart.settings import CTA_LABEL, ExtraSettings, extra_settings

DEFAULT_LABEL = CTA_LABEL


@dataclass(frozen=True)
class ResolvedCallToAction:
    lead: str
    label: str
    intake: str  # the intake page, relative to the site's root
    came_from: str  # the site path of the page the reader is on, e.g. /field-notes/x/


def resolve_call_to_action(note_cta, extra: ExtraSettings | Mapping, page_url: str) -> ResolvedCallToAction | None:
    """The note's own call to action, the site's (`extra.cta`), or None when the note turns it off."""
    if note_cta is False:
        return None
    settings = extra_settings(extra)
    site = settings.cta
    if site.enabled is False and not note_cta:
        return None
    lead = note_cta.lead if note_cta else site.lead
    label = note_cta.label if note_cta else site.label
    intake = settings.intake.path
    return ResolvedCallToAction(lead=lead, label=label, intake=intake, came_from="/" + page_url.lstrip("/"))


def home_call_to_action(extra: ExtraSettings | Mapping) -> ResolvedCallToAction | None:
    """The site's call to action, with the home page's own lead (`extra.home.cta_lead`) when set."""
    settings = extra_settings(extra)
    cta = resolve_call_to_action(None, settings, "/")
    lead = settings.home.cta_lead
    if cta and lead:
        return ResolvedCallToAction(lead=lead, label=cta.label, intake=cta.intake, came_from=cta.came_from)
    return cta
