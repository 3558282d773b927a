"""Fixtures for every test folder: the built site, Chromium, a served build, a handler (helpers: tests/helpers/)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers.form import LOCAL
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, BuiltSite, mkdocs_build


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """The real mkdocs.yml, built once with --strict into a temporary folder: once for the whole run, when
    pytest-xdist's workers share it (the first to ask builds it, under a lock; the others read it)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build(tmp_path_factory.mktemp("site"))
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's own
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (shared / "site.log").exists():
            (shared / "site.log").write_text(_build(shared / "site").log, encoding="utf-8")
    return BuiltSite(shared / "site", (shared / "site.log").read_text(encoding="utf-8"))


def _build(site_dir: Path) -> BuiltSite:
    result = mkdocs_build(PROJECT / "mkdocs.yml", site_dir)
    assert result.returncode == 0, result.stderr
    return BuiltSite(site_dir, result.stderr)


# The markers of the slowest tests, slowest first: `make test` runs the files on two workers (pytest-xdist,
# `--dist loadfile --no-loadscope-reorder`), taking them in this order so that the run does not end on one long file.
SLOWEST_FIRST = ("thousand_notes", "load", "browser", "html_checker", "build")


def pytest_collection_modifyitems(items):
    """Marks every test that takes the browser, so `make test-fast` leaves it out without each file saying so;
    then puts the files with the slowest tests first, each file's tests still together and in order."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    rank: dict[str, int] = {}  # a file -> the place of its slowest marker in SLOWEST_FIRST
    for item in items:
        file = item.nodeid.split("::")[0]
        marks = [SLOWEST_FIRST.index(mark.name) for mark in item.iter_markers() if mark.name in SLOWEST_FIRST]
        rank[file] = min([rank.get(file, len(SLOWEST_FIRST)), *marks])
    items.sort(key=lambda item: rank[item.nodeid.split("::")[0]])  # stable: in order within a rank


# -- the browser: Chromium driven by Playwright --------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: keep Chromium from calling home at start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium(playwright) -> str | None:
    """Debian's chromium, another on PATH, IMPART_CHROMIUM, or Playwright's own build, whichever is present."""
    candidates = [os.environ.get("IMPART_CHROMIUM")]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    with contextlib.suppress(Exception):
        candidates.append(playwright.chromium.executable_path)
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        executable = find_chromium(playwright)
        if executable is None:
            message = "no Chromium found: install Debian's chromium (bash .ci/run does) or set IMPART_CHROMIUM"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def site_server(built_site, tmp_path_factory):
    """`impart serve` over the built site on a loopback port; yields (base URL, proposals folder)."""
    port = free_port()
    proposals = tmp_path_factory.mktemp("browser-proposals")
    with running(serve_command(built_site.root, proposals, port, "--rate-limit", "1000/60"), port):
        yield f"http://127.0.0.1:{port}", proposals


@pytest.fixture
def proposals(tmp_path):
    """Where a test's handler stores proposals."""
    return tmp_path / "proposals"


@pytest.fixture
def make_app(built_site, proposals):
    """Makes the handler over the built site, answering for LOCAL, with no rate limit unless given one;
    whatever it sends for notifications stops with the test."""
    from impart.intake.app import create_app  # werkzeug: loaded by the tests that use it

    made = []

    def make(**options):
        options.setdefault("rate_limit", None)
        app = create_app(PROJECT, origins=LOCAL, site_dir=built_site.root, proposals_dir=proposals, **options)
        made.append(app)
        return app

    yield make
    for app in made:
        if app.notifications is not None:
            app.notifications.close()  # its sending thread ends with the test
