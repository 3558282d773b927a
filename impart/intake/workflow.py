"""A proposal's status, moved on by the operator, with an append-only history.

`mark()` changes only `status` and appends `{"at", "status", "was", "note"}` to
`history`; the answers and everything else in the file stay as they were. The
new file is written beside the old, fsynced and renamed over it, under one lock
for all marks, so a reader (the sending thread, `show`) sees the old record or
the new, never half of one, and two marks at once both land.
tests/test_proposals_workflow.py proves each.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import secrets
import time

from impart.intake.storage import STATE, TEMP_PREFIX, ProposalStore, locked

STATUSES = ("new", "in-review", "proposal-sent", "won", "declined", "withdrawn")
NOTE_LIMIT = 2000


class UnknownStatus(ValueError):
    def __init__(self, status: str):
        super().__init__(f"{status!r} is not a status; choose one of {', '.join(STATUSES)}")


def timestamp(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def mark(store: ProposalStore, reference: str, status: str, note: str = "", *, now: float | None = None) -> dict:
    """Move the proposal to `status`; returns the new record. KeyError for an unknown reference."""
    if status not in STATUSES:
        raise UnknownStatus(status)
    store.load(reference)  # an unknown reference is refused before anything, even the lock file, is made
    (store.root / STATE).mkdir(mode=0o700, exist_ok=True)
    with locked(store.root / STATE / "marks.lock"):
        record = store.load(reference)
        change = {"at": timestamp(time.time() if now is None else now), "status": status}
        change["was"] = record.get("status", "new")
        if note:
            change["note"] = note[:NOTE_LIMIT]
        history = record.get("history") if isinstance(record.get("history"), list) else []
        updated = {**record, "status": status, "history": [*history, change]}
        _replace(store, reference, json.dumps(updated, ensure_ascii=False).encode("utf-8") + b"\n")
    return updated


def _replace(store: ProposalStore, reference: str, data: bytes) -> None:
    folder_fd = os.open(store.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    temp = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder_fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the store's sweep leaves a locked temp file alone
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            os.replace(temp, f"{reference}.json", src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
            os.fsync(folder_fd)
        finally:
            os.close(fd)
            try:
                os.unlink(temp, dir_fd=folder_fd)
            except FileNotFoundError:
                pass
    finally:
        os.close(folder_fd)
