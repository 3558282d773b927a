"""The live preview keeps unchanged pages' work between rebuilds (impart.speed.preview_cache) and
leaves unchanged files in its output folder (impart.speed.preview_output).

Events: on_startup (`mkdocs serve` turns it on, where impart.speed.fence allows; hooks/parallel_build.py turns
the memory on for `mkdocs build`), on_config, on_nav and on_env (late, once the
other plugins are done), on_post_build. Reads nothing from front matter.
"""

from __future__ import annotations

from mkdocs.plugins import event_priority, get_plugin_logger

from impart.speed import fence, preview_cache, preview_output
from impart.speed.preview_cache import MEMORY

log = get_plugin_logger("impart")


def on_startup(command, dirty):
    if command == "serve" and not dirty and fence.on("preview-cache"):
        preview_cache.enable(keeping=True)
        if fence.on("preview-output"):
            preview_output.install()


def on_config(config):
    if MEMORY.enabled:
        MEMORY.begin(preview_cache.SiteInputs.of(config))


@event_priority(-200)
def on_nav(nav, *, config, files):
    if MEMORY.enabled:
        MEMORY.know_files(files)


@event_priority(-200)
def on_env(env, *, config, files):
    if MEMORY.enabled:
        MEMORY.know_build(config)
        env.template_class = preview_cache.template_class_with_memory(env.template_class)
        env.cache.clear()  # templates compiled before now would skip the memory
    return env


@event_priority(-1000)  # after every other plugin has written its files
def on_post_build(*, config):
    if MEMORY.keeping:
        removed = preview_output.OUTPUT.finish()
        log.info(f"{MEMORY.summary()}; {preview_output.OUTPUT.kept_files} files left as they were, {removed} removed")
        MEMORY.end()
