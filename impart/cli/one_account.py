"""One account writes the proposals: a command that would write there as another refuses, naming the right line.

The proposals folder belongs to the account that runs `impart serve`. A file
written there by another account (root through a bare `sudo`) is that
account's, 0600, and the server then fails on it with "Permission denied". So
every command that writes into the folder (serve, mark, purge, notify, restore,
and the inbox accounts file beside mkdocs.yml) first compares the account it runs
as with the folder's owner, and when they differ prints one line, the same
command run as the owner with `sudo -u`, and writes nothing.
tests/cli/test_one_account.py proves the refusal and that nothing is written.
"""

from __future__ import annotations

import os
import pwd
import shlex
import sys
from pathlib import Path


def current_uid() -> int:
    """The account the command acts as (the effective uid: what `sudo` sets). A function so tests can be
    another account than the folder's owner without being root."""
    return os.geteuid()


def owner_of(path: Path) -> int:
    """The owner of `path`, or of its nearest existing parent when it is not there yet (what a restore makes)."""
    path = Path(path).absolute()
    for candidate in (path, *path.parents):
        try:
            return candidate.stat().st_uid
        except FileNotFoundError:
            continue
    return current_uid()


def account_name(uid: int) -> str:
    """The login name of `uid`, or `#UID` (which sudo also takes) when the system has none for it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"#{uid}"


def command_line(argv: list[str] | None = None) -> str:
    """The command as it was run, quoted for a shell; `python -m impart` stays that."""
    argv = list(sys.argv if argv is None else argv)
    if not argv or argv[0].endswith(("__main__.py", "-c")) or not argv[0]:
        argv = [sys.executable, "-m", "impart", *argv[1:]]
    return shlex.join(argv)


def other_account(path: Path, argv: list[str] | None = None) -> str | None:
    """None when this command runs as the owner of `path`; else the one line to print instead of writing."""
    owner = owner_of(path)
    if owner == current_uid():
        return None
    return (
        f"{path}: belongs to {account_name(owner)}, and this command runs as {account_name(current_uid())}: "
        f"what it wrote would lock the server out; nothing was written; run it as the owner: "
        f"sudo -u {shlex.quote(account_name(owner))} {command_line(argv)}"
    )
