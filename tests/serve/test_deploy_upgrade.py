"""The README's upgrade steps, followed in a clone as far as a test can, short of systemd.

A clone of this repository stands for the server's /srv/impart, and a second clone for where new versions come from.
Each README line is run as written (without `sudo -u impart`), but for systemd's: copying the unit is checked to have
a unit to copy, and `systemctl restart impart` is a stop and start of the unit's `impart serve` command. The clone
runs the Python packages of this checkout's .venv (its own `.venv/bin` is a link to them), so `make publish` finds its
pins installed, as on a server whose requirements did not change. The site is published (`make publish`), so
the upgrade's publish switches the `site` link under the running server, which serves the new release unrestarted.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.helpers.servers import free_port, running
from tests.helpers.site import PROJECT, run_env
from tests.helpers.unit import INSTALLED, service_section

README = PROJECT / "README.md"
NOTE = "docs/field-notes/posts/data-foundations.md"
MARKER = "This paragraph arrived with the upgrade."


def upgrade_steps() -> list[str]:
    """The commands of the README's upgrade block, comments dropped."""
    section = README.read_text(encoding="utf-8").split("**Upgrading.**", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)[1]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def git(folder: Path, *arguments: str) -> str:
    command = ["git", "-C", str(folder), "-c", "user.name=Release", "-c", "user.email=release@impart.example"]
    result = subprocess.run([*command, *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def shell(folder: Path, line: str) -> None:
    result = subprocess.run(["/bin/sh", "-c", line], cwd=folder, env=run_env(), capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, f"{line}: {result.stdout}{result.stderr}"


def server_clone(tmp_path: Path) -> tuple[Path, Path]:
    """(upstream, server): two clones of this repository's HEAD, the server's pulling from the upstream one."""
    upstream, server = tmp_path / "upstream", tmp_path / "srv/impart"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{PROJECT}", str(upstream)], check=True, timeout=120)
    subprocess.run(["git", "clone", "-q", str(upstream), str(server)], check=True, timeout=120)
    venv = server / ".venv"
    venv.mkdir()
    (venv / "bin").symlink_to(Path(sys.executable).parent)
    (venv / ".installed").touch()  # after the clone's requirements: make sees its pins installed
    return upstream, server


def serve(server: Path, port: int) -> list[str]:
    """The unit's ExecStart, with /srv/impart moved to the clone and the port a free one."""
    command = shlex.split(service_section()["ExecStart"][0].replace(INSTALLED, str(server)))
    command[command.index("--port") + 1] = str(port)
    command[command.index("--workers") + 1] = "1"
    return command


def page(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/field-notes/data-foundations/", timeout=10) as answer:
        return answer.read().decode("utf-8")


def test_the_readme_upgrade_steps_bring_a_new_version_live(tmp_path):
    steps = upgrade_steps()
    upstream, server = server_clone(tmp_path)
    port = free_port()
    shell(server, "make publish")  # the version running before the upgrade, as the README's deployment does
    note = upstream / NOTE
    note.write_text(note.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
    git(upstream, "commit", "-qam", "A paragraph for the upgrade")

    with contextlib.ExitStack() as handler:
        handler.enter_context(running(serve(server, port), port, log=tmp_path / "serve.log"))
        assert MARKER not in page(port)
        for step in steps:
            line = step.removeprefix("sudo -u impart ")
            if line.startswith("sudo cp deploy/impart.service "):
                assert (server / "deploy/impart.service").is_file()  # systemd itself is not here
            elif line == "sudo systemctl restart impart":
                handler.close()
                handler.enter_context(running(serve(server, port), port, log=tmp_path / "serve.log"))
            elif line.startswith("curl "):
                shell(server, line.replace("127.0.0.1:8000", f"127.0.0.1:{port}"))
            else:
                assert line in ("git pull --ff-only", "make publish"), f"a README step the test does not know: {step}"
                shell(server, line)
                if line == "make publish":
                    assert MARKER in page(port)  # served by the running handler, before its restart
        assert MARKER in page(port)
    assert git(server, "log", "-1", "--format=%s").strip() == "A paragraph for the upgrade"
    assert os.path.islink(server / "site")
    releases = [p for p in (server / "releases").iterdir() if not p.name.startswith(".")]
    assert len(releases) == 2  # the release before the upgrade, kept for rollback
