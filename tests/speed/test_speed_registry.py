"""impart.speed.registry: the table names every target the layer replaces, and each exists as read."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

from impart.serve import hardened_server, preview_errors
from impart.speed import registry
from tests.helpers.site import run_env

INSTALLED = [p for p in registry.PATCHES if p.replace is not None or p.item in registry.SERVER_ITEMS]


@pytest.mark.parametrize("patch", INSTALLED, ids=[p.target for p in INSTALLED])
def test_every_module_attribute_in_the_table_exists_on_the_installed_release(patch):
    owner, attribute = patch.resolve()  # per-build rows (replace None) name a build's objects, not a module's
    assert hasattr(owner, attribute), patch.target


def test_every_row_is_switched_by_an_item_but_the_servers_and_names_releases_it_was_read_on():
    items = {patch.item for patch in registry.PATCHES}
    assert items - set(registry.ITEMS) == set(registry.SERVER_ITEMS)
    assert "excerpts" in registry.ITEMS and "preview-output" in registry.ITEMS
    assert all(registry.verified(patch.package) for patch in registry.PATCHES)


def test_the_servers_rows_name_the_waitress_release_the_server_checks_for():
    assert metadata.version("waitress") in registry.verified("waitress")
    assert hardened_server.unverified_waitress() is None


def test_the_previews_rows_name_the_mkdocs_releases_the_preview_checks_for():
    assert preview_errors.VERIFIED_MKDOCS == registry.VERIFIED["mkdocs"]
    assert preview_errors.unverified_mkdocs() is None


def test_an_unverified_mkdocs_leaves_the_preview_stock_and_says_so_in_one_line(monkeypatch):
    monkeypatch.setattr(preview_errors, "VERIFIED_MKDOCS", ("0.0.1",))
    said = []

    class Server:
        builder = staticmethod(lambda config=None: None)

    server = Server()
    assert preview_errors.install(server, type("Log", (), {"info": staticmethod(said.append)})) is None
    assert server.builder is Server.builder and len(said) == 1 and "\n" not in said[0]
    assert f"mkdocs {metadata.version('mkdocs')} is not a release" in said[0] and "VERIFIED_MKDOCS" in said[0]


def test_an_unverified_waitress_is_one_line_naming_the_release_and_what_to_run(monkeypatch):
    monkeypatch.setattr(hardened_server, "VERIFIED_WAITRESS", ("0.0.1",))
    line = hardened_server.unverified_waitress()
    assert line is not None and "\n" not in line
    assert f"waitress {metadata.version('waitress')} is not a release" in line
    assert "tests/serve/test_serve_slow_clients.py" in line and "VERIFIED_WAITRESS" in line


# Installs the table for a command in a fresh process (patches are process-wide) and prints which targets moved.
INSTALL_AND_REPORT = """
import json, sys
from impart.speed import registry
rows = {p.target: p for p in registry.PATCHES if p.replace is not None}
before = {target: getattr(*row.resolve()) for target, row in rows.items()}
items = registry.install(sys.argv[1], False)
moved = sorted(target for target, row in rows.items() if getattr(*row.resolve()) is not before[target])
print(json.dumps({"items": sorted(items), "moved": moved}))
"""


@pytest.mark.parametrize("command", ["build", "serve"])
def test_install_puts_in_place_exactly_the_rows_whose_item_applies(command):
    result = subprocess.run(
        [sys.executable, "-c", INSTALL_AND_REPORT, command], capture_output=True, text=True, env=run_env(), timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {p.target for p in registry.PATCHES if p.replace is not None and p.item in report["items"]}
    assert set(report["moved"]) == expected
    assert ("preview-output" in report["items"]) == (command == "serve")
    assert "parallel-build" not in report["items"] or command == "build"
