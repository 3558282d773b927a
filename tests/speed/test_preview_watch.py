"""The live preview hears of a save through inotify on local filesystems, and keeps polling elsewhere."""

from __future__ import annotations

import time

import pytest
from mkdocs.livereload import LiveReloadServer

from impart.speed import preview_watch
from impart.speed.preview_watch import filesystem_of, reports_changes, watch_with_inotify

MOUNTS = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 27 0:40 / /home/editor/shared\\040notes rw,relatime - 9p drvfs rw
41 27 0:41 / /mnt/nfs rw,relatime - nfs4 server:/export rw
42 27 0:42 / /tmp rw,relatime - tmpfs tmpfs rw
"""


@pytest.fixture
def mountinfo(tmp_path):
    path = tmp_path / "mountinfo"
    path.write_text(MOUNTS, encoding="utf-8")
    return str(path)


def test_the_deepest_mount_point_names_the_filesystem(mountinfo):
    assert filesystem_of("/home/editor/site/docs", mountinfo) == "ext4"
    assert filesystem_of("/home/editor/shared notes/docs", mountinfo) == "9p"
    assert filesystem_of("/mnt/nfs/site", mountinfo) == "nfs4"
    assert filesystem_of("/tmp/site", mountinfo) == "tmpfs"
    assert filesystem_of("/tmpfoo/site", mountinfo) == "ext4", "a prefix of a name is not a parent folder"
    assert filesystem_of("/anything", str(mountinfo) + ".missing") is None


def test_only_local_filesystems_are_trusted_to_report_changes(mountinfo, monkeypatch):
    monkeypatch.setattr(preview_watch.sys, "platform", "linux")
    assert reports_changes(["/home/editor/site/docs", "/tmp/site/mkdocs.yml"], mountinfo)
    assert not reports_changes(["/home/editor/site/docs", "/mnt/nfs/site/mkdocs.yml"], mountinfo)
    assert not reports_changes(["/home/editor/shared notes/docs"], mountinfo)
    assert not reports_changes([], mountinfo)
    monkeypatch.setattr(preview_watch.sys, "platform", "darwin")
    assert not reports_changes(["/home/editor/site/docs"], mountinfo)


@pytest.fixture
def make_server():
    """MkDocs' live-reload server, watching as `mkdocs serve` does before on_serve; its socket closed after."""
    made = []

    def make(docs, config):
        server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(docs))
        made.append(server)
        server.watch(str(docs))
        server.watch(str(config))
        return server

    yield make
    for server in made:
        server.server_close()


def _wants_rebuild_within(server, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with server._rebuild_cond:
            if server._want_rebuild:
                return True
        time.sleep(0.02)
    return False


def test_a_save_is_heard_at_once_and_a_read_is_not(tmp_path, make_server):
    docs, config = tmp_path / "docs", tmp_path / "mkdocs.yml"
    docs.mkdir()
    note = docs / "note.md"
    note.write_text("# A note\n", encoding="utf-8")
    config.write_text("site_name: Test\n", encoding="utf-8")
    server = make_server(docs, config)
    if not reports_changes([str(docs)]):
        pytest.skip(f"{tmp_path} is on {filesystem_of(str(tmp_path))}, where the preview keeps polling")
    if not preview_watch._inotify_can_watch([str(docs)]):
        pytest.skip("inotify refuses more watches on this machine (its per-user limits), so the preview keeps polling")

    assert watch_with_inotify(server)
    assert type(server.observer).__name__ == "ChangesObserver"
    assert sorted(server._watched_paths) == sorted([str(docs), str(config)])
    server.observer.start()
    try:
        note.read_text(encoding="utf-8")  # what every build does to every note
        assert not _wants_rebuild_within(server, 0.5), "reading a note must not start a rebuild"
        began = time.monotonic()
        note.write_text("# A note\n\nSaved.\n", encoding="utf-8")
        assert _wants_rebuild_within(server, 2)
        assert time.monotonic() - began < 0.4, "heard well before the half-second poll would have"
    finally:
        server.observer.stop()
        server.observer.join(timeout=5)


def test_where_the_filesystem_may_not_report_changes_the_polling_stays(tmp_path, monkeypatch, make_server):
    docs, config = tmp_path / "docs", tmp_path / "mkdocs.yml"
    docs.mkdir()
    config.write_text("site_name: Test\n", encoding="utf-8")
    server = make_server(docs, config)
    polling = server.observer
    monkeypatch.setattr(preview_watch, "reports_changes", lambda paths: False)

    assert not watch_with_inotify(server)
    assert server.observer is polling
    assert sorted(server._watched_paths) == sorted([str(docs), str(config)])
