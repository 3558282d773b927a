"""The outbox: each notification a proposal needs, sent after the answer, never lost and never sent twice.

- **Recorded in the same durable step as the proposal.** The proposal's own file
  lists its channels (`"notify": ["mail", "webhook"]`), so the fsync that stores it
  before the 303 also stores what it owes. A pending entry per (proposal, channel)
  under `.state/outbox/pending/` is the workers' index, made right after;
  `recover()` remakes any entry a crash lost from the proposals of the retry
  window, at every start and before `impart proposals notify`.
- **Claimed.** An entry is sent only by the one holding an exclusive flock on it,
  and only while it is still linked and has no `sent/` marker. Two workers or two
  processes never both send it; the kernel drops a killed worker's lock, so the
  entry is taken up again after `kill -9`.
- **Sent once.** The `sent/` marker is written before the entry goes (the folder
  is fsynced once a pass); an entry found with a marker is dropped unsent. The
  window left is a crash after the receiver accepted and before the marker is
  written (or a power cut before the pass's fsync): then it is sent again, with
  the same Message-ID or `Impart-Delivery`, so the receiver can tell.
- **Retried** after 1 min, 5 min, 30 min, 2 h, then every 6 h, for 3 days from
  the proposal; then moved to `failed/` with the last error, for the operator,
  whom `impart proposals notify --retry-failed` lets send it again, once.

tests/intake/test_outbox.py proves the claims and the schedule; tests/intake/test_notify_end_to_end.py
proves no loss and no duplicate through `kill -9` and two worker processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from impart.intake.storage import (
    REFERENCE,
    STATE,
    TEMP_PREFIX,
    ProposalStore,
    _abandoned,
    fsync_dir,
    received_at,
    replace_file,
)

log = logging.getLogger("impart.notify")

OUTBOX = "outbox"
BACKOFF = (60, 300, 1800, 7200, 21600)  # the last one repeats
RETRY_WINDOW = 3 * 86400


class Gone(Exception):
    """The proposal an entry is for no longer exists (purged): nothing to send."""


@dataclass(frozen=True)
class Entry:
    reference: str
    channel: str
    state: str  # pending, failed
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str = ""

    @property
    def name(self) -> str:
        return f"{self.reference}.{self.channel}"


@dataclass
class Delivered:
    sent: int = 0
    retried: int = 0  # failed this time, to be tried again
    failed: int = 0  # failed for good this time (past the retry window)
    dropped: int = 0  # already sent, or the proposal is gone


@dataclass(frozen=True)
class Counts:
    pending: int
    failed: int
    oldest_pending_seconds: int


def next_delay(attempts: int) -> int:
    """Seconds before the next try, after `attempts` failed ones."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _parse(name: str) -> tuple[str, str] | None:
    reference, _, channel = name.partition(".")
    if not REFERENCE.match(reference) or received_at(reference) is None or not channel.isalpha():
        return None
    return reference, channel


class Outbox:
    def __init__(self, store: ProposalStore, channels: Iterable[str] = (), *, clock: Callable[[], float] = time.time):
        self.store = store
        self.channels = tuple(channels)
        self.clock = clock
        base = store.root / STATE / OUTBOX
        self.pending_dir, self.sent_dir, self.failed_dir = base / "pending", base / "sent", base / "failed"
        self.on_enqueue: Callable[[], None] | None = None  # wakes the sending thread
        # When each entry this process saw waiting is next due, so that a pass over a long backlog (a mail
        # server down for hours) opens only what is due, not every entry each time a proposal arrives.
        self._not_before: dict[str, float] = {}

    def prepare(self) -> None:
        for folder in (self.pending_dir.parent, self.pending_dir, self.sent_dir, self.failed_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    # -- recording ------------------------------------------------------------

    def enqueue(self, reference: str, channels: Iterable[str] | None = None) -> None:
        """Index a stored proposal's notifications; cheap (no fsync): the proposal's file is the durable record."""
        for channel in self.channels if channels is None else channels:
            self._create_pending(f"{reference}.{channel}")
        if self.on_enqueue:
            self.on_enqueue()

    def _create_pending(self, name: str) -> bool:
        try:
            os.close(os.open(self.pending_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
            return True
        except FileExistsError:
            return False

    def recover(self) -> int:
        """Remake the entries a crash lost, for proposals received within the retry window; returns how many."""
        cutoff = self.clock() - RETRY_WINDOW
        remade = 0
        for folder in (self.pending_dir, self.failed_dir):  # a reschedule a crash cut short leaves its temp file
            for temp in folder.glob(f"{TEMP_PREFIX}*"):
                with contextlib.suppress(OSError):  # a minute old, and no writer holds its lock: a killed one's
                    if temp.stat().st_mtime < time.time() - 60 and _abandoned(temp):
                        temp.unlink()
        for reference in self.store.references():
            received = received_at(reference)
            if received is None:
                continue  # not a name the store wrote (a copied-in file): nothing was promised for it
            if received < cutoff:
                break  # newest first: the rest are older still
            try:
                owed = self.store.load(reference).get("notify") or []
            except (KeyError, OSError, ValueError, AttributeError):
                continue
            for channel in owed:
                name = f"{reference}.{channel}"
                if not isinstance(channel, str) or _parse(name) is None:
                    continue
                if any((folder / name).exists() for folder in (self.sent_dir, self.failed_dir)):
                    continue
                if self._create_pending(name):
                    remade += 1
                    log.info("notification %s recovered after a crash", name)
        return remade

    # -- sending --------------------------------------------------------------

    @contextlib.contextmanager
    def _claim(self, name: str) -> Iterator[Entry | None]:
        """The entry, locked for this sender; None when another holds it or it is already done."""
        try:
            fd = os.open(self.pending_dir / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            yield None
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            if os.fstat(fd).st_nlink == 0:  # rescheduled by another while this one waited (replaced: no link left)
                yield None
                return
            yield self._entry(name, os.read(fd, 4096), "pending")
        finally:
            os.close(fd)

    def _entry(self, name: str, data: bytes, state: str) -> Entry:
        reference, channel = _parse(name)
        try:
            saved = json.loads(data) if data else {}
        except ValueError:
            saved = {}
        return Entry(
            reference,
            channel,
            state,
            attempts=int(saved.get("attempts", 0)),
            next_attempt=float(saved.get("next_attempt", 0)),
            last_error=str(saved.get("last_error", "")),
        )

    def deliver(
        self, send: Callable[[str, str], None], *, force: bool = False, until: float | None = None
    ) -> Delivered:
        """Send every due entry (every pending one with `force`) through `send(reference, channel)`.

        `send` raises DeliveryError (or any Exception) to have the entry retried, Gone to drop it.
        Stops taking new entries at monotonic time `until`.
        """
        done = Delivered()
        names = sorted(os.listdir(self.pending_dir))
        known, self._not_before = self._not_before, {}
        for name in names:
            if until is not None and time.monotonic() > until:
                break
            if _parse(name) is None:
                continue
            if not force and known.get(name, 0) > self.clock():
                self._not_before[name] = known[name]
                continue
            with self._claim(name) as entry:
                if entry is not None and not force and entry.next_attempt > self.clock():
                    self._not_before[name] = entry.next_attempt
                    continue
                if entry is None:
                    continue
                if (self.sent_dir / name).exists():  # sent by another while this one waited, or before a crash
                    self._remove_pending(name)
                    done.dropped += 1
                    continue
                try:
                    send(entry.reference, entry.channel)
                except Gone:
                    self._remove_pending(name)
                    done.dropped += 1
                except Exception as error:  # noqa: BLE001 - any failure of one send is retried, never fatal
                    if self._attempt_failed(entry, str(error) or error.__class__.__name__):
                        done.failed += 1
                    else:
                        done.retried += 1
                        self._not_before[name] = self.clock() + next_delay(entry.attempts + 1)
                else:
                    self._mark_sent(entry)
                    done.sent += 1
        if done.sent:
            fsync_dir(self.sent_dir)
            fsync_dir(self.pending_dir)
        return done

    def _mark_sent(self, entry: Entry) -> None:
        # The claimed entry itself moves to sent/: one rename, so the entry is pending or sent, never both or
        # neither. Not fsynced one by one: a killed process's renames survive it (the kernel keeps them), and
        # the pass fsyncs the folders once at its end, so that only a power cut in the pass can resend one.
        os.rename(self.pending_dir / entry.name, self.sent_dir / entry.name)

    def _remove_pending(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.pending_dir / name)

    def _attempt_failed(self, entry: Entry, error: str) -> bool:
        """Reschedule the entry, or move it to failed/ past the retry window; True when it failed for good."""
        now = self.clock()
        attempts = entry.attempts + 1
        next_attempt = now + next_delay(attempts)
        record = {"attempts": attempts, "next_attempt": next_attempt, "last_error": error[:500], "last_attempt": now}
        if next_attempt > received_at(entry.reference) + RETRY_WINDOW:
            replace_file(self.failed_dir, entry.name, json.dumps(record).encode())
            self._remove_pending(entry.name)
            log.error("notification %s failed for good after %d attempts: %s", entry.name, attempts, error)
            return True
        # Replaced, not rewritten: a reader sees the old record or the new, never half of one.
        replace_file(self.pending_dir, entry.name, json.dumps(record).encode(), durable=False)
        log.warning(
            "notification %s failed (attempt %d), next in %ds: %s", entry.name, attempts, next_delay(attempts), error
        )
        return False

    # -- the operator's retry ----------------------------------------------------------

    def failed_names(self) -> list[str]:
        with contextlib.suppress(FileNotFoundError):
            return sorted(name for name in os.listdir(self.failed_dir) if _parse(name))
        return []

    def retry_failed(self, names: Iterable[str]) -> int:
        """Move failed entries back to pending, their attempts and last error kept; returns how many.

        Each goes by one rename, so it is failed or pending, never both, whatever crashes: a second retry run
        finds it gone and skips it, and whichever sender claims it (the forced pass of `impart proposals
        notify`, or a serving process once its next attempt is due) sends it once. Being past the retry
        window, one more failure sends it straight back to failed/. tests/cli/test_proposals_retry_failed.py
        proves it.
        """
        moved = 0
        for name in names:
            try:
                os.rename(self.failed_dir / name, self.pending_dir / name)
            except FileNotFoundError:
                continue  # another retry run took it first
            moved += 1
        if moved:
            fsync_dir(self.pending_dir)
            fsync_dir(self.failed_dir)
        return moved

    # -- the operator's view -------------------------------------------------------

    def entries(self) -> list[Entry]:
        """Pending and failed entries, oldest proposal first."""
        found = []
        for folder, state in ((self.pending_dir, "pending"), (self.failed_dir, "failed")):
            with contextlib.suppress(FileNotFoundError):
                for name in os.listdir(folder):
                    if _parse(name) is None:
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        found.append(self._entry(name, (folder / name).read_bytes(), state))
        return sorted(found, key=lambda entry: (entry.reference, entry.channel, entry.state))

    def counts(self) -> Counts:
        """For /healthz: names only, no file read."""
        pending, failed = [], 0
        with contextlib.suppress(FileNotFoundError):
            pending = [parsed[0] for parsed in map(_parse, os.listdir(self.pending_dir)) if parsed]
        with contextlib.suppress(FileNotFoundError):
            failed = sum(1 for name in os.listdir(self.failed_dir) if _parse(name))
        oldest = max(0, int(self.clock() - received_at(min(pending)))) if pending else 0
        return Counts(pending=len(pending), failed=failed, oldest_pending_seconds=oldest)

    def entry(self, reference: str, channel: str) -> Entry | None:
        """One pending or failed entry, reading only its own file; None when there is none."""
        name = f"{reference}.{channel}"
        if _parse(name) is None:
            return None
        for folder, state in ((self.pending_dir, "pending"), (self.failed_dir, "failed")):
            with contextlib.suppress(FileNotFoundError):
                return self._entry(name, (folder / name).read_bytes(), state)
        return None

    def was_sent(self, reference: str, channel: str) -> bool:
        return (self.sent_dir / f"{reference}.{channel}").exists()

    def forget(self, references: Iterable[str]) -> None:
        """Drop every record of purged proposals."""
        gone = set(references)
        for folder in (self.pending_dir, self.sent_dir, self.failed_dir):
            with contextlib.suppress(FileNotFoundError):
                for name in os.listdir(folder):
                    if name.partition(".")[0] in gone:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(folder / name)
