"""`impart publish` and `impart rollback` under a real `impart serve`: a switch no reader sees, no failed build served.

A poller asks for every kind of page (home, note, list, category, archive, author, intake, feed, search
index, stylesheet, a missing page) while a publish runs; every answer must be the one that page always gets.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.nginx_stack import around_server_blocks, deploy_nginx_text, find_nginx
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import copy_site, impart, mkdocs_build

pytestmark = pytest.mark.build

NOTE = "docs/field-notes/posts/data-foundations.md"
MARKER = "This paragraph arrived with the new release."
PAGES = {
    "/": 200,
    "/field-notes/": 200,
    "/field-notes/data-foundations/": 200,
    "/field-notes/page/2/": 200,
    "/field-notes/category/operations/": 200,
    "/field-notes/archive/2026/": 200,
    "/field-notes/author/impart/": 200,
    "/request-a-proposal/": 200,
    "/feed_rss_created.xml": 200,
    "/search/search_index.json": 200,
    "/assets/stylesheets/impart.css": 200,
    "/no-such-page/": 404,
}
POLL_SECONDS = 120  # bounds the poller, whatever happens to the publish
POLL_COUNT = 20_000


def status_of(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def note_page(port: int) -> str:
    status, body = status_of(port, "/field-notes/data-foundations/")
    assert status == 200
    return body.decode("utf-8")


class Poller(threading.Thread):
    """Asks for every page kind in turn until stopped (or its count or time runs out); keeps every wrong answer."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.stop, self.count, self.wrong = port, threading.Event(), 0, []

    def run(self) -> None:
        deadline = time.monotonic() + POLL_SECONDS
        while not self.stop.is_set() and self.count < POLL_COUNT and time.monotonic() < deadline:
            for path, expected in PAGES.items():
                try:
                    status, body = status_of(self.port, path)
                except OSError as error:
                    status, body = repr(error), b""
                self.count += 1
                # A 404 must still be the site's own page, not a bare answer from a site that is missing.
                if status != expected or (expected == 404 and b"<html" not in body):
                    self.wrong.append((path, status))


def publish(project: Path, *extra: str):
    return impart("publish", *extra, cwd=project)


def releases_of(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "releases").iterdir() if not p.name.startswith("."))


def test_a_publish_while_pages_are_read_serves_no_error_then_the_new_release_and_rollback_returns(tmp_path):
    project = copy_site(tmp_path / "project")
    built = mkdocs_build(project / "mkdocs.yml", project / "site")  # today's way: a real folder, built in place
    assert built.returncode == 0, built.stderr
    note = project / NOTE
    note.write_text(note.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
    port = free_port()
    command = serve_command(project / "site", tmp_path / "proposals", port, config=project / "mkdocs.yml")

    with running(command, port, log=tmp_path / "serve.log"):
        assert MARKER not in note_page(port)
        poller = Poller(port)
        poller.start()
        time.sleep(0.5)  # polls before the publish too
        published = publish(project)
        time.sleep(0.5)
        poller.stop.set()
        poller.join(timeout=30)
        assert published.returncode == 0, published.stderr
        assert poller.count > len(PAGES) * 3, poller.count  # it polled all through the publish
        assert poller.wrong == []
        assert MARKER in note_page(port)

        # The first publish moved the folder built in place into releases/, so rollback reaches it.
        assert os.path.islink(project / "site")
        assert len(releases_of(project)) == 2
        rolled = impart("rollback", cwd=project)
        assert rolled.returncode == 0, rolled.stderr
        assert MARKER not in note_page(port)
        assert impart("rollback", cwd=project).returncode == 2  # nothing older: refused, still serving
        assert MARKER not in note_page(port)


def test_a_failing_build_leaves_the_old_site_serving_and_exits_1_with_checks_lines(tmp_path):
    project = copy_site(tmp_path / "project")
    assert publish(project).returncode == 0
    before = os.readlink(project / "site")
    note = project / NOTE
    note.write_text(note.read_text(encoding="utf-8").replace("date: 2026-02-25\n", "", 1), encoding="utf-8")
    port = free_port()
    command = serve_command(project / "site", tmp_path / "proposals", port, config=project / "mkdocs.yml")

    with running(command, port, log=tmp_path / "serve.log"):
        failed = publish(project)
        assert failed.returncode == 1
        assert "data-foundations.md" in failed.stdout  # check's own line, naming the file
        assert f"nothing published; {project / 'site'}" not in failed.stderr  # says the relative path it was given
        assert "nothing published; site still serves" in failed.stderr
        assert os.readlink(project / "site") == before
        assert releases_of(project) == [Path(before).name]  # no partial build left behind
        for path, expected in PAGES.items():
            assert status_of(port, path)[0] == expected, path


def test_publish_keeps_only_the_asked_number_of_earlier_releases(tmp_path):
    project = copy_site(tmp_path / "project")
    for _ in range(3):
        assert publish(project, "--keep", "1").returncode == 0
    names = releases_of(project)
    assert len(names) == 2  # the served one and one earlier
    assert os.readlink(project / "site") == f"releases/{names[-1]}"


def test_publish_over_a_file_and_rollback_without_releases_are_refused_and_write_nothing(tmp_path):
    project = copy_site(tmp_path / "project")
    (project / "site").write_text("not a site", encoding="utf-8")
    refused = publish(project)
    assert refused.returncode == 2
    assert refused.stderr == "site: a file, not the site's folder or link; move it away, then publish again\n"
    assert not (project / "releases").exists()
    assert (project / "site").read_text(encoding="utf-8") == "not a site"
    (project / "site").unlink()
    rolled = impart("rollback", cwd=project)
    assert rolled.returncode == 2
    assert rolled.stderr == "site: not a link to a release; publish with impart publish first\n"
    assert not (project / "site").exists()


def test_nginx_serves_the_new_release_after_a_publish_without_a_reload(tmp_path):
    project = copy_site(tmp_path / "project")
    assert publish(project).returncode == 0
    folder, port = tmp_path / "nginx", free_port()
    folder.mkdir()
    # The printed configuration's root is the link's path; static pages need no handler behind it.
    text = deploy_nginx_text("--site", str(project / "site"), "--listen", f"127.0.0.1:{port}",
                             "--upstream", f"127.0.0.1:{free_port()}")  # fmt: skip
    (folder / "impart.conf").write_text(text)
    (folder / "nginx.conf").write_text(around_server_blocks(folder, folder / "impart.conf"))
    command = [find_nginx(), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log"),
               "-g", "daemon off;"]  # fmt: skip
    note = project / NOTE
    note.write_text(note.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
    with running(command, port, log=folder / "nginx.out"):
        assert MARKER not in note_page(port)
        assert publish(project).returncode == 0
        assert MARKER in note_page(port)
        assert impart("rollback", cwd=project).returncode == 0
        assert MARKER not in note_page(port)


def test_a_publish_while_another_runs_is_refused_and_builds_nothing(tmp_path):
    import fcntl

    project = copy_site(tmp_path / "project")
    assert publish(project).returncode == 0
    before = (os.readlink(project / "site"), releases_of(project))
    with open(project / "releases/.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the other publish holds it
        refused = publish(project)
        rolled = impart("rollback", cwd=project)
    message = "releases: another impart publish or rollback is running; wait for it, then run this again\n"
    assert (refused.returncode, refused.stderr) == (2, message)
    assert (rolled.returncode, rolled.stderr) == (2, message)
    assert (os.readlink(project / "site"), releases_of(project)) == before


def test_a_wrong_keep_setting_is_refused_with_one_line_naming_the_key(tmp_path):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("\nextra:\n", "\nextra:\n  publish:\n    keep: three\n", 1),
        encoding="utf-8",
    )
    refused = publish(project)
    assert refused.returncode == 2
    assert refused.stderr == (
        "impart publish: mkdocs.yml: extra.publish.keep: 'three' is not a whole number; "
        "write how many earlier releases to keep for rollback, e.g. 3\n"
    )
    assert not (project / "releases").exists() and not (project / "site").exists()
