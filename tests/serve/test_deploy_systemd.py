"""deploy/impart.service: `systemd-analyze verify` finds nothing to say, and the sandbox is as the README says."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.nginx_stack import request, submit
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.unit import INSTALLED, UNIT, service_section


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


# -- what `systemd-analyze security` still lists, and the handler under the unit's settings ----------------------

# Each exposure left is one the handler or the sender needs; README's sandbox table gives the same reasons.
NEEDED = {
    "SystemCallFilter=~@resources": "setrlimit for --connection-limit; SCHED_IDLE and nice for the sender",
    "RestrictAddressFamilies=~AF_(INET|INET6)": "it listens for nginx and reaches the mail relay and the webhook",
    "RestrictAddressFamilies=~AF_UNIX": "the system's name lookups (nss) and the journal",
    "PrivateNetwork=": "the mail relay and the webhook are other hosts",
    "IPAddressDeny=": "the relay's and the webhook's addresses are the operator's to choose",
    "RootDirectory=/RootImage=": "the project and its .venv live in the host's tree",
    "DeviceAllow=": "ProtectClock's read of the clock device",
}


def test_systemd_analyze_security_lists_only_what_the_handler_needs():
    result = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", "--json=short", str(UNIT)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    exposed = {entry["name"] for entry in json.loads(result.stdout) if entry["exposure"]}

    assert exposed == set(NEEDED)


def stop_inside(sandbox) -> None:
    """Stops the server in the sandbox: `unshare --fork` does not pass on the SIGTERM it gets, and the server, the
    first process of its own namespace, is sent only signals it handles: Python's own SIGINT handler ends it.
    Stopping `unshare` alone would wait out the helper's 10 seconds before a kill."""
    (server,) = Path(f"/proc/{sandbox.pid}/task/{sandbox.pid}/children").read_text().split()
    os.kill(int(server), signal.SIGINT)
    sandbox.wait(timeout=10)


def sandboxed(command: list[str]) -> list[str]:
    """`command` under the unit's /proc, user-namespace and privilege settings, as far as they apply without
    systemd as init: a /proc mounted as ProtectProc= and ProcSubset= mount it, in its own mount (PrivateMounts),
    process and user namespace (PrivateUsers), with no capabilities (CapabilityBoundingSet=) and NoNewPrivileges."""
    service = service_section()
    assert service["PrivateUsers"] == service["PrivateMounts"] == service["NoNewPrivileges"] == ["yes"]
    assert service["CapabilityBoundingSet"] == [""]
    proc = f"hidepid={service['ProtectProc'][0]},subset={service['ProcSubset'][0]}"
    mount_then_run = f'mount -t proc -o {proc} proc /proc && exec "$@"'
    privileges = ["setpriv", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"]
    namespaces = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--user", "--map-root-user"]
    return [*namespaces, "sh", "-c", mount_then_run, "sh", *privileges, *command]


def test_the_handler_takes_a_proposal_under_the_units_settings(built_site, tmp_path):
    if shutil.which("unshare") is None or shutil.which("setpriv") is None:
        pytest.skip("unshare and setpriv (util-linux) are needed to apply the unit's settings")
    port = free_port()
    proposals = tmp_path / "proposals"
    probe = [sys.executable, "-c", "import json, os; print(json.dumps(os.listdir('/proc')))"]
    listing = subprocess.run(sandboxed(probe), capture_output=True, text=True, timeout=30)
    assert listing.returncode == 0, listing.stderr
    seen = json.loads(listing.stdout)
    assert all(name.isdigit() or name in ("self", "thread-self") for name in seen)  # ProcSubset=pid holds

    with running(
        sandboxed(serve_command(built_site.root, proposals, port)), port, log=tmp_path / "serve.log"
    ) as sandbox:
        status, _, body = request(port, "GET", "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        origin = f"http://127.0.0.1:{port}"
        status, headers, _ = submit(port, valid_submission(name="In the sandbox"), origin=origin)
        stop_inside(sandbox)

    assert status == 303
    reference = headers["location"].split("ref=")[1]
    record = json.loads((proposals / f"{reference}.json").read_text(encoding="utf-8"))
    assert record["fields"]["name"] == "In the sandbox"
