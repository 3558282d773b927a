"""Logins slowed down per address and per account, with delays that grow with each failure.

Each client address (an IPv6 one by its /64, as the intake's rate limit counts it) and each account name
tried has a count of failed logins and the time of the last. The first FREE failures cost nothing; after
that each failure must wait 2, 4, 8 … seconds (up to MAX_DELAY) after the last one before another try is
even checked, so a password guesser from one address, or from many against one account, gets a handful
of guesses an hour, while an operator who mistypes twice never notices. A refused try is not counted (it
was never checked). A success clears the account's and the address's counts; counts a day old are
forgotten. The counts live in small files under a lock, shared by every worker process, named by a hash
(no address or name is written to disk). tests/inbox/test_inbox_hostile.py proves it with 200 tries.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

from impart.intake.rate_limit import client_key
from impart.intake.storage import locked

FREE = 5
MAX_DELAY = 15 * 60.0
FORGET_AFTER = 24 * 3600.0
PRUNE_INTERVAL = 60.0  # seconds between sweeps of counts a day old, so names and addresses tried cannot pile up
_STATE = struct.Struct("<Id")  # failures, time of the last failure


def delay_after(failures: int) -> float:
    """Seconds to wait after the last failure once `failures` have been counted."""
    if failures < FREE:
        return 0.0
    return min(MAX_DELAY, 2.0 ** (failures - FREE + 1))


class LoginThrottle:
    def __init__(self, folder: Path, clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.clock = clock
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._next_prune = clock() + PRUNE_INTERVAL

    def _keys(self, address: str, account: str) -> list[Path]:
        return [
            self.folder / hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
            for kind, value in (("address", client_key(address)), ("account", account.strip().lower()))
        ]

    def _read(self, fd: int) -> tuple[int, float]:
        stored = os.pread(fd, _STATE.size, 0)
        if len(stored) != _STATE.size:
            return 0, 0.0
        failures, last = _STATE.unpack(stored)
        if self.clock() - last > FORGET_AFTER:
            return 0, 0.0
        return failures, last

    def wait(self, address: str, account: str) -> int:
        """Whole seconds before a login from `address` as `account` may be checked; 0 when it may be now."""
        now, longest = self.clock(), 0.0
        for path in self._keys(address, account):
            if not path.exists():
                continue
            with locked(path) as fd:
                failures, last = self._read(fd)
            longest = max(longest, last + delay_after(failures) - now)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, address: str, account: str) -> None:
        now = self.clock()
        for path in self._keys(address, account):
            with locked(path) as fd:
                failures, _ = self._read(fd)
                os.pwrite(fd, _STATE.pack(failures + 1, now), 0)
        if now >= self._next_prune:
            self._next_prune = now + PRUNE_INTERVAL
            with contextlib.suppress(OSError):  # housekeeping never fails a login
                self.prune()

    def prune(self) -> int:
        """Forget the counts whose last failure is a day old (they no longer delay anyone); returns how many."""
        now, pruned = self.clock(), 0
        for path in self.folder.iterdir():
            try:
                stored = path.read_bytes()
                if len(stored) != _STATE.size or now - _STATE.unpack(stored)[1] > FORGET_AFTER:
                    path.unlink()
                    pruned += 1
            except OSError:
                continue
        return pruned

    def succeeded(self, address: str, account: str) -> None:
        for path in self._keys(address, account):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
