"""A proposal's status, moved on by the operator, with an append-only history.

`mark()` changes only `status` and appends `{"at", "status", "was", "by", "note"}`
to `history`, `by` naming who marked (the operator's login name unless told
otherwise), so a record says who answered for each change. A mark to the status
the proposal already has is refused: it would add a change that changed
nothing ("won -> won"). The answers and everything else in the file stay as
they were. The new file is written beside the old, fsynced and renamed over
it, under one lock for all marks, so a reader (the sending thread, `show`)
sees the old record or the new, never half of one, and two marks at once both
land (unless the second would repeat the first's status: it is refused).
tests/cli/test_proposals_workflow.py and tests/cli/test_proposals_records.py
prove each.
"""

from __future__ import annotations

import getpass
import json
import os
import time

from impart.intake.storage import STATE, ProposalStore, locked, own_folder, replace_file, timestamp

STATUSES = ("new", "in-review", "proposal-sent", "won", "declined", "withdrawn", "spam")
# Left out of the report and the export unless asked for: a spam entry is not a proposal anyone made.
SPAM = "spam"
NOTE_LIMIT = 2000
BY_LIMIT = 100


def current_user() -> str:
    """The login name of whoever runs the command, or their uid when the system knows no name for it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid with no passwd entry (a container's), and no LOGNAME or USER
        return str(os.getuid())


class UnknownStatus(ValueError):
    def __init__(self, status: str):
        super().__init__(f"{status!r} is not a status; choose one of {', '.join(STATUSES)}")


class SameStatus(ValueError):
    def __init__(self, reference: str, status: str):
        super().__init__(f"{reference} is already {status}; nothing to mark (impart proposals show {reference})")


class BadMarker(ValueError):
    def __init__(self, why: str):
        super().__init__(f"--by {why}; give the name of the person marking, up to {BY_LIMIT} characters")


def _checked_by(by: str) -> str:
    name = by.strip()
    if not name:
        raise BadMarker("is empty")
    if len(name) > BY_LIMIT:
        raise BadMarker(f"is {len(name)} characters")
    if not name.isprintable():  # a control or bidi character would rewrite the line `show` prints
        raise BadMarker("holds a control character")
    return name


class NoteTooLong(ValueError):
    def __init__(self, length: int):
        super().__init__(f"--note is {length} characters, over the limit of {NOTE_LIMIT}; shorten it")


def mark(
    store: ProposalStore,
    reference: str,
    status: str,
    note: str = "",
    *,
    by: str | None = None,
    now: float | None = None,
) -> dict:
    """Move the proposal to `status`, recorded as marked by `by` (default: the current user); returns the new
    record. KeyError for an unknown reference, SameStatus when it has that status already."""
    if status not in STATUSES:
        raise UnknownStatus(status)
    marker = _checked_by(current_user() if by is None else by)
    if len(note) > NOTE_LIMIT:  # refused whole, never cut: a cut note reads as if it said all it had to
        raise NoteTooLong(len(note))
    # An unknown reference, or a mark to the status it has, is refused before anything, even the lock file, is made.
    if store.load(reference).get("status", "new") == status:
        raise SameStatus(reference, status)
    own_folder(store.root, STATE)
    with locked(store.root / STATE / "marks.lock"):
        record = store.load(reference)
        was = record.get("status", "new")
        if was == status:  # checked under the lock, so two equal marks at once cannot both land
            raise SameStatus(reference, status)
        change = {"at": timestamp(time.time() if now is None else now), "status": status, "was": was, "by": marker}
        if note:
            change["note"] = note
        history = record.get("history") if isinstance(record.get("history"), list) else []
        updated = {**record, "status": status, "history": [*history, change]}
        replace_file(store.root, f"{reference}.json", json.dumps(updated, ensure_ascii=False).encode("utf-8") + b"\n")
    return updated
