"""A backup of the proposals folder, taken while the server stores and sends: one .tar.gz, mode 0600.

No writer is stopped and no new lock is asked of them: the folder is read in an
order that each of its changes can only make safer, and each outbox entry is
read under the writers' own claim.

1. The proposals, then the quarantine and any other folder outside `.state/`.
   A proposal is written whole before its 303 and then only replaced whole, so
   every proposal acknowledged before the backup began is in it.
2. The outbox: `failed/`, then `pending/` (each entry under the same exclusive
   flock a sender holds from claiming it to moving it on, so an entry caught in
   the middle of its send is read once the send has been recorded), `failed/`
   again, `ended/`, `damaged/`, and `sent/` last. An entry moving on while the
   backup runs is therefore seen in its new state or in both: an entry that was
   sent before the backup began always has its `sent/` record in the archive.
3. The rest of `.state/`: whom the site acknowledged, the rate limits, the
   dedupe records.

Then the archive is made self-consistent: of an entry seen in two states the
later one wins (sent, then ended, then pending, then failed: a failed entry that
an operator's retry moved back to pending is pending), and a proposal whose
entry was not yet indexed when `pending/` was read gets an empty pending entry,
as the outbox's own recovery would. Restored, every notification owed is sent
once, and none that was sent before the backup began is sent again.
Lock files and temp files are left out; nothing of the folder is written.
tests/cli/test_proposals_backup.py proves each race on its own; tests/serve/test_backup_under_load.py proves
the whole under a real server and a real mail server.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import json
import os
import stat
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from impart.intake.outbox import OUTBOX, RETRY_WINDOW, _parse
from impart.intake.storage import QUARANTINE, STATE, TEMP_PREFIX, fsync_dir, received_at, timestamp

FORMAT = 1
MANIFEST = "impart-backup.json"  # the archive's last member: what it holds, each file's size and SHA-256
TOP = "proposals"  # every other member's name starts with this folder
LEFT_OUT = ("README.md",)  # the repository's own file, not the handler's
MAX_FILE = 64 * 1024 * 1024  # far past any file the handler writes; a bigger one is no record of ours
MAX_DEPTH = 8  # the handler's folders go 3 deep
CLAIM_SECONDS = 60.0  # the longest a backup waits for a sender to finish the one entry it is sending
# Of an entry seen in two states, the one it can only have reached later.
_PRECEDENCE = ("sent", "ended", "pending", "failed")


class BackupError(OSError):
    """The backup could not be read or written; no archive was left behind."""


@dataclass
class Summary:
    proposals: int = 0
    quarantined: int = 0
    outbox: dict = field(default_factory=dict)  # state -> how many entries
    files: int = 0
    left_out: list = field(default_factory=list)  # what is neither a file nor a folder (a link), by name


@dataclass
class _Member:
    name: str  # relative to the proposals folder, with "/"
    data: bytes
    mtime: float


def _is_skipped(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) or name.endswith(".lock") or (name.startswith(".") and name.endswith(".tmp"))


def _read_file(path: Path, fd: int | None = None) -> bytes | None:
    """The bytes of a regular file, never through a link; None when it is gone or is not a regular file."""
    own = fd is None
    if own:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                return None
            raise
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


def _walk(root: Path, relative: str, depth: int = 0, skip: tuple = ()) -> Iterator[tuple[str, Path]]:
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
            yield from _walk(root, name, depth + 1)
        else:
            yield name, Path(entry.path)


def _read_claimed(path: Path, wait: float) -> bytes | None:
    """A pending entry's bytes, read under the exclusive flock a sender holds while sending it; None when it
    moved on (sent, failed, ended) before it could be read. An entry still held after `wait` seconds is read
    as it stands: counted pending, it is at worst sent again with the same Message-ID, never lost."""
    for _ in range(5):  # a reschedule replaces the file: read the new one
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ELOOP:
                return None  # a link in the outbox: the server sets it aside, the backup leaves it out
            raise
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
            return _read_file(path, fd)
        finally:
            os.close(fd)  # closing releases the flock
    return _read_file(path)


def _outbox_members(root: Path, wait: float) -> list[_Member]:
    base = f"{STATE}/{OUTBOX}"
    found: dict[str, dict[str, _Member]] = {}  # entry name -> state -> member
    others: list[_Member] = []

    def take(state: str) -> None:
        for name, path in _walk(root, f"{base}/{state}"):
            leaf = name.rsplit("/", 1)[1]
            if _is_skipped(leaf):
                continue
            data = _read_claimed(path, wait) if state == "pending" else _read_file(path)
            if data is None:
                continue
            member = _Member(name, data, _mtime(path))
            if state in _PRECEDENCE and "/" not in name[len(base) + len(state) + 2 :]:
                found.setdefault(leaf, {})[state] = member
            else:
                others.append(member)

    for state in ("failed", "pending", "failed", "ended", "damaged", "sent"):
        take(state)
    for name, path in _walk(root, base, skip=(*_PRECEDENCE, "damaged")):
        if not _is_skipped(name.rsplit("/", 1)[1]):
            data = _read_file(path)
            if data is not None:
                others.append(_Member(name, data, _mtime(path)))
    kept = [states[next(s for s in _PRECEDENCE if s in states)] for states in found.values()]
    return kept + others


def _mtime(path: Path) -> float:
    with contextlib.suppress(OSError):
        return path.lstat().st_mtime
    return time.time()


def _owed(data: bytes) -> tuple[str, list[str]]:
    """(reference, channels owed) of a proposal file; empty when it is not one the store wrote."""
    try:
        record = json.loads(data)
    except (ValueError, RecursionError):
        return "", []
    if not isinstance(record, dict) or not isinstance(record.get("notify"), list):
        return "", []
    return str(record.get("reference", "")), [c for c in record["notify"] if isinstance(c, str)]


class _ArchiveWriter:
    """Members into a tar.gz, each file's size and SHA-256 noted for the manifest."""

    def __init__(self, fileobj, clock: Callable[[], float]):
        # gzip's own default level: tarfile's 9 takes about twice the time for a few per cent less (bench/backup.py).
        self.tar = tarfile.open(fileobj=fileobj, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6)
        self.files: dict[str, dict] = {}
        self.clock = clock

    def add(self, name: str, data: bytes, mtime: float, mode: int = 0o600) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(mtime), mode
        info.uid = info.gid = 0
        info.uname = info.gname = ""  # the owner is whoever restores it
        self.tar.addfile(info, io.BytesIO(data))
        if name != MANIFEST:
            self.files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def close(self, summary: Summary) -> None:
        manifest = {
            "format": FORMAT,
            "made": timestamp(self.clock()),
            "proposals": summary.proposals,
            "quarantined": summary.quarantined,
            "outbox": summary.outbox,
            "files": self.files,
        }
        self.add(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n", self.clock())
        self.tar.close()


def _snapshot(root: Path, writer: _ArchiveWriter, summary: Summary, wait: float, clock) -> None:
    owed: dict[str, list[str]] = {}

    def add(member: _Member) -> None:
        writer.add(f"{TOP}/{member.name}", member.data, member.mtime)
        summary.files += 1

    # 1. Proposals first (top-level files), then every folder outside .state/.
    for name, path in _walk(root, "", skip=(STATE,)):
        parts = name.split("/")
        if _is_skipped(parts[-1]) or name in LEFT_OUT:
            continue
        data = _read_file(path)
        if data is None:
            if path.is_symlink() or path.exists():
                summary.left_out.append(name)
            continue
        add(_Member(name, data, _mtime(path)))
        if len(parts) == 1 and name.endswith(".json"):
            summary.proposals += 1
            reference, channels = _owed(data)
            if reference == name[: -len(".json")]:
                owed[reference] = channels
        elif parts[0] == QUARANTINE and len(parts) == 2:
            summary.quarantined += 1
    # 2. The outbox, in the order its entries move.
    members = _outbox_members(root, wait)
    states = {}
    for member in members:
        parts = member.name.split("/")
        if len(parts) == 4 and parts[2] in _PRECEDENCE:  # a damaged entry's record is no state: it is remade
            states.setdefault(parts[3], set()).add(parts[2])
    # A proposal stored just before `pending/` was read and indexed just after: its entry, as recovery makes it.
    cutoff = clock() - RETRY_WINDOW
    for reference, channels in owed.items():
        received = received_at(reference)
        if received is None or received < cutoff:
            continue
        for channel in channels:
            entry = f"{reference}.{channel}"
            if _parse(entry) is not None and entry not in states:
                members.append(_Member(f"{STATE}/{OUTBOX}/pending/{entry}", b"", clock()))
                states[entry] = {"pending"}
    for member in members:
        add(member)
        parts = member.name.split("/")
        if len(parts) == 4:
            summary.outbox[parts[2]] = summary.outbox.get(parts[2], 0) + 1
    # 3. The rest of .state/.
    for name, path in _walk(root, STATE, skip=(OUTBOX,)):
        if _is_skipped(name.rsplit("/", 1)[1]):
            continue
        data = _read_file(path)
        if data is not None:
            add(_Member(name, data, _mtime(path)))


def write_backup(
    root: Path, archive: Path, *, replace: bool = False, clock: Callable[[], float] = time.time,
    claim_wait: float = CLAIM_SECONDS,
) -> Summary:  # fmt: skip
    """Write the backup of the proposals folder `root` to `archive` (0600), whole or not at all: it is
    written beside as a temp file, fsynced and then named. An existing `archive` is replaced only with
    `replace`, else FileExistsError. BackupError (an OSError) when a file cannot be read or written."""
    root, archive = Path(root), Path(archive)
    temp = archive.parent / f".{archive.name}.{os.getpid()}.partial"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    summary = Summary()
    try:
        with os.fdopen(fd, "wb", closefd=False) as out:
            writer = _ArchiveWriter(out, clock)
            _snapshot(root, writer, summary, claim_wait, clock)
            writer.close(summary)
        os.fsync(fd)
        if replace:
            os.replace(temp, archive)
        else:
            os.link(temp, archive)  # never over an archive already there
        fsync_dir(archive.parent)
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return summary
