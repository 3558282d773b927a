"""`impart inbox add-user / remove-user / list-users / set-password`: scrypt hashes in a 0600 file outside the
site, the password typed twice and never on the command line, and every refusal one line with nothing written."""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time

import pytest

from impart.cli import main
from impart.inbox.accounts import Accounts
from tests.helpers.proposals import snapshot
from tests.helpers.site import PROJECT

GOOD, OTHER = "correct horse battery", "staple paperclip 42"


@pytest.fixture
def typed(monkeypatch):
    """What the operator types at getpass's prompts, in order; an empty queue is end of input (Ctrl-D)."""
    answers: list[str] = []

    def prompt(text: str = "Password: ") -> str:
        if not answers:
            raise EOFError
        return answers.pop(0)

    monkeypatch.setattr(getpass, "getpass", prompt)
    return answers


@pytest.fixture
def accounts_file(tmp_path):
    return tmp_path / "private" / "inbox-accounts.json"


def inbox(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--config", str(PROJECT / "mkdocs.yml"), "inbox", *argv])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts_are_added_listed_repassworded_and_removed_as_0600_scrypt_hashes(capsys, typed, accounts_file):
    where = ("--accounts", str(accounts_file))
    typed += [GOOD, GOOD]
    code, out, _ = inbox(capsys, "add-user", "ada", *where)
    assert code == 0 and out == f"ada: account added to {accounts_file}\n"
    typed += [OTHER, OTHER]
    assert inbox(capsys, "add-user", "grace.h", *where)[0] == 0

    assert accounts_file.stat().st_mode & 0o777 == 0o600
    raw = accounts_file.read_text()
    assert GOOD not in raw and OTHER not in raw
    stored = json.loads(raw)["users"]
    assert sorted(stored) == ["ada", "grace.h"]
    assert all(entry["password"].startswith("scrypt$32768$8$1$") for entry in stored.values())
    assert stored["ada"]["password"] != stored["grace.h"]["password"]
    accounts = Accounts(accounts_file)
    assert accounts.verify("ada", GOOD) and not accounts.verify("ada", OTHER) and not accounts.verify("eve", GOOD)

    code, out, _ = inbox(capsys, "list-users", *where)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["ada", "grace.h"]

    typed += [OTHER, OTHER]
    assert inbox(capsys, "set-password", "ada", *where) == (0, "ada: password changed\n", "")
    assert accounts.verify("ada", OTHER) and not accounts.verify("ada", GOOD)
    assert accounts_file.stat().st_mode & 0o777 == 0o600

    assert inbox(capsys, "remove-user", "grace.h", *where) == (0, "grace.h: account removed\n", "")
    assert accounts.names() == ["ada"] and not accounts.verify("grace.h", OTHER)
    assert not list(accounts_file.parent.glob(".tmp-*"))


def test_an_entry_is_checked_at_the_cost_it_was_written_with_and_a_new_password_gets_the_real_one(
    capsys, typed, accounts_file
):
    Accounts(accounts_file, cost=2**10).add("ada", GOOD, now=time.time())  # as an older, cheaper entry
    stored = json.loads(accounts_file.read_text())["users"]["ada"]["password"]
    assert stored.startswith("scrypt$1024$8$1$")
    assert Accounts(accounts_file).verify("ada", GOOD) and not Accounts(accounts_file).verify("ada", OTHER)

    typed += [OTHER, OTHER]
    assert inbox(capsys, "set-password", "ada", "--accounts", str(accounts_file))[0] == 0
    stored = json.loads(accounts_file.read_text())["users"]["ada"]["password"]
    assert stored.startswith("scrypt$32768$8$1$")
    assert Accounts(accounts_file).verify("ada", OTHER) and not Accounts(accounts_file).verify("ada", GOOD)


REFUSED = [
    (("add-user", "Ada Lovelace"), [], "'Ada Lovelace' is not an account name; use 1 to 32 of a-z"),
    (("add-user", "../ada"), [], "'../ada' is not an account name"),
    (("add-user", "ada"), [GOOD, OTHER], "the two passwords differ; nothing was written, run the command again"),
    (("add-user", "ada"), ["short"], "the password is 5 characters; use at least 12; nothing was written"),
    (("add-user", "ada"), [], "no password typed; nothing was written"),
    (("add-user", "root"), [GOOD, GOOD], "root: there is an account with this name; set-password changes"),
    (("remove-user", "eve"), [], "eve: no such account in "),
    (("set-password", "eve"), [GOOD, GOOD], "eve: no such account in "),
    (("set-password", "root"), [GOOD, OTHER], "the two passwords differ; nothing was written"),
]


@pytest.mark.parametrize(("argv", "answers", "message"), REFUSED)
def test_a_refusal_is_one_line_exit_2_and_writes_nothing(capsys, typed, accounts_file, argv, answers, message):
    Accounts(accounts_file).add("root", GOOD, now=time.time())
    before = snapshot(accounts_file.parent)
    typed += answers
    code, out, err = inbox(capsys, *argv, "--accounts", str(accounts_file))
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert snapshot(accounts_file.parent) == before
    assert Accounts(accounts_file).verify("root", GOOD)


@pytest.mark.parametrize("inside", ["docs", "site"])
def test_an_accounts_file_inside_the_sources_or_the_built_site_is_refused(capsys, typed, inside):
    path = PROJECT / inside / "inbox-accounts.json"
    typed += [GOOD, GOOD]
    code, _, err = inbox(capsys, "add-user", "ada", "--accounts", str(path))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"--accounts {path}: inside the ") and "choose a file outside" in err
    assert not path.exists() and typed == [GOOD, GOOD]  # refused before the password was asked for


def test_a_password_is_never_taken_from_the_command_line(capsys, accounts_file):
    code, _, err = inbox(capsys, "add-user", "ada", "--password", GOOD, "--accounts", str(accounts_file))
    assert code == 2 and "unrecognized arguments: --password" in err
    assert not accounts_file.exists()


def _read_until(fd: int, wanted: bytes, seen: bytearray) -> None:
    deadline = time.monotonic() + 60
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                seen += os.read(fd, 1024)
            except OSError:  # the terminal closed: the command has ended
                return


def _terminal_is_stdin() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_a_real_add_user_reads_the_password_twice_from_the_terminal_without_echo(tmp_path):
    accounts_file = tmp_path / "inbox-accounts.json"
    main_fd, child_fd = pty.openpty()
    command = [sys.executable, "-m", "impart", "--config", str(PROJECT / "mkdocs.yml"), "inbox", "add-user", "ada"]
    process = subprocess.Popen(
        [*command, "--accounts", str(accounts_file)],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        start_new_session=True,  # the pty becomes the command's terminal, the /dev/tty getpass reads
        preexec_fn=_terminal_is_stdin,
    )
    os.close(child_fd)
    seen = bytearray()
    try:
        _read_until(main_fd, b"Password: ", seen)
        os.write(main_fd, GOOD.encode() + b"\n")
        _read_until(main_fd, b"Password again: ", seen)
        os.write(main_fd, GOOD.encode() + b"\n")
        _read_until(main_fd, b"account added", seen)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main_fd)
    assert GOOD.encode() not in seen  # not echoed
    assert Accounts(accounts_file).verify("ada", GOOD)


@pytest.mark.parametrize("content", [b"not json", b'{"users": []}', b"[]"])
def test_a_damaged_accounts_file_is_named_in_one_line_and_left_as_it_is(capsys, typed, accounts_file, content):
    accounts_file.parent.mkdir()
    accounts_file.write_bytes(content)
    before = snapshot(accounts_file.parent)
    typed += [GOOD, GOOD]
    code, _, err = inbox(capsys, "add-user", "ada", "--accounts", str(accounts_file))
    assert code == 2
    assert err == f"{accounts_file}: not an accounts file; restore it from a backup; nothing was written\n"
    assert snapshot(accounts_file.parent) == before
