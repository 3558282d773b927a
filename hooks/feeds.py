"""The feeds (RSS 2.0 and JSON Feed, written by mkdocs-rss-plugin) leave out indicative notes.

Events: on_config, which empties the plugin's list of collected items: the
plugin fills it in on_startup only, and `mkdocs serve` keeps plugin instances
from one rebuild to the next, so every save added each note to the feeds again.
on_post_build, before the feed plugin writes its files: drops the
items whose page is noindex (set by hooks/placeholders.py unless
`extra.placeholders.indexed` opts indicative pages in). The plugin has no
setting for this, so this reaches its list of collected items, `pages_to_filter`.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority


def on_config(config):
    feeds = config.plugins.get("rss")
    if feeds is not None:
        feeds.pages_to_filter = []


@event_priority(100)
def on_post_build(config):
    feeds = config.plugins.get("rss")
    if feeds is None:
        return
    feeds.pages_to_filter = [
        item for item in feeds.pages_to_filter if not (item._mkdocs_page_ref.meta or {}).get("noindex")
    ]
