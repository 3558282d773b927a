"""Logins slowed down per address and per account, with delays that grow with each failure.

Each client address (an IPv6 one by its /64, as the intake's rate limit counts it) and each account name
tried has a count of tries and the time of the last. The first FREE cost nothing; after that each try
must wait 2, 4, 8 … seconds (up to MAX_DELAY) after the last one before it is even checked, so a password
guesser from one address, or from many against one account, gets a handful of guesses an hour, while an
operator who mistypes twice never notices. A try is counted, in one locked step with the look at the
counts, before its password is checked: a burst of simultaneous tries gets no more checks than tries one
after another would. A refused try is not counted (it was never checked).

So that knowing an account's name is not enough to lock its operator out, the account's delay does not
hold an address that has logged into that account before: each account remembers (hashed, the newest
KNOWN_PER_ACCOUNT, for KNOWN_FOR) the addresses it succeeded from. Those still have their own address's
delay. A success clears its address's and its account's counts, so an operator's typos do not follow
them about. Counts a day old are forgotten and swept (at most once a PRUNE_INTERVAL, on any try), so
names and addresses tried cannot pile up. Everything lives in small files under one lock,
shared by every worker process, named by a hash (no address or name is written to disk).
tests/inbox/test_inbox_hostile.py and test_inbox_throttle_races.py prove it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import struct
import time
from collections.abc import Callable
from pathlib import Path

from impart.intake.rate_limit import client_key
from impart.intake.storage import locked, replace_file

FREE = 5
MAX_DELAY = 15 * 60.0
FORGET_AFTER = 24 * 3600.0
PRUNE_INTERVAL = 60.0  # seconds between sweeps of counts a day old, so names and addresses tried cannot pile up
KNOWN_PER_ACCOUNT = 10  # addresses an account remembers having logged in from: an office, a home, a phone
KNOWN_FOR = 90 * 24 * 3600.0  # an address not logged in from for this long is a stranger again
# Past this many counts, those that delay no one yet go at the next sweep: a day of names sprayed from many
# addresses cannot fill the disk, while every count that holds a guesser back stays.
MAX_COUNTS = 10_000
SPRAY_GRACE = 60.0
_STATE = struct.Struct("<Id")  # tries counted, time of the last
_KNOWN = "known-"
_HASH = 32  # hex digits of a count's or a known file's name


def delay_after(failures: int) -> float:
    """Seconds to wait after the last counted try once `failures` have been counted."""
    if failures < FREE:
        return 0.0
    return min(MAX_DELAY, 2.0 ** (failures - FREE + 1))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH]


class LoginThrottle:
    def __init__(self, folder: Path, clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.clock = clock
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = self.folder / ".lock"
        self._next_prune = float("-inf")  # the first try sweeps: a restarted server may find days-old counts

    # -- names on disk ------------------------------------------------------------------------------------

    def _address(self, address: str) -> Path:
        return self.folder / _digest(f"address:{client_key(address)}")

    def _account(self, account: str) -> Path:
        return self.folder / _digest(f"account:{account.strip().lower()}")

    def _known_file(self, account: str) -> Path:
        return self.folder / (_KNOWN + _digest(f"known:{account.strip().lower()}"))

    def _known_key(self, address: str, account: str) -> str:
        return _digest(f"known-address:{account.strip().lower()}:{client_key(address)}")

    # -- counts ---------------------------------------------------------------------------------------------

    def _read(self, path: Path) -> tuple[int, float]:
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            return 0, 0.0
        if len(stored) != _STATE.size:
            return 0, 0.0
        failures, last = _STATE.unpack(stored)
        if self.clock() - last > FORGET_AFTER:
            return 0, 0.0
        return failures, last

    def _write(self, path: Path, failures: int, last: float) -> None:
        replace_file(self.folder, path.name, _STATE.pack(failures, last), durable=False)

    def _read_known(self, account: str) -> dict[str, float]:
        try:
            stored = json.loads(self._known_file(account).read_bytes())
            return {str(k): float(v) for k, v in stored.items()} if isinstance(stored, dict) else {}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def attempt(self, address: str, account: str) -> int:
        """Whole seconds before a login from `address` as `account` may be checked; 0 when it may be now, and
        then this try is already counted against both (a success takes it back: `succeeded`)."""
        now = self.clock()
        with locked(self._lock):
            known = self._known_key(address, account) in self._read_known(account)
            counts = {path: self._read(path) for path in (self._address(address), self._account(account))}
            holding = [self._address(address)] if known else list(counts)
            longest = max(last + delay_after(failures) - now for failures, last in (counts[p] for p in holding))
            if longest > 0:
                return math.ceil(longest)
            for path, (failures, _) in counts.items():
                self._write(path, failures + 1, now)
        if now >= self._next_prune:
            self._next_prune = now + PRUNE_INTERVAL
            with contextlib.suppress(OSError):  # housekeeping never fails a login
                self.prune()
        return 0

    def succeeded(self, address: str, account: str) -> None:
        """The password was right: the address's and the account's counts go, and the address is remembered
        as one this account logs in from."""
        now = self.clock()
        with locked(self._lock):
            for path in (self._address(address), self._account(account)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            known = self._read_known(account)
            known[self._known_key(address, account)] = now
            newest = sorted(known.items(), key=lambda item: item[1], reverse=True)[:KNOWN_PER_ACCOUNT]
            data = json.dumps(dict(newest)).encode("ascii")
            replace_file(self.folder, self._known_file(account).name, data, durable=False)

    def prune(self) -> int:
        """Forget the counts whose last try is a day old (they no longer delay anyone) and the addresses not
        logged in from for KNOWN_FOR; past MAX_COUNTS counts (a spray of names from many addresses), forget
        too those that delay no one yet (under FREE tries, none in the last SPRAY_GRACE). Returns how many
        files went."""
        now, gone, young = self.clock(), [], []
        with locked(self._lock):
            counts = 0
            for path in self.folder.iterdir():
                name = path.name
                try:
                    if len(name) == _HASH and all(c in "0123456789abcdef" for c in name):
                        stored = path.read_bytes()
                        failures, last = _STATE.unpack(stored)  # a file of another size raises: not ours
                        if now - last > FORGET_AFTER:
                            gone.append(path)
                            continue
                        counts += 1
                        if failures < FREE and now - last > SPRAY_GRACE:
                            young.append(path)
                    elif name.startswith(_KNOWN) and len(name) == len(_KNOWN) + _HASH:
                        stored = json.loads(path.read_bytes())
                        if not isinstance(stored, dict) or all(now - float(t) > KNOWN_FOR for t in stored.values()):
                            gone.append(path)
                except (ValueError, TypeError, struct.error):
                    gone.append(path)  # not a file this code wrote
                except OSError:
                    continue  # gone meanwhile
            if counts > MAX_COUNTS:
                gone += young
            for path in gone:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        return len(gone)
