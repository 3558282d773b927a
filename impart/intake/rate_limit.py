"""A rate limit per client, shared by every thread and worker process.

COUNT/SECONDS allows a burst of COUNT submissions, then one more every
SECONDS/COUNT (the generic cell rate algorithm: a token bucket kept as one
number per client, the "theoretical arrival time"). That number lives in a
small file under the state folder, read and rewritten under an exclusive
lock, so the limit holds across processes at constant cost per request.
Client addresses are hashed: no address is written to disk. An IPv6 client is
counted by its /64, the smallest network a subscriber is given, so one
subscriber cannot take 2^64 allowances (tests/intake/test_rate_limit.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

from impart.intake.storage import locked

_STATE = struct.Struct("<d")
PRUNE_INTERVAL = 60.0  # seconds between prunings of clients whose bucket has refilled (each reads every file)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


def retry_in_words(seconds: int) -> str:
    """`Retry-After` for a person: "45 seconds", "about 5 minutes", "about 3 hours", always rounded up, so
    someone who waits as long as it says is admitted."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds <= 2 * 3600:
        return f"about {math.ceil(seconds / 60)} minutes"
    return f"about {math.ceil(seconds / 3600)} hours"


def client_key(address: str) -> str:
    """What the rate limit counts for a client address: an IPv4 address, or an IPv6 address's /64 network."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


DEFAULT_RATE = "5/600"  # per client: `impart serve --rate-limit`, IMPART_RATE_LIMIT and create_app share it


def parse_rate(text: str) -> tuple[int, int]:
    """`5/600` → (5, 600): a burst of at most COUNT, and COUNT per SECONDS over time."""
    try:
        count, seconds = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"rate limit {text!r} must be COUNT/SECONDS, e.g. 5/600") from None
    if count < 1 or seconds < 1:
        raise ValueError(f"rate limit {text!r}: COUNT and SECONDS must be at least 1")
    return count, seconds


class RateLimiter:
    def __init__(self, folder: Path, count: int, seconds: int, clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.interval = seconds / count  # one submission's share of the window
        self.burst = seconds - self.interval  # how far ahead of now the bucket may run
        self.clock = clock
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._next_prune = clock() + PRUNE_INTERVAL

    def admit(self, client: str) -> None:
        """Count one submission for `client` (an address: an IPv6 one counts for its /64), or raise RateLimited
        without counting it."""
        name = hashlib.sha256(client_key(client).encode("utf-8")).hexdigest()[:32]
        with locked(os.path.join(self.folder, name)) as fd:
            now = self.clock()
            stored = os.pread(fd, _STATE.size, 0)
            arrival = _STATE.unpack(stored)[0] if len(stored) == _STATE.size else now
            arrival = max(arrival, now)
            if arrival - now > self.burst + 1e-9:
                raise RateLimited(max(1, math.ceil(arrival - now - self.burst)))
            os.pwrite(fd, _STATE.pack(arrival + self.interval), 0)
        if now >= self._next_prune:
            self._next_prune = now + PRUNE_INTERVAL
            with contextlib.suppress(OSError):  # housekeeping never fails an admitted submission
                self.prune()

    def prune(self) -> int:
        """Forget clients whose bucket has refilled (they are as if never seen): one file each otherwise."""
        now, pruned = self.clock(), 0
        for path in self.folder.iterdir():
            try:
                stored = path.read_bytes()
                if len(stored) == _STATE.size and _STATE.unpack(stored)[0] <= now:
                    path.unlink()
                    pruned += 1
            except OSError:
                continue
        return pruned
