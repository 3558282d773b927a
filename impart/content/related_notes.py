"""Which notes a reader is led to next: after a note, and on the front page.

Guarantees, all from the notes' metadata (nothing hand-kept):
- `more_notes`: at most `limit` other notes, the note's own category first, then the latest;
  never the note itself; indicative (placeholder) notes after every real one.
- `neighbours`: the previous (older) and next (newer) note by date, ties broken by address.
- `front_page`: the lead note (the latest real one) and the next latest after it;
- `categories_in_order`: the categories notes are in, once each, in the configured order.
Proved by tests/test_related_notes.py (the rules, and every note of a real build) and
tests/test_listings.py (the front page of a real build).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True)
class NoteRef(Generic[Item]):
    """What the choice needs to know of a note; `item` is handed back untouched (a page, for templates)."""

    key: str
    category: str
    date: dt.date
    indicative: bool
    item: Item


def _latest_first(notes: Sequence[NoteRef]) -> list[NoteRef]:
    return sorted(notes, key=lambda n: (n.date, n.key), reverse=True)


def more_notes(current: NoteRef, notes: Sequence[NoteRef], limit: int = 3) -> list[NoteRef]:
    others = [n for n in _latest_first(notes) if n.key != current.key]
    # A stable sort keeps latest-first inside each group.
    others.sort(key=lambda n: (n.indicative, n.category != current.category))
    return others[:limit]


def neighbours(current: NoteRef, notes: Sequence[NoteRef]) -> tuple[NoteRef | None, NoteRef | None]:
    """(previous, next): the note published just before this one, and the one just after."""
    ordered = list(reversed(_latest_first(notes)))
    keys = [n.key for n in ordered]
    if current.key not in keys:
        return None, None
    at = keys.index(current.key)
    previous = ordered[at - 1] if at > 0 else None
    following = ordered[at + 1] if at + 1 < len(ordered) else None
    return previous, following


def front_page(notes: Sequence[NoteRef], count: int) -> tuple[NoteRef | None, list[NoteRef]]:
    """The lead (latest real note, or the latest of any if all are indicative) and up to `count - 1` more."""
    ordered = _latest_first(notes)
    ordered.sort(key=lambda n: n.indicative)
    if not ordered or count < 1:
        return None, []
    return ordered[0], ordered[1:count]


def refs_from_pages(pages) -> list[NoteRef]:
    """NoteRefs of the pages that are field notes (their `meta` holds `impart_note`), in the given order."""
    refs = []
    for page in pages:
        note = page.meta.get("impart_note")
        if note is None:
            continue
        indicative = bool(page.meta.get("placeholder_notice"))
        refs.append(NoteRef(key=page.url, category=note.category, date=note.created, indicative=indicative, item=page))
    return refs


def categories_in_order(pages, allowed: Sequence[str]) -> list:
    """The category views (anything with a `title`) the pages belong to, once each, in `allowed`'s order."""
    views = {view.title: view for page in pages for view in page.categories}
    rank = {name: at for at, name in enumerate(allowed)}
    return sorted(views.values(), key=lambda view: rank.get(view.title, len(rank)))
