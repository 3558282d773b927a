"""The live preview starts rebuilding as soon as a file is saved (impart.speed.preview_watch).

Events: on_serve (before the server starts; where impart.speed.fence allows). Reads nothing from front matter.
"""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

from impart.speed import fence
from impart.speed.preview_watch import watch_with_inotify

log = get_plugin_logger("impart")


def on_serve(server, *, config, builder):
    if not fence.on("preview-watch"):
        return server
    if watch_with_inotify(server):
        log.info("the preview watches for saves through inotify, and rebuilds as soon as a file is saved")
    else:
        log.info("the preview looks for saves every half second (a filesystem inotify may not hear from)")
    return server
