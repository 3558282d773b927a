"""The live preview survives every mistake: a real `mkdocs serve` keeps answering with its last good build, every
page shows the errors `impart check` prints until a save mends them, and the terminal counts them each time.

One server for the whole file: each test breaks notes, waits for the rebuild, reads the pages a person opens, and
mends what it broke.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.helpers.page_checks import axe_violations
from tests.helpers.servers import free_port, running
from tests.helpers.site import copy_site, impart, mkdocs_build, run_env

pytestmark = pytest.mark.build

POSTS = "docs/field-notes/posts"
# A page of each kind: the home page, a note, the listing, the proposal page (answered by the intake handler).
PAGES = ("/", "/field-notes/pilot-to-production/", "/field-notes/", "/request-a-proposal/")
COUNT = re.compile(r"(\d+) error\(s\): the preview shows")
PANEL = ".impart-preview-errors"


class Preview:
    def __init__(self, project: Path, port: int, log: Path):
        self.project, self.port, self.log = project, port, log

    def get(self, path: str) -> tuple[int, float, BeautifulSoup]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        started = time.monotonic()
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            body = answer.read()
        finally:
            connection.close()
        return answer.status, time.monotonic() - started, BeautifulSoup(body, "html.parser")

    def panel_lines(self, path: str = "/") -> list[str] | None:
        """The lines of the error panel on a page, None when it has none."""
        _, _, page = self.get(path)
        panel = page.select_one(PANEL)
        return None if panel is None else [" ".join(li.get_text().split()) for li in panel.select("li")]

    def wait_for_panel(self, shown: bool, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if (self.panel_lines() is not None) == shown:
                return
            time.sleep(0.2)
        raise AssertionError(f"the panel was {'never shown' if shown else 'still shown'} after {seconds}s")

    def counts(self) -> list[int]:
        """The counts printed in the terminal so far, one per failed rebuild."""
        return [int(found.group(1)) for found in COUNT.finditer(self.log.read_text(encoding="utf-8"))]

    def wait_for_counts(self, how_many: int, seconds: float = 60) -> list[int]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.counts()) < how_many:
            time.sleep(0.2)
        return self.counts()


@contextlib.contextmanager
def serving(root: Path, breaking=None):
    """`make serve`'s command on a copy of the site (broken first by `breaking`, given the project folder)."""
    project = copy_site(root / "project")
    if breaking is not None:
        breaking(project)
    port = free_port()
    command = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(project / "mkdocs.yml"),
               "--dev-addr", f"127.0.0.1:{port}"]  # fmt: skip
    log = root / "serve.log"
    with running(command, port, log=log, seconds=120) as process:
        yield Preview(project, port, log)
        process.send_signal(signal.SIGINT)  # as Ctrl-C: MkDocs removes its temporary site folder
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # running() stops it


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("preview")) as started:
        yield started


def _without_line(start: str):
    return lambda text: "".join(line for line in text.splitlines(keepends=True) if not line.startswith(start))


NEW_NOTE = """---
title: A note on who answers the pager
description: Who is woken when an AI system misbehaves at night, and what they need in front of them to act.
date: 2026-10-02
authors: [impart]
---

## The first call

Someone has to pick up the phone.
"""

MISTAKES = {
    "a YAML typo": ("running-costs.md", lambda text: text.replace("title: Put", 'title: "Put', 1)),
    "no authors": ("success-measures.md", _without_line("authors:")),
    "no description": ("rollback-paths.md", _without_line("description:")),
    "a broken link": ("data-foundations.md", lambda text: text + "\nSee [the budget](budget-notes.md).\n"),
    "a new note without categories": ("on-call.md", lambda text: NEW_NOTE),
}


@pytest.mark.parametrize("mistake", MISTAKES, ids=list(MISTAKES))
def test_every_page_answers_at_once_with_the_last_good_build_and_the_errors_check_prints(preview, mistake):
    name, breaking = MISTAKES[mistake]
    note = preview.project / POSTS / name
    before = note.read_text(encoding="utf-8") if note.exists() else ""
    printed = len(preview.counts())
    note.write_text(breaking(before), encoding="utf-8")
    try:
        # `impart check` runs while the preview rebuilds: the panel must list the very lines it prints.
        checking = subprocess.Popen([sys.executable, "-m", "impart", "check"], cwd=preview.project, env=run_env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        preview.wait_for_panel(shown=True)
        out, err = checking.communicate(timeout=120)
        expected = [line.removeprefix("error: ") for line in out.splitlines() if line.startswith("error: ")]
        assert checking.returncode == 1 and expected, out + err
        for path in PAGES:
            status, seconds, page = preview.get(path)
            assert status == 200 and seconds < 1, (path, status, seconds)
            panel = page.select_one(PANEL)
            assert panel is not None and panel.select_one('[role="alert"]') is not None, path
            assert [" ".join(li.get_text().split()) for li in panel.select("li")] == expected, path
            assert page.select_one("main") is not None  # the page itself, from the last good build, below it
        if name != "on-call.md":  # the broken note's own page is its last good version
            status, _, page = preview.get(f"/field-notes/{name.removesuffix('.md')}/")
            assert status == 200 and page.select_one("main h1") is not None
        assert preview.wait_for_counts(printed + 1)[printed:] == [len(expected)]
    finally:
        if before:
            note.write_text(before, encoding="utf-8")
        else:
            note.unlink()
    preview.wait_for_panel(shown=False)
    for path in PAGES:
        status, seconds, page = preview.get(path)
        assert status == 200 and seconds < 1 and page.select_one(PANEL) is None, path


def test_a_second_failure_with_the_same_count_is_counted_again(preview):
    """MkDocs' build logger drops a line it has printed before: the count is impart's own, printed each time."""
    note = preview.project / POSTS / "success-measures.md"
    before = note.read_text(encoding="utf-8")
    printed = len(preview.counts())
    try:
        for round_ in (1, 2):
            note.write_text(_without_line("authors:")(before) + "\n" * round_, encoding="utf-8")
            assert preview.wait_for_counts(printed + round_)[printed:] == [1] * round_
    finally:
        note.write_text(before, encoding="utf-8")
    preview.wait_for_panel(shown=False)


DRAFT = """---
title: A half-written note on queue budgets
date: 2026-11-10
draft: true
---

## Where it stands

Half written.
"""


def test_a_draft_may_lack_categories_authors_and_description_in_the_preview_not_in_the_build(preview, tmp_path):
    note = preview.project / POSTS / "queue-budgets.md"
    note.write_text(DRAFT, encoding="utf-8")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and preview.get("/field-notes/queue-budgets/")[0] != 200:
            time.sleep(0.2)
        status, seconds, page = preview.get("/field-notes/queue-budgets/")
        assert status == 200 and seconds < 1
        assert "A half-written note on queue budgets" in page.get_text() and page.select_one(PANEL) is None
        log = preview.log.read_text(encoding="utf-8")
        for key in ("authors", "description", "categories"):
            assert re.search(rf"WARNING.*queue-budgets\.md: '{key}' is missing.*a draft may leave it out", log), key

        checked = impart("check", cwd=preview.project)
        built = mkdocs_build(preview.project / "mkdocs.yml", tmp_path / "site")
        for key in ("authors", "description", "categories"):
            line = f"docs/field-notes/posts/queue-budgets.md: '{key}' is missing;"
            assert f"error: {line}" in checked.stdout
            assert re.search(rf"ERROR.*{re.escape(line)}", built.stderr), key
        assert checked.returncode == 1 and built.returncode != 0
        assert not (tmp_path / "site/index.html").exists()
    finally:
        note.unlink()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and preview.get("/field-notes/queue-budgets/")[0] != 404:
        time.sleep(0.2)
    assert preview.get("/field-notes/queue-budgets/")[0] == 404


def test_an_open_page_reloads_into_the_panel_read_as_an_alert_and_out_of_it_when_mended(preview, browser):
    note = preview.project / POSTS / "success-measures.md"
    before = note.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{preview.port}/field-notes/pilot-to-production/")
        assert page.locator(PANEL).count() == 0
        note.write_text(_without_line("authors:")(before), encoding="utf-8")
        alert = page.get_by_role("alert")
        alert.wait_for(state="visible", timeout=60_000)  # live reload brings the panel without a keystroke
        assert "success-measures.md: 'authors' is missing; write authors: [impart]" in alert.inner_text()
        box = alert.bounding_box()
        assert box is not None and box["y"] < 900 and box["height"] > 20  # on the first screen
        assert axe_violations(page) == []
        note.write_text(before, encoding="utf-8")
        page.locator(PANEL).wait_for(state="detached", timeout=60_000)
        assert page.locator("main h1").inner_text() == "From pilot to production without the stall"
    finally:
        note.write_text(before, encoding="utf-8")
        context.close()


def test_a_preview_started_on_a_broken_note_runs_shows_the_errors_and_builds_once_mended(tmp_path):
    def no_authors(project):
        note = project / POSTS / "success-measures.md"
        note.write_text(_without_line("authors:")(note.read_text(encoding="utf-8")), encoding="utf-8")

    with serving(tmp_path, no_authors) as preview:
        expected = ["docs/field-notes/posts/success-measures.md: 'authors' is missing; write authors: [impart]"]
        for path in PAGES:
            status, seconds, page = preview.get(path)
            # Nothing has built: no page to show, but the form the handler renders from its definition.
            assert status == (200 if path == "/request-a-proposal/" else 404) and seconds < 1, (path, status, seconds)
            assert [" ".join(li.get_text().split()) for li in page.select(f"{PANEL} li")] == expected, path
            assert "Nothing has built yet" in page.select_one('[role="alert"]').get_text()
            assert page.find("script", string=re.compile("livereload")) is not None  # it comes back by itself
        assert preview.counts() == [1]

        note = preview.project / POSTS / "success-measures.md"
        note.write_text(note.read_text(encoding="utf-8").replace("date:", "authors: [impart]\ndate:", 1))
        preview.wait_for_panel(shown=False)
        for path in PAGES:
            status, seconds, page = preview.get(path)
            assert status == 200 and seconds < 1 and page.select_one(PANEL) is None, path
