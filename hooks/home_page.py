"""The home page: the lead note, the next latest notes, the categories, the call to action.

Events: on_page_context (home page only). Reads: `extra.home.latest`
(how many notes, the lead included, default 4; each category's section shows
its three latest), `extra.home.cta_lead`, `extra.cta`, `extra.intake` from mkdocs.yml.
The choice of notes is impart.content.related_notes (front_page, latest_in_each_category).
"""

from __future__ import annotations

from impart.content.call_to_action import home_call_to_action
from impart.content.related_notes import categories_in_order, front_page, latest_in_each_category, refs_from_pages
from impart.settings import settings_for


def on_page_context(context, *, page, config, nav):
    if not page.is_homepage:
        return None
    extra = settings_for(config).extra
    count = extra.home.latest
    blog = config.plugins["material/blog"]
    notes = refs_from_pages(blog.blog.posts)
    lead, rest = front_page(notes, count)
    context["lead_note"] = lead.item if lead else None
    context["latest_notes"] = [n.item for n in rest]
    context["note_categories"] = categories_in_order(blog.blog.posts, blog.config.categories_allowed)
    latest = latest_in_each_category(notes, 3)
    context["category_notes"] = {title: [n.item for n in chosen] for title, chosen in latest.items()}
    context["call_to_action"] = home_call_to_action(extra)
    return context
