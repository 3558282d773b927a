"""Reading the proposals folder while the server changes it: what a backup holds, and in which order.

Files are read whole through descriptors that never follow a link, and only
regular files are taken. The outbox is read in the order its entries move
(`failed/`, `pending/`, `failed/` again, `ended/`, `damaged/`, `sent/`), each
pending entry under the exclusive flock a sender holds from claiming it to
moving it on; of an entry seen in two states the later one is kept.
impart.intake.backup says why that makes the archive consistent, and
tests/cli/test_proposals_backup.py proves each case.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from impart.intake.outbox import OUTBOX
from impart.intake.storage import STATE, TEMP_PREFIX

MAX_FILE = 64 * 1024 * 1024  # far past any file the handler writes; a bigger one is no record of ours
MAX_DEPTH = 8  # the handler's folders go 3 deep
CLAIM_SECONDS = 60.0  # the longest a backup waits for a sender to finish the one entry it is sending
# Of an entry seen in two states, the one it can only have reached later.
PRECEDENCE = ("sent", "ended", "pending", "failed")
# Of an entry seen in two states, the one it can only have reached later.
PRECEDENCE = ("sent", "ended", "pending", "failed")


class BackupError(OSError):
    """The backup could not be read or written; no archive was left behind."""


@dataclass
class Member:
    name: str  # relative to the proposals folder, with "/"
    data: bytes
    mtime: float


def is_skipped(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) or name.endswith(".lock") or (name.startswith(".") and name.endswith(".tmp"))


def open_no_link(path: Path) -> int | None:
    """A descriptor to read `path`, never through a link; None when it is gone or is a link (in the outbox the
    server sets a link aside, and the backup leaves it out)."""
    try:
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None
        raise


def read_file(path: Path, fd: int | None = None) -> bytes | None:
    """The bytes of a regular file, never through a link; None when it is gone or is not a regular file."""
    own = fd is None
    if own:
        fd = open_no_link(path)
        if fd is None:
            return None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            return None
        if status.st_size > MAX_FILE:
            raise BackupError(errno.EFBIG, f"{path}: {status.st_size} bytes, more than any record holds; move it out")
        chunks, left = [], MAX_FILE + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        if own:
            os.close(fd)


def walk(root: Path, relative: str, depth: int = 0, skip: tuple = ()) -> Iterator[tuple[str, Path]]:
    """(name, path) of every entry under root/relative but those named in `skip`, folders walked, links never
    followed, sorted."""
    folder = root / relative if relative else root
    if depth > MAX_DEPTH:
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name in skip:
            continue
        name = f"{relative}/{entry.name}" if relative else entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from walk(root, name, depth + 1)
        else:
            yield name, Path(entry.path)


def read_claimed(path: Path, wait: float) -> bytes | None:
    """A pending entry's bytes, read under the exclusive flock a sender holds while sending it; None when it
    moved on (sent, failed, ended) before it could be read. An entry still held after `wait` seconds is read
    as it stands: counted pending, it is at worst sent again with the same Message-ID, never lost."""
    for _ in range(5):  # a reschedule replaces the file: read the new one
        fd = open_no_link(path)
        if fd is None:
            return None
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.02)
            if os.fstat(fd).st_nlink == 0:
                continue  # moved on or replaced while it was sent: look again by its name
            return read_file(path, fd)
        finally:
            os.close(fd)  # closing releases the flock
    return read_file(path)


def outbox_members(root: Path, wait: float) -> list[Member]:
    base = f"{STATE}/{OUTBOX}"
    found: dict[str, dict[str, Member]] = {}  # entry name -> state -> member
    others: list[Member] = []

    def take(state: str) -> None:
        for name, path in walk(root, f"{base}/{state}"):
            leaf = name.rsplit("/", 1)[1]
            if is_skipped(leaf):
                continue
            data = read_claimed(path, wait) if state == "pending" else read_file(path)
            if data is None:
                continue
            member = Member(name, data, mtime(path))
            if state in PRECEDENCE and "/" not in name[len(base) + len(state) + 2 :]:
                found.setdefault(leaf, {})[state] = member
            else:
                others.append(member)

    for state in ("failed", "pending", "failed", "ended", "damaged", "sent"):
        take(state)
    for name, path in walk(root, base, skip=(*PRECEDENCE, "damaged")):
        if not is_skipped(name.rsplit("/", 1)[1]):
            data = read_file(path)
            if data is not None:
                others.append(Member(name, data, mtime(path)))
    kept = [states[next(s for s in PRECEDENCE if s in states)] for states in found.values()]
    return kept + others


def mtime(path: Path) -> float:
    with contextlib.suppress(OSError):
        return path.lstat().st_mtime
    return time.time()
