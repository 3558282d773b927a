"""The live preview's memory between rebuilds: each build's objects are let go when it ends, and collected while
the editor reads the page.

In `mkdocs serve` the plugins live from one build to the next, and some hold on
to what the last build made until the next build replaces it: Material's blog
its posts and views, search its index, the RSS plugin its list of pages (the
preview cache's fingerprint is let go by impart.speed.preview_cache itself). So during
a rebuild two builds' objects were alive at once, and Python's full garbage
collections, once or twice a rebuild, walked both and freed the old one: 0.3 to
0.5 s of a rebuild at 1,000 notes, and the peak memory of the preview.

When a preview build has ended, `release_build` drops those references; each is
made afresh by the next build before it is read. A second later, once the
browser has fetched the reloaded page, `collect_when_idle` frees the finished
build's objects and moves what is left (modules, templates, the preview's
caches) to the collector's permanent generation (gc.freeze), which its
collections during the next rebuild do not walk. A rebuild that starts within
that second cancels the collection; its own collections do the work, as before.
"""

from __future__ import annotations

import gc
import threading

# Seconds between the end of a build and the collection: long enough for the browser to fetch the page it reloads.
IDLE_DELAY = 1.0
# (plugin, attribute, what it holds between builds once let go): each is set afresh in the plugin's own
# on_config or on_files before it is read, so nothing reads the emptied value.
KEPT_BETWEEN_BUILDS = (
    ("material/blog", "blog", lambda: None),  # set in on_files
    ("material/search", "search_index", lambda: None),  # set in on_config
    ("rss", "pages_to_filter", list),  # emptied in on_config by hooks/feeds.py
)

_pending: threading.Timer | None = None
_lock = threading.Lock()


def release_build(plugins) -> None:
    """Let go of what the plugins keep from the build that has just ended."""
    for name, attribute, emptied in KEPT_BETWEEN_BUILDS:
        plugin = plugins.get(name)
        if plugin is not None and hasattr(plugin, attribute):
            setattr(plugin, attribute, emptied())


def collect_now() -> int:
    """Collect everything (the frozen objects too), then freeze what survives; returns how many were freed."""
    gc.unfreeze()
    freed = gc.collect()
    gc.freeze()
    return freed


def collect_when_idle(delay: float = IDLE_DELAY) -> threading.Timer:
    """Collect in `delay` seconds, unless a rebuild starts first (cancel_idle_collection)."""
    global _pending
    timer = threading.Timer(delay, collect_now)
    timer.daemon = True  # never holds up the end of `mkdocs serve`
    with _lock:
        if _pending is not None:
            _pending.cancel()
        _pending = timer
    timer.start()
    return timer


def cancel_idle_collection() -> None:
    global _pending
    with _lock:
        if _pending is not None:
            _pending.cancel()
            _pending = None
