"""A command that writes into proposals/ (or the inbox accounts file) as another account than its owner refuses:
one line with the same command under `sudo -u OWNER`, exit 2, nothing written."""

from __future__ import annotations

import getpass
import os
import pwd
import shlex
import subprocess
import sys

import pytest

from impart.cli import main, one_account
from impart.intake.outbox import Outbox
from impart.intake.storage import ProposalStore
from tests.helpers.proposals import snapshot
from tests.helpers.site import PROJECT, run_env
from tests.helpers.workflow import NOV, save

IMPART = "/srv/impart/.venv/bin/impart"  # argv[0] as the operator's shell gives it
CONFIG = str(PROJECT / "mkdocs.yml")


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"#{uid}"


@pytest.fixture
def folder(tmp_path):
    """A proposals folder with one proposal whose mail waits, and a failed webhook of another."""
    folder = tmp_path / "proposals"
    store = ProposalStore(folder, clock=lambda: NOV)
    store.prepare()
    Outbox(store).prepare()
    reference = save(folder, NOV)
    (folder / ".state/outbox/pending" / f"{reference}.mail").touch()
    (folder / ".state/outbox/failed" / f"{reference}.webhook").write_text('{"attempts": 9}')
    return folder


@pytest.fixture
def another_account(monkeypatch):
    """The command runs as an account that does not own the folder (the test cannot become root)."""
    other = os.geteuid() + 4242
    monkeypatch.setattr(one_account, "current_uid", lambda: other)
    return other


def _run_as_typed(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", [IMPART, *argv])
    try:
        code = main(list(argv))
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def _writing_commands(folder, tmp_path) -> list[list[str]]:
    reference = sorted(folder.glob("*.json"))[0].stem
    return [
        ["proposals", "mark", reference, "won", "--proposals", str(folder)],
        ["proposals", "purge", "--older-than", "1", "--proposals", str(folder)],
        ["proposals", "notify", "--proposals", str(folder)],
        ["proposals", "notify", "--retry-failed", "--proposals", str(folder)],
        ["proposals", "restore", str(tmp_path / "any.tar.gz"), "--replace", "--proposals", str(folder)],
        ["serve", "--proposals", str(folder), "--site", str(tmp_path / "site")],
    ]


@pytest.mark.parametrize("which", range(6), ids=["mark", "purge", "notify", "retry-failed", "restore", "serve"])
def test_a_writing_command_as_another_account_prints_the_sudo_line_and_writes_nothing(
    folder, tmp_path, capsys, monkeypatch, another_account, which
):
    argv = ["--config", CONFIG, *_writing_commands(folder, tmp_path)[which]]
    before = snapshot(folder)

    code, out, err = _run_as_typed(capsys, monkeypatch, *argv)

    owner = _name(os.geteuid())
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith(f"{folder}: belongs to {owner}, and this command runs as {_name(another_account)}")
    assert err.rstrip("\n").endswith(f"; run it as the owner: sudo -u {owner} {shlex.join([IMPART, *argv])}")
    assert snapshot(folder) == before


def test_the_same_commands_as_the_owner_are_not_refused(folder, tmp_path, capsys, monkeypatch):
    reference = sorted(folder.glob("*.json"))[0].stem
    code, _, err = _run_as_typed(
        capsys, monkeypatch, "--config", CONFIG, "proposals", "mark", reference, "won", "--proposals", str(folder)
    )
    assert (code, err) == (0, "")


def test_reading_commands_and_a_dry_run_purge_run_as_any_account(folder, capsys, monkeypatch, another_account):
    reference = sorted(folder.glob("*.json"))[0].stem
    before = snapshot(folder)
    for argv in (
        ["list"],
        ["show", reference],
        ["outbox"],
        ["report"],
        ["purge", "--older-than", "1", "--dry-run"],
    ):
        code, _, err = _run_as_typed(
            capsys, monkeypatch, "--config", CONFIG, "proposals", *argv, "--proposals", str(folder)
        )
        assert (code, err) == (0, ""), argv
    assert snapshot(folder) == before


def test_python_dash_m_impart_is_given_back_as_the_same_module_call(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/x/impart/__main__.py", "proposals", "mark", "R", "won"])
    assert one_account.command_line() == shlex.join([sys.executable, "-m", "impart", "proposals", "mark", "R", "won"])


def test_an_owner_with_no_login_name_is_named_as_sudo_takes_a_uid():
    assert one_account.account_name(2**31 - 7) == f"#{2**31 - 7}"


def test_the_inbox_accounts_file_of_another_account_is_refused_and_left_as_it_is(
    tmp_path, capsys, monkeypatch, another_account
):
    accounts = tmp_path / "private" / "inbox-accounts.json"
    accounts.parent.mkdir()
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "correct horse battery")

    argv = ["--config", CONFIG, "inbox", "add-user", "ada", "--accounts", str(accounts)]
    code, out, err = _run_as_typed(capsys, monkeypatch, *argv)

    assert (code, out) == (2, "")
    assert err.rstrip("\n").endswith(f"sudo -u {_name(os.geteuid())} {shlex.join([IMPART, *argv])}")
    assert not accounts.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another account")
def test_root_on_the_service_accounts_folder_is_refused_for_real(folder, tmp_path):
    """As the README's `sudo impart proposals mark …` did: root, a folder owned by the service's account."""
    service = 65534  # nobody: an account that is not root
    for path in (folder, *folder.rglob("*")):
        os.lchown(path, service, service)
    reference = sorted(folder.glob("*.json"))[0].stem
    before = snapshot(folder)
    argv = [sys.executable, "-m", "impart", "--config", CONFIG, "proposals", "mark", reference, "won"]
    argv += ["--proposals", str(folder)]

    result = subprocess.run(argv, env=run_env(), capture_output=True, text=True, timeout=60)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.rstrip("\n").endswith(f"sudo -u {_name(service)} {shlex.join(argv)}")
    assert snapshot(folder) == before
    assert {path.stat().st_uid for path in (folder, *folder.rglob("*"))} == {service}
