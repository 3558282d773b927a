"""The inbox's list: proposals newest first, one page at a time, filtered by status and searched by answer.

The newest-first order is the references' own (they begin with the time received), so the first page of
an unfiltered list reads only the PAGE_SIZE files it shows, whatever the folder holds (bench/inbox.py
times it on 10,000). A filter or a search reads every record once, then only the files whose size or
modification time changed since: the parsed records are kept per process, keyed by both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from impart.intake.records import fields_of, read_record
from impart.intake.storage import ProposalStore, received_at

PAGE_SIZE = 50
SEARCH_LIMIT = 200  # characters of a search: enough for any phrase, bounded work per record


@dataclass(frozen=True)
class Row:
    reference: str
    status: str
    organisation: str
    came_from: str
    received: float | None
    readable: bool = True


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    number: int
    pages: int
    total: int


def age(received: float | None, now: float) -> str:
    """How long ago, in the largest whole unit: `just now`, `5 minutes`, `3 hours`, `2 days`."""
    if received is None:
        return "unknown"
    seconds = max(0, int(now - received))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


class ProposalIndex:
    def __init__(self, store: ProposalStore):
        self.store = store
        self._kept: dict[str, tuple[tuple[int, int], dict | None]] = {}

    def _record(self, reference: str) -> dict | None:
        path = self.store.root / f"{reference}.json"
        try:
            info = os.stat(path)
        except OSError:
            return None
        key = (info.st_mtime_ns, info.st_size)
        kept = self._kept.get(reference)
        if kept is not None and kept[0] == key:
            return kept[1]
        record = read_record(self.store, reference)
        self._kept[reference] = (key, record)
        return record

    def _row(self, reference: str, record: dict | None) -> Row:
        if record is None:
            return Row(reference, "unreadable", "", "", received_at(reference), readable=False)
        organisation = fields_of(record).get("organisation")
        return Row(
            reference,
            str(record.get("status", "new")),
            organisation if isinstance(organisation, str) else "",
            str(record.get("from") or ""),
            received_at(reference),
        )

    def page(self, number: int = 1, *, status: str = "", search: str = "") -> Page:
        references = self.store.references()
        if len(self._kept) > len(references):  # some were purged: let their records go
            present = set(references)
            self._kept = {ref: kept for ref, kept in self._kept.items() if ref in present}
        words = search.casefold().split()[:20] if search else []
        if status or words:
            chosen = [ref for ref in references if _matches(self._record(ref), status, words)]
        else:
            chosen = references
        pages = max(1, -(-len(chosen) // PAGE_SIZE))
        number = min(max(1, number), pages)
        shown = chosen[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        return Page([self._row(ref, self._record(ref)) for ref in shown], number, pages, len(chosen))


def _matches(record: dict | None, status: str, words: list[str]) -> bool:
    if record is None:
        return False
    if status and record.get("status", "new") != status:
        return False
    if words:
        answers = " ".join(str(value) for value in fields_of(record).values()).casefold()
        return all(word in answers for word in words)
    return True
