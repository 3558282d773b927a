"""The live preview lets go of each build's objects when it ends, and collects them between rebuilds
(impart.speed.preview_memory); `mkdocs build` is left as it is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from impart.speed import preview_memory
from tests.helpers.site import PROJECT, run_env

# One build of the real site with the calls `mkdocs serve` (or `mkdocs build`) makes, in a process of its own,
# then what is still alive once the idle collection has had its time.
BUILD_THEN_LOOK = """
import gc, json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from material.plugins.blog.structure import Post
from impart.speed import preview_cache, preview_memory

config = load_config(config_file=sys.argv[1], site_dir=sys.argv[2])
config.plugins.on_startup(command=sys.argv[3], dirty=False)
build(config)
plugins = config.plugins
del config
pending = preview_memory._pending
if pending is not None:
    pending.join(30)
frozen = gc.get_freeze_count()
gc.unfreeze()  # gc.get_objects() leaves out frozen objects: a post kept alive would be frozen with the rest
print(json.dumps({
    "collection_was_pending": pending is not None,
    "posts_alive": sum(isinstance(o, Post) for o in gc.get_objects()),
    "frozen": frozen,
    "blog_kept": plugins["material/blog"].blog is not None,
    "search_kept": plugins["material/search"].search_index is not None,
    "fingerprint_kept": preview_cache.MEMORY.fingerprint is not None,
}))
"""


def build_then_look(command: str, site: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", BUILD_THEN_LOOK, str(PROJECT / "mkdocs.yml"), str(site), command],
        capture_output=True, text=True, timeout=300, cwd=PROJECT, env=run_env(PYTHONPATH=str(PROJECT)),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_preview_build_lets_go_of_its_posts_and_they_are_collected_while_idle(tmp_path):
    seen = build_then_look("serve", tmp_path / "site")
    assert seen["collection_was_pending"]
    assert not seen["blog_kept"] and not seen["search_kept"] and not seen["fingerprint_kept"]
    assert seen["posts_alive"] == 0, "the finished build's blog posts are still reachable"
    assert seen["frozen"] > 0, "what survives the idle collection is frozen, for the next rebuild's collections to skip"


def test_mkdocs_build_keeps_its_plugins_state_and_collects_nothing_extra(tmp_path):
    seen = build_then_look("build", tmp_path / "site")
    assert not seen["collection_was_pending"]
    assert seen["blog_kept"] and seen["search_kept"]
    assert seen["posts_alive"] > 0
    assert seen["frozen"] == 0


def test_a_rebuild_starting_cancels_the_pending_collection():
    timer = preview_memory.collect_when_idle(delay=60)
    try:
        assert timer.is_alive()
        preview_memory.cancel_idle_collection()
        timer.join(5)
        assert not timer.is_alive() and preview_memory._pending is None
    finally:
        timer.cancel()


def test_a_second_build_ending_replaces_the_first_ones_pending_collection():
    first = preview_memory.collect_when_idle(delay=60)
    second = preview_memory.collect_when_idle(delay=60)
    try:
        first.join(5)
        assert not first.is_alive() and second.is_alive() and preview_memory._pending is second
    finally:
        preview_memory.cancel_idle_collection()
        second.join(5)
