"""A proposal's status, moved on by the operator, with an append-only history.

`mark()` changes only `status` and appends `{"at", "status", "was", "note"}` to
`history`; the answers and everything else in the file stay as they were. The
new file is written beside the old, fsynced and renamed over it, under one lock
for all marks, so a reader (the sending thread, `show`) sees the old record or
the new, never half of one, and two marks at once both land.
tests/cli/test_proposals_workflow.py proves each.
"""

from __future__ import annotations

import json
import time

from impart.intake.storage import STATE, ProposalStore, locked, own_folder, replace_file, timestamp

STATUSES = ("new", "in-review", "proposal-sent", "won", "declined", "withdrawn")
NOTE_LIMIT = 2000


class UnknownStatus(ValueError):
    def __init__(self, status: str):
        super().__init__(f"{status!r} is not a status; choose one of {', '.join(STATUSES)}")


class NoteTooLong(ValueError):
    def __init__(self, length: int):
        super().__init__(f"--note is {length} characters, over the limit of {NOTE_LIMIT}; shorten it")


def mark(store: ProposalStore, reference: str, status: str, note: str = "", *, now: float | None = None) -> dict:
    """Move the proposal to `status`; returns the new record. KeyError for an unknown reference."""
    if status not in STATUSES:
        raise UnknownStatus(status)
    if len(note) > NOTE_LIMIT:  # refused whole, never cut: a cut note reads as if it said all it had to
        raise NoteTooLong(len(note))
    store.load(reference)  # an unknown reference is refused before anything, even the lock file, is made
    own_folder(store.root, STATE)
    with locked(store.root / STATE / "marks.lock"):
        record = store.load(reference)
        change = {"at": timestamp(time.time() if now is None else now), "status": status}
        change["was"] = record.get("status", "new")
        if note:
            change["note"] = note
        history = record.get("history") if isinstance(record.get("history"), list) else []
        updated = {**record, "status": status, "history": [*history, change]}
        replace_file(store.root, f"{reference}.json", json.dumps(updated, ensure_ascii=False).encode("utf-8") + b"\n")
    return updated
