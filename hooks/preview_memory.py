"""The live preview lets go of each build's objects when it ends and collects them between rebuilds
(impart.speed.preview_memory: why, and what is let go).

Events: on_startup (`mkdocs serve` only, where impart.speed.fence allows), on_config (a rebuild starting cancels a
pending collection), on_post_build (last, once every plugin has written its files).
Reads nothing from front matter.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

from impart.speed import fence, preview_memory

_serving = False


def on_startup(command, dirty):
    global _serving
    _serving = command == "serve" and fence.on("preview-memory")


def on_config(config):
    if _serving:
        preview_memory.cancel_idle_collection()


@event_priority(-2000)  # after every plugin, hooks/preview_cache.py (-1000) included, has used what it kept
def on_post_build(*, config):
    if _serving:
        preview_memory.release_build(config.plugins)
        preview_memory.collect_when_idle()
