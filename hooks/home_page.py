"""The home page: the lead note, the next latest notes, the categories, the call to action.

Events: on_page_context (home page only). Reads: `extra.home.latest`
(how many notes, the lead included, default 4), `extra.home.cta_lead`, `extra.cta`,
`extra.intake` from mkdocs.yml. The choice of notes is impart.content.related_notes.front_page.
"""

from __future__ import annotations

from impart.content.call_to_action import home_call_to_action
from impart.content.related_notes import categories_in_order, front_page, refs_from_pages
from impart.settings import settings_for


def on_page_context(context, *, page, config, nav):
    if not page.is_homepage:
        return None
    extra = settings_for(config).extra
    count = extra.home.latest
    blog = config.plugins["material/blog"]
    lead, rest = front_page(refs_from_pages(blog.blog.posts), count)
    context["lead_note"] = lead.item if lead else None
    context["latest_notes"] = [n.item for n in rest]
    context["note_categories"] = categories_in_order(blog.blog.posts, blog.config.categories_allowed)
    context["call_to_action"] = home_call_to_action(extra)
    return context
