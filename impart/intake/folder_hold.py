"""Who holds the proposals folder: every serving process shares it, a restore takes it alone.

A serving process (`impart serve`, each of its workers and its sending process,
and the WSGI entry point) keeps a shared flock on the folder itself for as long
as it runs; a restore asks for an exclusive one without waiting, so it is
refused while any server runs, and a server that starts during a restore is
refused in turn. The lock is on the folder's own inode, which a restore never
replaces (it swaps what is inside), and the kernel drops it when the last
process holding it ends, `kill -9` included. tests/cli/test_proposals_restore.py
proves both refusals.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path


class FolderBusy(OSError):
    """The folder is held by another: a server while restoring, a restore while starting to serve."""

    def __init__(self, line: str):
        super().__init__(errno.EBUSY, line)

    def __str__(self) -> str:
        return self.strerror


class FolderHold:
    """An open descriptor on the folder carrying a flock; released by close() or when the process ends."""

    def __init__(self, fd: int):
        self.fd = fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self):
        self.close()


def _hold(folder: Path, operation: int) -> FolderHold | None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return FolderHold(fd)


def hold_for_serving(folder: Path) -> FolderHold:
    """The serving process's shared hold, kept for its lifetime (made 0700 when the folder is missing);
    FolderBusy while a restore runs into it."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    hold = _hold(folder, fcntl.LOCK_SH)
    if hold is None:
        raise FolderBusy(f"{folder}: a restore is running into this folder; start the server once it has ended")
    return hold


def hold_alone(folder: Path) -> FolderHold | None:
    """The exclusive hold a restore needs, taken without waiting; None while a server holds the folder."""
    return _hold(Path(folder), fcntl.LOCK_EX)
