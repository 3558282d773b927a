"""A sliding-window rate limit per client, shared by every thread and worker process.

Each client's recent submission times live in a small file under the state
folder, read and rewritten under an exclusive lock. Client addresses are
hashed: no address is written to disk.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path

from impart.intake.storage import locked


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limited; retry after {retry_after}s")
        self.retry_after = retry_after


def parse_rate(text: str) -> tuple[int, int]:
    """`5/600` → (5, 600): at most COUNT submissions in SECONDS."""
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
        self.count = count
        self.seconds = seconds
        self.clock = clock

    def admit(self, client: str) -> None:
        """Count one submission for `client`, or raise RateLimited without counting it."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = hashlib.sha256(client.encode("utf-8")).hexdigest()[:32]
        with locked(self.folder / name) as fd:
            now = self.clock()
            try:
                recent = [t for t in json.loads(os.pread(fd, 65536, 0) or b"[]") if now - t < self.seconds]
            except ValueError:
                recent = []
            if len(recent) >= self.count:
                raise RateLimited(max(1, math.ceil(min(recent) + self.seconds - now)))
            recent.append(now)
            data = json.dumps(recent).encode("ascii")
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
