"""The README's cron line works as copied: run with an empty environment, as cron runs it, it sends what waits."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

from impart.intake.outbox import Outbox
from impart.intake.storage import ProposalStore
from impart.intake.webhook import verify
from tests.helpers.mail_and_webhook import SECRET, webhook_receiver
from tests.helpers.site import PROJECT
from tests.helpers.unit import INSTALLED, service_section

README = PROJECT / "README.md"
LOG_FOLDER = "/var/log/impart"


def cron_line(runs: str = "impart proposals notify") -> tuple[str, str]:
    """(account, command) of the README's one line for /etc/cron.d that runs `runs`."""
    blocks = re.findall(r"```cron\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]
    [line] = [line for line in lines if runs in line]
    fields = line.split(None, 6)
    return fields[5], fields[6]


def project_with_a_waiting_proposal(root: Path, hook_url: str) -> Path:
    """A project folder as on the server: mkdocs.yml with a webhook, .venv, and a proposal whose webhook waits."""
    project = root / "srv/impart"
    project.mkdir(parents=True)
    settings = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    commented = (
        "    # notify:                         # who hears of each proposal (README: Notifications); no secrets here"
    )
    assert commented in settings
    (project / "mkdocs.yml").write_text(settings.replace(commented, f"    notify:\n      webhook: {hook_url}"))
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent)
    store = ProposalStore(project / "proposals")
    store.prepare()
    outbox = Outbox(store, ("webhook",))
    outbox.prepare()
    store.outbox = outbox
    store.save({"name": "Waiting for cron"}, version=1, came_from="", fingerprint="fp-cron")
    return project


def test_the_cron_line_runs_as_the_units_account_with_the_units_secrets():
    account, command = cron_line()
    service = service_section()

    assert account == service["User"][0] == "impart"
    assert f". {service['EnvironmentFile'][0].lstrip('-')} " in command
    assert "%" not in command  # cron would turn it into a line break


def test_the_cron_line_as_copied_sends_what_waits_with_an_empty_environment(tmp_path):
    _, command = cron_line()
    secrets = tmp_path / "etc/impart/impart.env"
    secrets.parent.mkdir(parents=True)
    secrets.write_text(f"IMPART_WEBHOOK_SECRET={SECRET}\n")
    (tmp_path / "var/log/impart").mkdir(parents=True)
    with webhook_receiver() as hook:
        project = project_with_a_waiting_proposal(tmp_path, hook.url)
        # The server's absolute paths, moved under tmp_path: the only change to the line.
        moved = command.replace(INSTALLED, str(project)).replace("/etc/impart/", f"{secrets.parent}/")
        moved = moved.replace(LOG_FOLDER, str(tmp_path / "var/log/impart"))
        assert moved != command

        result = subprocess.run(["/bin/sh", "-c", moved], env={}, capture_output=True, text=True, timeout=60)

        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
        [delivery] = hook.accepted()
    assert verify(
        SECRET.encode(), delivery.headers["impart-signature"], delivery.headers["impart-delivery"], delivery.body
    )
    log = (tmp_path / "var/log/impart/notify.log").read_text(encoding="utf-8")
    assert "sent 1" in log


def test_the_backup_cron_line_as_copied_writes_a_dated_0600_archive_with_an_empty_environment(tmp_path):
    account, command = cron_line("impart proposals backup")
    assert account == service_section()["User"][0]
    assert "%" not in command
    (tmp_path / "var/log/impart").mkdir(parents=True)
    backups = tmp_path / "var/backups/impart"
    backups.mkdir(parents=True)
    project = project_with_a_waiting_proposal(tmp_path, "http://127.0.0.1:9/hooks/proposals")
    moved = command.replace(INSTALLED, str(project)).replace("/var/backups/impart", str(backups))
    moved = moved.replace(LOG_FOLDER, str(tmp_path / "var/log/impart"))
    assert moved.count(str(tmp_path)) == 3

    result = subprocess.run(["/bin/sh", "-c", moved], env={}, capture_output=True, text=True, timeout=60)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    [archive] = backups.iterdir()
    assert re.fullmatch(r"impart-proposals-\d{8}-\d{6}\.tar\.gz", archive.name)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    log = (tmp_path / "var/log/impart/backup.log").read_text(encoding="utf-8")
    assert log.startswith(f"{archive}: 1 proposal(s), 0 quarantined, notifications 1 pending;")
