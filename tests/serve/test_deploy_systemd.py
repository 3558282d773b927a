"""deploy/impart.service: `systemd-analyze verify` finds nothing to say, and the sandbox is as the README says."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.site import PROJECT

UNIT = PROJECT / "deploy" / "impart.service"
INSTALLED = "/srv/impart"


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        message = "systemd-analyze is missing (bash .ci/run installs systemd)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def verify(text: str, root: Path) -> subprocess.CompletedProcess:
    """`systemd-analyze verify` of the unit with /srv/impart moved under `root`, where its command exists."""
    (root / "srv/impart/.venv/bin").mkdir(parents=True, exist_ok=True)
    (root / "srv/impart/proposals").mkdir(exist_ok=True)
    command = root / "srv/impart/.venv/bin/impart"
    if not command.exists():
        command.symlink_to(Path(sys.executable).with_name("impart"))
    unit = root / "impart.service"
    unit.write_text(text.replace(INSTALLED, f"{root}/srv/impart"), encoding="utf-8")
    return subprocess.run([systemd_analyze(), "verify", str(unit)], capture_output=True, text=True, timeout=60)


def service_section() -> dict[str, list[str]]:
    """[Service] keys with every value given (a key may be repeated)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_systemd_analyze_verify_has_nothing_to_say(tmp_path):
    result = verify(UNIT.read_text(encoding="utf-8"), tmp_path)

    assert (result.returncode, result.stderr, result.stdout) == (0, "", "")


@pytest.mark.parametrize(
    ("old", "new"),
    [("ProtectSystem=strict", "ProtectSytem=strict"), ("PrivateTmp=yes", "PrivateTmp=perhaps")],
    ids=["misspelt-key", "bad-value"],
)
def test_the_check_catches_a_mistake(tmp_path, old, new):
    text = UNIT.read_text(encoding="utf-8")
    assert old in text

    result = verify(text.replace(old, new), tmp_path)

    assert result.stderr != ""


def test_the_sandbox_lets_it_write_the_proposals_folder_only():
    service = service_section()
    command = shlex.split(service["ExecStart"][0])
    proposals = command[command.index("--proposals") + 1]

    assert service["ProtectSystem"] == ["strict"]
    assert service["ReadWritePaths"] == [proposals] == [f"{INSTALLED}/proposals"]
    assert service["NoNewPrivileges"] == ["yes"] and service["PrivateTmp"] == ["yes"]
    assert command[command.index("--trusted-proxy") + 1] == "127.0.0.1"
    assert command[command.index("--host") + 1] == "127.0.0.1"
