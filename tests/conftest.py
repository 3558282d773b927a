"""Shared helpers: real builds of the real mkdocs.yml, and copies of the site to break."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

PROJECT = Path(__file__).resolve().parents[1]
SITE_PARTS = ("mkdocs.yml", "docs", "overrides", "hooks")


def epoch(day: str) -> str:
    """SOURCE_DATE_EPOCH for noon UTC of an ISO day."""
    return str(int(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()))


# Builds are dated, so placeholders' promises are judged on a fixed day, not on the day the suite runs.
BUILD_DAY = "2026-11-27"


def run_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["SOURCE_DATE_EPOCH"] = epoch(BUILD_DAY)
    env.update(extra)
    return env


def mkdocs_build(config: Path, site_dir: Path, *, strict: bool = True, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config), "--site-dir", str(site_dir)]
    if strict:
        command.append("--strict")
    return subprocess.run(command, capture_output=True, text=True, env=run_env(**env), timeout=300)


def impart(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "impart", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=run_env(**env), timeout=120)


def copy_site(destination: Path) -> Path:
    """A copy of the site's sources to change freely; returns its folder."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in SITE_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy2(source, destination / part)
    return destination


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


class BuiltSite:
    def __init__(self, root: Path, log: str):
        self.root = root
        self.log = log

    def path(self, url: str) -> Path:
        target = self.root / url.strip("/")
        return target / "index.html" if not url.endswith(".html") else target

    def html(self, url: str) -> BeautifulSoup:
        return BeautifulSoup(self.path(url).read_text(encoding="utf-8"), "html.parser")

    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    """The real mkdocs.yml, built once with --strict into a temporary folder."""
    site_dir = tmp_path_factory.mktemp("site")
    result = mkdocs_build(PROJECT / "mkdocs.yml", site_dir)
    assert result.returncode == 0, result.stderr
    return BuiltSite(site_dir, result.stderr)


# -- the proposal form ----------------------------------------------------------------

# The origin werkzeug's test client speaks from (Host: localhost), served by handlers made for tests.
LOCAL = ("http://localhost",)


def valid_submission(**changes: str) -> dict[str, str]:
    """A submission the real form in docs/request-a-proposal.md accepts; `changes` replace or add fields.

    Every field is filled (the optional role too, and use_case over two lines) but the empty honeypot `website`.
    """
    fields = {
        "name": "Ada Lovelace",
        "email": "a@example.com",
        "organisation": "Analytical Engines Ltd",
        "role": "Head of operations",
        "use_case": "Answer routine claims questions.\nThe claims team relies on it.",
        "operator": "Priya Shah, claims team lead",
        "cost_line": "Under £25,000",
        "success_measure": "Claims answered in 2 days instead of 5 by June",
        "rollback": "The team goes back to the shared inbox.",
        "timeline": "Within a month",
        "consent": "yes",
        "website": "",
        "from": "/field-notes/pilot-to-production/",
    }
    fields.update(changes)
    return fields


# -- servers -------------------------------------------------------------------------


def serve_command(site: Path, proposals: Path, port: int, *options: str, config: Path | None = None) -> list[str]:
    """`impart serve` of a built site on a loopback port, with any further options."""
    return [
        sys.executable, "-m", "impart", "--config", str(config or PROJECT / "mkdocs.yml"), "serve",
        "--site", str(site), "--proposals", str(proposals), "--port", str(port), *options,
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on 127.0.0.1:{port} within {seconds}s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running(command: list[str], port: int, cwd: Path | None = None, *, log: Path | None = None, seconds: float = 20):
    """A server process for the length of a test, always stopped afterwards.

    Its output goes to `log` (a temporary file when none is given); if nothing answers on `port` within `seconds`,
    the failure shows that output.
    """
    with log.open("w+b") if log is not None else tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=cwd, env=run_env(), stdout=output, stderr=subprocess.STDOUT)
        try:
            try:
                wait_for_port(port, process, seconds)
            except AssertionError as error:
                _stop(process)  # stopped first, so that reading the output does not race its writes
                output.seek(0)
                shown = output.read().decode("utf-8", errors="replace")
                raise AssertionError(f"{error}; the server wrote:\n{shown}") from None
            yield process
        finally:
            _stop(process)


# -- the browser: Chromium driven by Playwright --------------------------------------------------------

ARTIFACTS = PROJECT / "artifacts"
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
