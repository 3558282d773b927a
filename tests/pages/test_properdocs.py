"""The site builds with ProperDocs (the maintained fork of MkDocs 1.6 that mkdocs-rss-plugin installs) into the same
pages as with MkDocs, the generator line aside; the speed layer, not verified on ProperDocs, stays off there."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import pytest

from tests.helpers.site import PROJECT, files_under, run_env

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def properdocs_build(config, site_dir) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "properdocs", "build", "--strict", "--config-file", str(config)]
    return subprocess.run([*command, "--site-dir", str(site_dir)], capture_output=True, text=True, env=run_env(),
                          timeout=300)  # fmt: skip


@pytest.mark.build
def test_properdocs_builds_every_page_as_mkdocs_does_with_the_speed_layer_off(tmp_path, built_site):
    result = properdocs_build(PROJECT / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    off = [line for line in result.stderr.splitlines() if "the speed layer is off" in line]
    assert len(off) == 1 and f"properdocs {metadata.version('properdocs')} is not a release" in off[0], result.stderr
    assert "Parallel build:" not in result.stderr

    by_mkdocs = {p.relative_to(built_site.root): p.read_bytes() for p in files_under(built_site.root)}
    by_properdocs = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in files_under(tmp_path / "site")}
    assert sorted(by_properdocs) == sorted(by_mkdocs)
    pages = [name for name in by_mkdocs if name.suffix == ".html"]
    assert len(pages) >= 20 and all(GENERATOR.search(by_mkdocs[name]) for name in pages)
    assert b"ProperDocs" in GENERATOR.search(by_properdocs[pages[0]]).group()  # it was ProperDocs that built it
    different = [
        str(name)
        for name in by_mkdocs
        if GENERATOR.sub(b"", by_mkdocs[name]) != GENERATOR.sub(b"", by_properdocs[name])
    ]
    assert different == []
