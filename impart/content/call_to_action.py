"""The closing call to action: which lead and label a page shows, and where it leads."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LABEL = "Request a Proposal"


@dataclass(frozen=True)
class ResolvedCallToAction:
    lead: str
    label: str
    intake: str  # the intake page, relative to the site's root
    came_from: str  # the site path of the page the reader is on, e.g. /field-notes/x/


def resolve_call_to_action(note_cta, extra: dict, page_url: str) -> ResolvedCallToAction | None:
    """The note's own call to action, the site's (`extra.cta`), or None when the note turns it off."""
    if note_cta is False:
        return None
    site = extra.get("cta") or {}
    if site.get("enabled", True) is False and not note_cta:
        return None
    lead = note_cta.lead if note_cta else site.get("lead", "")
    label = note_cta.label if note_cta else site.get("label", DEFAULT_LABEL)
    intake = (extra.get("intake") or {}).get("path", "request-a-proposal/")
    return ResolvedCallToAction(lead=lead, label=label, intake=intake, came_from="/" + page_url.lstrip("/"))


def home_call_to_action(extra: dict) -> ResolvedCallToAction | None:
    """The site's call to action, with the home page's own lead (`extra.home.cta_lead`) when set."""
    cta = resolve_call_to_action(None, extra, "/")
    lead = (extra.get("home") or {}).get("cta_lead")
    if cta and lead:
        return ResolvedCallToAction(lead=lead, label=cta.label, intake=cta.intake, came_from=cta.came_from)
    return cta
