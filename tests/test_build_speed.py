"""hooks/build_speed.py changes how long a build takes, never what it writes: byte for byte the same site."""

from __future__ import annotations

import pytest

from .conftest import copy_site, files_under, mkdocs_build

HOOK_LINE = "  - hooks/build_speed.py"


@pytest.mark.build
def test_the_optimised_build_writes_the_same_files(tmp_path, built_site):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert HOOK_LINE in text
    config.write_text("\n".join(line for line in text.splitlines() if not line.startswith(HOOK_LINE)) + "\n")
    plain = tmp_path / "plain"
    result = mkdocs_build(config, plain)
    assert result.returncode == 0, result.stderr

    optimised = {p.relative_to(built_site.root): p.read_bytes() for p in files_under(built_site.root)}
    unoptimised = {p.relative_to(plain): p.read_bytes() for p in files_under(plain)}
    assert sorted(optimised) == sorted(unoptimised)
    different = [str(name) for name in optimised if optimised[name] != unoptimised[name]]
    assert different == []
