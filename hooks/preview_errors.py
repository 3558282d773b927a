"""The live preview survives a mistake: the last good build stays served, and every page shows what failed.

Events: on_startup (in the preview, a failed first build leaves the preview running), on_serve (wrap the
preview's builder and app). The logic: impart/serve/preview_errors.py. Reads no front matter. Listed after
hooks/intake_page.py, so the panel heads the proposal page its handler answers too.
"""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

from impart.serve import preview_errors

log = get_plugin_logger("impart")


def on_startup(command, dirty):
    if command == "serve":
        preview_errors.survive_first_build(log)


def on_serve(server, *, config, builder):
    preview_errors.install(server, log)
    return server
