"""Whom the site acknowledged, and when: one acknowledgement per address a day, and a site-wide cap an hour.

The acknowledgement goes to an address anyone can type into the form, so without a limit the site would
mail a third party as often as an attacker submits. The ledger is shared by every worker and process of
one proposals folder and outlives restarts: it lives in `proposals/.state/acknowledged/`, and every
decision is taken under one exclusive flock on its `.lock` file, so two processes never both admit the
same address or both take the hour's last place.

- One file per address acknowledged in the last 24 hours, named by the SHA-256 of the lower-cased address
  (no address is written in clear), holding the reference it was admitted for: the operator's mail and
  the acknowledgement ask for the same proposal and both get the same answer.
- `.hour`: the clock hour and how many were admitted in it.
- One `refused-REFERENCE` file per proposal whose acknowledgement was refused, with the reason, so that
  the operator's mail and the skipped acknowledgement agree on it.

Files older than a day are removed when the hour turns, so the folder holds at most a day of admitted
addresses (the cap times 24) and the refusals of that day. tests/intake/test_notify_ack_limits.py proves it
through the real handler and a real mail server, across a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from impart.intake.notify_settings import mail_address
from impart.intake.rules import TYPE_CHECKS, TYPE_FORMATS

ACKNOWLEDGED = "acknowledged"
DAY = 86400
HOUR = 3600
_REFUSED = "refused-"
_MAX_RECORD = 4096


def acknowledgeable(address) -> bool:
    """True for an address the form accepts and the sender can mail: the form's own checks, then the
    sender's (one plain address, nothing a header could be built from)."""
    if not isinstance(address, str) or mail_address(address) is None:
        return False
    rules = [TYPE_FORMATS["email"], *(rule for _, rule in TYPE_CHECKS["email"])]
    return all(re.search(rule.pattern, address) for rule in rules)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # why not, for the operator's mail and the outbox; never the address


class AckLedger:
    def __init__(self, state_dir: Path, hourly_cap: int, *, clock: Callable[[], float] = time.time):
        self.folder = Path(state_dir) / ACKNOWLEDGED
        self.hourly_cap = hourly_cap
        self.clock = clock

    def prepare(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held for a few small reads and writes only
            yield
        finally:
            os.close(fd)

    def _read(self, name: str) -> dict:
        try:
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except (FileNotFoundError, OSError):
            return {}
        try:
            saved = json.loads(os.read(fd, _MAX_RECORD) or b"{}")
        except ValueError:
            return {}  # a damaged record counts as none: at worst one more acknowledgement
        finally:
            os.close(fd)
        return saved if isinstance(saved, dict) else {}

    def _write(self, name: str, record: dict) -> None:
        temp = self.folder / f".{name}.tmp"
        temp.write_bytes(json.dumps(record).encode())
        os.replace(temp, self.folder / name)

    def decide(self, reference: str, address: str) -> Verdict:
        """Whether the acknowledgement of `reference` to `address` may go; the first answer for a reference
        holds for it (admitting takes the address's day and one place of the hour)."""
        if not acknowledgeable(address):
            return Verdict(False, "the prospect's address is not one the site mails; nothing to send")
        key = hashlib.sha256(address.lower().encode()).hexdigest()
        now = self.clock()
        with self._locked():
            refused = self._read(_REFUSED + reference)
            if refused:
                return Verdict(False, str(refused.get("reason", "refused")))
            admitted = self._read(key)
            if admitted.get("reference") == reference:
                return Verdict(True)
            if _number(admitted.get("at")) > now - DAY:
                return self._refuse(reference, now, "the same address was sent an acknowledgement within 24 hours")
            hour = int(now // HOUR)
            counter = self._read(".hour")
            count = int(_number(counter.get("count"))) if _number(counter.get("hour")) == hour else 0
            if count >= self.hourly_cap:
                return self._refuse(
                    reference,
                    now,
                    f"the site's cap of {self.hourly_cap} acknowledgements an hour was reached "
                    "(acknowledge_per_hour in extra.intake.notify, or --acknowledge-per-hour)",
                )
            if count == 0:
                self._prune()
            self._write(key, {"reference": reference, "at": now})
            self._write(".hour", {"hour": hour, "count": count + 1})
            return Verdict(True)

    def _refuse(self, reference: str, now: float, reason: str) -> Verdict:
        self._write(_REFUSED + reference, {"reason": reason, "at": now})
        return Verdict(False, reason)

    def _prune(self) -> None:
        """Remove the records of more than a day ago (once an hour, under the lock)."""
        for name in os.listdir(self.folder):
            if name.startswith("."):
                continue
            with contextlib.suppress(OSError):
                if os.lstat(self.folder / name).st_mtime < time.time() - DAY:  # mtimes are the system's clock
                    os.unlink(self.folder / name)


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
