"""impart.speed.registry's fence: the speed layer applies only on verified versions and when not switched off.

An unverified release of a patched package, or IMPART_SPEED=0, must give a stock build: no patch in
place, no helper process, one INFO line naming the version. Checked in a real build, in a process of
its own (patches are process-wide), with the version table changed before MkDocs starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

from impart.speed import parallel_build, registry
from tests.helpers.site import copy_site, run_env

# Builds the site, then prints which of the layer's patches are in place, as JSON.
BUILD_AND_REPORT = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, format="%(levelname)s - %(message)s")
from impart.speed import registry
if sys.argv[1] == "unverified":
    registry.VERIFIED["mkdocs-material"] = ("0.0.1",)
from mkdocs import utils
from mkdocs.commands.build import build
from mkdocs.config import load_config
from impart.content import front_matter, readtime
from mkdocs.structure import pages
from material.plugins.blog import plugin, structure
config = load_config(sys.argv[2], site_dir=sys.argv[3], strict=True)
config.plugins.on_startup(command="build", dirty=False)
build(config)
config.plugins.on_shutdown()
print(json.dumps({
    "readtime_cache": readtime.count_words.__module__.startswith("impart.speed"),
    "front_matter_cache": front_matter.load_yaml.__module__.startswith("impart.speed"),
    "parser_reuse": type(pages.markdown).__module__.startswith("impart"),
    "excerpts": structure.Excerpt.render.__module__.startswith("impart"),
    "listing_sources": not callable(plugin.copy_file) or type(plugin.copy_file).__module__.startswith("impart"),
    "parallel_build": getattr(utils.write_file, "impart_parallel", False),
}))
"""


def build_and_report(tmp_path, mode: str, **env: str) -> tuple[dict, str]:
    project = copy_site(tmp_path / "project")
    result = subprocess.run(
        [sys.executable, "-c", BUILD_AND_REPORT, mode, str(project / "mkdocs.yml"), str(tmp_path / "site")],
        capture_output=True, text=True, env=run_env(**env), timeout=300, cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


@pytest.mark.build
@pytest.mark.parametrize(
    ("mode", "env", "applied"),
    [
        ("verified", {}, True),
        ("verified", {"IMPART_SPEED": "0"}, False),
        ("unverified", {}, False),
    ],
    ids=["verified", "switched-off", "unverified-material"],
)
def test_the_layer_applies_only_on_verified_versions_and_when_not_switched_off(tmp_path, mode, env, applied):
    patches, log = build_and_report(tmp_path, mode, **env)
    assert set(patches.values()) == {applied}, patches
    unverified_line = [line for line in log.splitlines() if "the speed layer is off" in line]
    if mode == "unverified":
        version = metadata.version("mkdocs-material")
        assert len(unverified_line) == 1, log
        assert f"mkdocs-material {version} is not a release it was verified on" in unverified_line[0]
        assert "INFO" in unverified_line[0]
    else:
        assert unverified_line == []
    assert ("Parallel build:" in log) == (applied and parallel_build.cores() >= 2)  # no helper when stock


def test_skipping_an_item_leaves_it_off_and_the_rest_on(monkeypatch):
    monkeypatch.setenv("IMPART_SPEED_SKIP", "libyaml, template-dict")
    registry.skipped.cache_clear()
    try:
        items = registry.wanted("build", False)
        assert "libyaml" not in items and "template-dict" not in items
        assert ("excerpts" in items) == registry.active()
        monkeypatch.setenv("IMPART_SPEED_SKIP", "parser-resue")
        registry.skipped.cache_clear()
        with pytest.raises(ValueError, match="unknown item 'parser-resue'; the items are excerpts"):
            registry.wanted("build", False)
    finally:
        registry.skipped.cache_clear()


def test_the_installed_versions_are_verified():
    # The pins in requirements.txt and the table move together: a pin the layer was not verified on
    # would quietly make every build stock.
    assert registry.unverified_versions() == []
