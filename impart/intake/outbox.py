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
- **Ended** at once when the sender says it can never go (Ended: an acknowledgement the
  ledger skipped, or one the mail server refused permanently): moved to `ended/` with
  the reason, never retried, not pending for /healthz, not a failure for `notify`.

- **Damage is set aside, never fatal.** An entry that is not what this module
  writes (not a regular file, bigger than an entry can be, not a JSON object,
  a count that is no count, a time that is not finite) is moved to
  `.state/outbox/damaged/` by the pass that meets it, logged once, and named by
  `impart proposals outbox` and /healthz; the pass goes on with the others, and
  a fresh entry is made from the proposal's own file, unless it was sent.
  tests/intake/test_outbox_damage.py proves it over each damage.

tests/intake/test_outbox.py proves the claims and the schedule; tests/intake/test_notify_end_to_end.py
proves no loss and no duplicate through `kill -9` and two worker processes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import math
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from impart.intake.storage import (
    REFERENCE,
    STATE,
    TEMP_PREFIX,
    ProposalStore,
    _abandoned,
    fsync_dir,
    own_folder,
    received_at,
    replace_file,
)

log = logging.getLogger("impart.notify")

OUTBOX = "outbox"
BACKOFF = (60, 300, 1800, 7200, 21600)  # the last one repeats
RETRY_WINDOW = 3 * 86400
DAMAGED = "damaged"
ENTRY_BYTES = 4096  # an entry this module writes is under 1 KiB: its last error is cut to 500 characters
MAX_ATTEMPTS = 10_000  # far past what 3 days of retries can reach
REMEDY = "a fresh entry is made from the proposal's own file; delete the set-aside one once read"


class Gone(Exception):
    """The proposal an entry is for no longer exists (purged): nothing to send."""


class Ended(Exception):
    """This notification can never go (its message says why): recorded, and not tried again."""


@dataclass(frozen=True)
class Entry:
    reference: str
    channel: str
    state: str  # pending, failed, ended, damaged
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
    ended: int = 0  # can never go (see Ended): recorded, not retried, not a failure
    damaged: int = 0  # set aside in damaged/ this time


@dataclass(frozen=True)
class Counts:
    pending: int
    failed: int
    oldest_pending_seconds: int
    damaged: list = field(default_factory=list)  # names of entries set aside in damaged/

    def shown(self) -> dict:
        """As /healthz gives them: `damaged` only when there is any, so a healthy answer stays as it was."""
        shown = {"pending": self.pending, "failed": self.failed, "oldest_pending_seconds": self.oldest_pending_seconds}
        return {**shown, "damaged": self.damaged} if self.damaged else shown


class Damaged(ValueError):
    """An entry this module did not write as it stands; the message says what is wrong with it."""


def read_entry(path) -> bytes:
    """An entry's bytes, read without following a link and never more than an entry can hold; Damaged else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Damaged("a symbolic link, not an entry") from None
        raise
    try:
        return read_open_entry(fd)
    finally:
        os.close(fd)


def read_open_entry(fd: int) -> bytes:
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        raise Damaged("not a regular file")
    if status.st_size > ENTRY_BYTES:
        raise Damaged(f"{status.st_size} bytes, more than an entry holds ({ENTRY_BYTES})")
    return os.read(fd, ENTRY_BYTES + 1)


def parse_entry(data: bytes) -> tuple[int, float, str]:
    """(attempts, next_attempt, last_error) from an entry's bytes; Damaged when they are not what is written."""
    if not data:
        return 0, 0.0, ""  # a fresh entry: made empty, never yet tried
    try:
        saved = json.loads(data)
    except (ValueError, RecursionError):
        raise Damaged("not JSON") from None
    if not isinstance(saved, dict):
        raise Damaged(f"a JSON {type(saved).__name__}, not an object")
    attempts, next_attempt = saved.get("attempts", 0), saved.get("next_attempt", 0)
    last_error = saved.get("last_error", "")
    if type(attempts) is not int or not 0 <= attempts <= MAX_ATTEMPTS:
        raise Damaged(f"attempts is {_short(attempts)}, not a count from 0 to {MAX_ATTEMPTS}")
    if type(next_attempt) not in (int, float) or not math.isfinite(next_attempt):
        raise Damaged(f"next_attempt is {_short(next_attempt)}, not a time")
    if not isinstance(last_error, str):
        raise Damaged(f"last_error is {_short(last_error)}, not text")
    return attempts, float(next_attempt), last_error


def _short(value) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 20 else text[:19] + "…"


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
        self.ended_dir = base / "ended"
        self.damaged_dir = base / DAMAGED
        self.on_enqueue: Callable[[], None] | None = None  # wakes the sending thread
        # When each entry this process saw waiting is next due, so that a pass over a long backlog (a mail
        # server down for hours) opens only what is due, not every entry each time a proposal arrives.
        self._not_before: dict[str, float] = {}

    def prepare(self) -> None:
        for folder in ("pending", "sent", "failed", "ended", DAMAGED):
            own_folder(self.store.root, STATE, OUTBOX, folder)

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
                if any((folder / name).exists() for folder in (self.sent_dir, self.failed_dir, self.ended_dir)):
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
            fd = os.open(self.pending_dir / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            yield None
            return
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            yield Entry(*_parse(name), DAMAGED, last_error="a symbolic link, not an entry")
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
            try:
                data = read_open_entry(fd)
            except Damaged as damage:
                yield Entry(*_parse(name), DAMAGED, last_error=str(damage))
                return
            yield self._entry(name, data, "pending")
        finally:
            os.close(fd)

    def _entry(self, name: str, data: bytes, state: str) -> Entry:
        """The entry its bytes describe; one in state "damaged", the damage as its last error, when they do not."""
        reference, channel = _parse(name)
        try:
            attempts, next_attempt, last_error = parse_entry(data)
        except Damaged as damage:
            return Entry(reference, channel, DAMAGED, last_error=str(damage))
        return Entry(reference, channel, state, attempts=attempts, next_attempt=next_attempt, last_error=last_error)

    def _read(self, folder, name: str, state: str) -> Entry:
        try:
            return self._entry(name, read_entry(folder / name), state)
        except Damaged as damage:
            return Entry(*_parse(name), DAMAGED, last_error=str(damage))

    def _set_aside(self, entry: Entry) -> None:
        """Move a damaged pending entry to damaged/ (the link itself, for a link), so no pass reads it again,
        and say so once: the one process whose rename succeeds logs it."""
        try:
            os.rename(self.pending_dir / entry.name, self.damaged_dir / entry.name)
        except FileNotFoundError:
            return  # another sender set it aside first
        log.error("notification %s: outbox entry damaged (%s), set aside in %s; %s",
                  entry.name, entry.last_error, self.damaged_dir, REMEDY)  # fmt: skip
        # What the proposal owes is in its own file: a fresh entry from it is sent by the next pass, unless sent.
        try:
            owed = self.store.load(entry.reference).get("notify") or []
        except (KeyError, OSError, ValueError, AttributeError):
            return
        if entry.channel in owed and not (self.sent_dir / entry.name).exists():
            self._create_pending(entry.name)

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
                if entry.state == DAMAGED:
                    self._set_aside(entry)
                    done.damaged += 1
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
                except Ended as error:
                    self._end(entry, str(error))
                    done.ended += 1
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

    def _end(self, entry: Entry, reason: str) -> None:
        record = {"attempts": entry.attempts + 1, "last_error": reason[:500], "last_attempt": self.clock()}
        replace_file(self.ended_dir, entry.name, json.dumps(record).encode(), durable=False)
        self._remove_pending(entry.name)
        log.info("notification %s ended, not to be retried: %s", entry.name, reason)

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
        """Pending, failed and ended entries, oldest proposal first."""
        found = []
        for folder, state in (
            (self.pending_dir, "pending"),
            (self.failed_dir, "failed"),
            (self.ended_dir, "ended"),
            (self.damaged_dir, DAMAGED),
        ):
            with contextlib.suppress(FileNotFoundError):
                for name in os.listdir(folder):
                    if _parse(name) is None:
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        found.append(self._read(folder, name, state))
        return sorted(found, key=lambda entry: (entry.reference, entry.channel, entry.state))

    def counts(self) -> Counts:
        """For /healthz: names only, no file read."""
        pending, failed = [], 0
        with contextlib.suppress(FileNotFoundError):
            pending = [parsed[0] for parsed in map(_parse, os.listdir(self.pending_dir)) if parsed]
        with contextlib.suppress(FileNotFoundError):
            failed = sum(1 for name in os.listdir(self.failed_dir) if _parse(name))
        damaged = []
        with contextlib.suppress(FileNotFoundError):
            damaged = sorted(name for name in os.listdir(self.damaged_dir) if _parse(name))
        oldest = max(0, int(self.clock() - received_at(min(pending)))) if pending else 0
        return Counts(pending=len(pending), failed=failed, oldest_pending_seconds=oldest, damaged=damaged)

    def entry(self, reference: str, channel: str) -> Entry | None:
        """One pending, failed or ended entry, reading only its own file; None when there is none."""
        name = f"{reference}.{channel}"
        if _parse(name) is None:
            return None
        for folder, state in ((self.pending_dir, "pending"), (self.failed_dir, "failed"), (self.ended_dir, "ended")):
            with contextlib.suppress(FileNotFoundError):
                return self._read(folder, name, state)
        return None

    def was_sent(self, reference: str, channel: str) -> bool:
        return (self.sent_dir / f"{reference}.{channel}").exists()

    def forget(self, references: Iterable[str]) -> None:
        """Drop every record of purged proposals."""
        gone = set(references)
        for folder in (self.pending_dir, self.sent_dir, self.failed_dir, self.ended_dir, self.damaged_dir):
            with contextlib.suppress(FileNotFoundError):
                for name in os.listdir(folder):
                    if name.partition(".")[0] in gone:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(folder / name)
