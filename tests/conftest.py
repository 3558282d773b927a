"""Fixtures for every test folder: the built site, Chromium, a served build, a handler (helpers: tests/helpers/)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers.form import LOCAL
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, BuiltSite, mkdocs_build


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """The real mkdocs.yml, built once with --strict into a temporary folder."""
    site_dir = tmp_path_factory.mktemp("site")
    result = mkdocs_build(PROJECT / "mkdocs.yml", site_dir)
    assert result.returncode == 0, result.stderr
    return BuiltSite(site_dir, result.stderr)


# -- the proposal form ----------------------------------------------------------------


# -- servers -------------------------------------------------------------------------


def pytest_collection_modifyitems(items):
    """Marks every test that takes the browser, so `make test-fast` leaves it out without each file saying so."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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
