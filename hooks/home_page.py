"""The home page: the latest field notes and the call to action.

Events: on_page_context (home page only). Reads: `extra.home.latest`
(how many notes, default 3), `extra.home.cta_lead`, `extra.cta`, `extra.intake` from mkdocs.yml.
"""

from __future__ import annotations

from impart.content.call_to_action import home_call_to_action


def on_page_context(context, *, page, config, nav):
    if not page.is_homepage:
        return None
    count = int((config.extra.get("home") or {}).get("latest", 3))
    context["latest_notes"] = config.plugins["material/blog"].blog.posts[:count]
    context["call_to_action"] = home_call_to_action(config.extra)
    return context
