"""Durable storage of proposals: one JSON file each, never half-written, never twice.

Each proposal is written to a file with no name yet (O_TMPFILE, mode 0600),
fsynced, linked to its final name (which fails rather than overwrite), and the
folder is fsynced before the caller answers the prospect. Where the filesystem
has no O_TMPFILE, a dot-prefixed temp file (O_EXCL|O_NOFOLLOW, locked while
written) takes its place and is unlinked once linked. Names and references
come from the server's clock and randomness only.

A store with an outbox (notifier.py sets one) lists the channels a proposal is
owed in the proposal's own file, so the one fsync that stores it also records
its notifications, and indexes them in the outbox before the caller answers.

The same submission within the dedupe window gets the first one's reference:
a per-fingerprint lock file under `.state/dedupe/` serialises identical
submissions across threads and processes, and records the reference.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("impart.intake")

TEMP_PREFIX = ".tmp-"
QUARANTINE = "quarantine"
STATE = ".state"
REFERENCE = re.compile(r"^\d{8}-\d{6}-[A-HJ-NP-Z2-9]{6}\Z")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: references are read aloud
_NEW_FILE = os.O_WRONLY | os.O_CLOEXEC
_UNNAMED_UNSUPPORTED = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL)
DEDUPE_WINDOW = 600.0
# Seconds between prunings of old dedupe records, so .state/ cannot grow without bound: by time, not by
# count, since each pruning reads every record and a busy hour must not make every save pay for that.
PRUNE_INTERVAL = 60.0


class StorageError(OSError):
    """The proposal could not be stored; nothing half-written is left visible."""


class LinkedFolder(OSError):
    """A folder the handler keeps its own state in is a symbolic link: refused, never followed or chmod-ed,
    so a link planted in proposals/ cannot make the handler write, or tighten modes, somewhere else."""

    def __init__(self, folder: Path):
        super().__init__(
            errno.ELOOP, f"{folder}: is a symbolic link, not a folder; remove the link and the handler makes the folder"
        )
        self.folder = folder

    def __str__(self) -> str:
        return self.strerror


def own_folder(root: Path, *parts: str) -> Path:
    """Make root/parts… (each 0700) where missing and return it; LinkedFolder when any of the parts is a
    symbolic link. The root itself is the operator's choice and may be one."""
    folder = Path(root)
    for part in parts:
        folder = folder / part
        if folder.is_symlink():
            raise LinkedFolder(folder)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        if folder.is_symlink():  # planted between the look and the mkdir
            raise LinkedFolder(folder)
    return folder


@dataclass(frozen=True)
class Saved:
    reference: str
    duplicate: bool = False


def new_reference(now: float) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    # 32 letters: each random byte's low five bits pick one without bias, from one call for randomness.
    return f"{stamp}-{''.join(_ALPHABET[byte & 31] for byte in secrets.token_bytes(6))}"


def received_at(reference: str) -> float | None:
    """When a proposal was received (UTC seconds), from its reference; None for a name this store never wrote."""
    try:
        return dt.datetime.strptime(reference[:15], "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None  # e.g. month 13: the pattern admits it, no clock made it


def timestamp(now: float) -> str:
    """A time as the records write it: ISO 8601, UTC, to the second."""
    return dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(folder: Path, name: str, data: bytes, *, durable: bool = True) -> None:
    """Put `data` at `folder/name` in one step: written whole to a locked temp file (sweeps leave it alone),
    then renamed over the name, so a reader sees the old file or the new one. Durable (the file and the
    folder fsynced) unless told otherwise; a failure leaves no temp file behind."""
    temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _write_fully(fd, data)
        if durable:
            os.fsync(fd)
        os.replace(temp, folder / name)
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)  # only there when the rename did not happen
    if durable:
        fsync_dir(folder)


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _abandoned(temp: Path) -> bool:
    try:
        fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(path: str | Path) -> Iterator[int]:
    """An exclusive lock on `path` (created if missing), shared by threads and processes."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


class ProposalStore:
    def __init__(self, root: Path, *, dedupe_window: float = DEDUPE_WINDOW, clock: Callable[[], float] = time.time):
        self.root = Path(root)
        self.quarantine_dir = self.root / QUARANTINE
        self.dedupe_dir = self.root / STATE / "dedupe"
        self.dedupe_window = dedupe_window
        self.clock = clock
        self._next_prune = clock() + PRUNE_INTERVAL
        self.outbox = None  # set by impart.intake.notifier: what a new proposal owes, and where it is indexed
        # Files are written nameless (O_TMPFILE) where /proc lets them be linked, else as named temp files.
        self._unnamed_files = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")

    # -- start-up and health -------------------------------------------------

    def prepare(self) -> int:
        """Create the folders (0700) and sweep what a crash left; returns how many files were swept."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.chmod(0o700)  # the operator's own choice of folder, a link to it included
        for parts in ((QUARANTINE,), (STATE,), (STATE, "dedupe")):
            own_folder(self.root, *parts).chmod(0o700)  # also one that existed, e.g. the repository's
        return self.sweep()

    def sweep(self) -> int:
        """Remove temp files left by a crash, and dedupe records older than the window.

        A temp file still being written is locked by its writer (in this or another
        process) and left alone; a crashed writer's lock is released by the kernel.
        """
        swept = 0
        for folder in (self.root, self.quarantine_dir):
            for temp in folder.glob(f"{TEMP_PREFIX}*"):
                if _abandoned(temp):
                    with contextlib.suppress(FileNotFoundError):
                        temp.unlink()
                        swept += 1
        self.prune_dedupe_records()
        return swept

    def prune_dedupe_records(self) -> int:
        """Remove dedupe records older than the window; done at start and at most once a minute after."""
        cutoff, pruned = self.clock() - self.dedupe_window, 0
        with contextlib.suppress(FileNotFoundError), os.scandir(self.dedupe_dir) as records:
            for record in records:
                with contextlib.suppress(FileNotFoundError):
                    if record.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(record.path)
                        pruned += 1
        return pruned

    def writable(self) -> bool:
        """True when a small file can be written in the proposals folder right now (not only created:
        a full disk still lets an empty file be made)."""
        probe = self.root / f"{TEMP_PREFIX}health-{secrets.token_hex(4)}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            try:
                _write_fully(fd, b"{}" * 2048)
                os.fsync(fd)  # a full disk may accept the write into the cache and refuse it here
            finally:
                os.close(fd)
                probe.unlink()
            return True
        except OSError:
            return False

    # -- writing ----------------------------------------------------------------

    def _record(self, reference: str, now: float, values: dict, version: int, came_from: str, **extra) -> dict:
        return {
            "reference": reference,
            "received": timestamp(now),
            "form_version": version,
            "status": "new",
            "from": came_from,
            "consent": bool(values.get("consent", False)),
            **extra,
            "fields": values,
        }

    def _write_new(self, folder: Path, make_record: Callable[[str, float], dict]) -> str:
        """Write one new file durably; returns its reference. Raises StorageError, leaving nothing behind."""
        for _ in range(8):
            now = self.clock()
            reference = new_reference(now)
            # No indent: the C encoder is several times faster, and `impart proposals show` formats for people.
            data = json.dumps(make_record(reference, now), ensure_ascii=False).encode("utf-8") + b"\n"
            name = f"{reference}.json"
            try:
                # One descriptor for the folder: the file is made, named and made durable relative to it.
                folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
                try:
                    if not self._write_and_link(folder_fd, data, name):
                        continue  # the same reference drawn twice in one second: draw again
                    try:
                        os.fsync(folder_fd)
                    except OSError:
                        # Not durable, so not acknowledged: take it back, so that the
                        # prospect's retry is the only copy.
                        with contextlib.suppress(OSError):
                            os.unlink(name, dir_fd=folder_fd)
                        raise
                    return reference
                finally:
                    os.close(folder_fd)
            except OSError as error:
                raise StorageError(error.errno, f"could not store the proposal: {error.strerror}") from error
        raise StorageError(0, "could not draw a free reference")

    def _open_new_file(self, folder_fd: int) -> tuple[int, str | None]:
        """A new, empty file (mode 0600) in the folder, and its temp name: None for a file with no name yet
        (O_TMPFILE), which a crash leaves nowhere. Where the filesystem has no O_TMPFILE, a dot-prefixed
        temp file, which the caller locks while writing so that a sweep leaves it alone."""
        if self._unnamed_files:
            try:
                return os.open(".", os.O_TMPFILE | _NEW_FILE, 0o600, dir_fd=folder_fd), None
            except OSError as error:
                if error.errno not in _UNNAMED_UNSUPPORTED:
                    raise
                self._unnamed_files = False  # this filesystem has no O_TMPFILE: named temp files from now on
        temp = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        return os.open(temp, _NEW_FILE | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder_fd), temp

    def _write_and_link(self, folder_fd: int, data: bytes, name: str) -> bool:
        """Write and fsync a new file, then give it `name` (never overwriting); False if `name` exists."""
        fd, temp = self._open_new_file(folder_fd)
        try:
            if temp is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # held until the temp file is gone
            _write_fully(fd, data)
            os.fsync(fd)
            try:
                if temp is None:
                    # With a dir_fd, os.link is linkat(..., AT_SYMLINK_FOLLOW): the open file itself gets the name.
                    os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=folder_fd)
                else:
                    os.link(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd, follow_symlinks=False)
            except FileExistsError:
                return False
            return True
        finally:
            if temp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp, dir_fd=folder_fd)
            os.close(fd)

    def save(
        self,
        values: dict,
        *,
        version: int,
        came_from: str,
        fingerprint: str,
        admit: Callable[[], None] | None = None,
    ) -> Saved:
        """Store a valid proposal, or return the reference of the same one stored within the window.

        `admit` runs only when a new file is about to be written (a rate limit that a
        retried duplicate should not spend); whatever it raises propagates.
        """
        try:
            marker = os.path.join(self.dedupe_dir, fingerprint)
            with locked(marker) as fd:
                stored = os.read(fd, 200)
                previous = stored.decode("ascii", "replace").strip()
                if (
                    REFERENCE.match(previous)
                    and os.fstat(fd).st_mtime >= self.clock() - self.dedupe_window
                    and os.path.isfile(os.path.join(self.root, f"{previous}.json"))
                ):
                    return Saved(previous, duplicate=True)
                if admit:
                    try:
                        admit()
                    except BaseException:
                        if not previous:  # refused before anything was stored: leave no record behind
                            with contextlib.suppress(OSError):
                                os.unlink(marker)
                        raise
                owed = {"notify": list(self.outbox.channels)} if self.outbox and self.outbox.channels else {}
                reference = self._write_new(
                    self.root, lambda ref, now: self._record(ref, now, values, version, came_from, **owed)
                )
                if owed:
                    try:
                        self.outbox.enqueue(reference)
                    except OSError as error:
                        # Stored durably with its channels: the outbox's recovery remakes the index.
                        log.warning("proposal %s stored; its notifications wait for recovery: %s", reference, error)
                try:
                    if len(stored) > len(reference):  # references are all one length: usually nothing to cut
                        os.ftruncate(fd, 0)
                    os.pwrite(fd, reference.encode("ascii"), 0)
                except OSError as error:
                    # The proposal is stored durably: acknowledge it. Only a retry's dedupe is lost.
                    log.warning("proposal %s stored; its dedupe record was not: %s", reference, error.strerror)
            now = self.clock()
            if now >= self._next_prune:
                self._next_prune = now + PRUNE_INTERVAL
                with contextlib.suppress(OSError):  # housekeeping never fails a stored proposal
                    self.prune_dedupe_records()
            return Saved(reference)
        except StorageError:
            raise
        except OSError as error:
            raise StorageError(error.errno, f"could not store the proposal: {error.strerror}") from error

    def quarantine(self, values: dict, *, version: int, came_from: str, reason: str) -> str:
        """Store a suspect submission apart from real proposals, with the reason."""
        return self._write_new(
            self.quarantine_dir,
            lambda ref, now: self._record(ref, now, values, version, came_from, status="quarantined", reason=reason),
        )

    # -- reading, for the operator ---------------------------------------------

    def references(self, folder: Path | None = None) -> list[str]:
        folder = folder or self.root
        if not folder.is_dir():
            return []
        names = (p.name[: -len(".json")] for p in folder.glob("*.json"))
        return sorted((n for n in names if REFERENCE.match(n)), reverse=True)

    def load(self, reference: str, folder: Path | None = None) -> dict:
        if not REFERENCE.match(reference):
            raise KeyError(reference)
        path = (folder or self.root) / f"{reference}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyError(reference) from None

    def older_than(self, days: float, folder: Path | None = None) -> list[str]:
        """References received more than `days` ago, by the time in the reference."""
        cutoff = self.clock() - days * 86400
        old = []
        for reference in self.references(folder):
            received = received_at(reference)
            if received is None:
                continue  # not a name this store wrote: leave it for the operator
            if received < cutoff:
                old.append(reference)
        return old

    def purge(
        self, older_than_days: float, folder: Path | None = None, keep: Callable[[str], bool] | None = None
    ) -> list[str]:
        """Delete proposals received more than `older_than_days` ago, but those `keep(reference)` holds back;
        returns the references deleted."""
        folder = folder or self.root
        purged = []
        for reference in self.older_than(older_than_days, folder):
            if keep is not None and keep(reference):
                continue
            with contextlib.suppress(FileNotFoundError):
                (folder / f"{reference}.json").unlink()
                purged.append(reference)
        if purged:
            fsync_dir(folder)
        return purged
