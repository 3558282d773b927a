"""Which notes a reader is led to next: after a note, and on the front page.

Guarantees, all from the notes' metadata (nothing hand-kept):
- `more_notes`: at most `limit` other notes, the note's own category first, then the latest;
  never the note itself nor its previous and next (linked just below it); indicative
  (placeholder) notes after every real one.
- `neighbours`: the previous (older) and next (newer) note by date, ties broken by address.
- `RelatedNotes`: both, for every note of a build, with the notes ordered once.
- `front_page`: the lead note (the latest real one) and the next latest real ones after it;
- `latest_in_each_category`: the front page's sections, real notes before indicative ones;
- `categories_in_order`: the categories notes are in, once each, in the configured order;
- `indicative_last`: a listing's order, real notes before indicative ones.
Proved by tests/content/test_related_notes.py (the rules, and every note of a real build) and
tests/pages/test_listings.py (the front page of a real build).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
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


class RelatedNotes:
    """One build's notes, ordered once, answering each note's more notes and neighbours in a few steps
    (asked of every note, a sort per note cost about 1.5 s of a 1,000-note build)."""

    def __init__(self, notes: Sequence[NoteRef]):
        self.latest = _latest_first(notes)
        self.at = {n.key: i for i, n in enumerate(self.latest)}
        self.real = [n for n in self.latest if not n.indicative]
        self.indicative = [n for n in self.latest if n.indicative]
        self.by_category: dict[tuple[bool, str], list[NoteRef]] = {}  # (indicative, category) -> latest first
        for n in self.latest:
            self.by_category.setdefault((n.indicative, n.category), []).append(n)

    def more_notes(self, current: NoteRef, limit: int = 3, exclude: Collection[str] = ()) -> list[NoteRef]:
        """`exclude`: keys not to offer, such as the previous and next note already linked below."""
        chosen: dict[str, NoteRef] = {}
        # Real notes before indicative ones; within each, the note's own category first, then the latest.
        same_real, same_indicative = ((self.by_category.get((kind, current.category), ())) for kind in (False, True))
        for group in (same_real, self.real, same_indicative, self.indicative):
            for n in group:
                if len(chosen) == limit:
                    return list(chosen.values())
                if n.key != current.key and n.key not in exclude:
                    chosen.setdefault(n.key, n)
        return list(chosen.values())

    def neighbours(self, current: NoteRef) -> tuple[NoteRef | None, NoteRef | None]:
        """(previous, next): the note published just before this one, and the one just after."""
        at = self.at.get(current.key)
        if at is None:
            return None, None
        previous = self.latest[at + 1] if at + 1 < len(self.latest) else None
        following = self.latest[at - 1] if at > 0 else None
        return previous, following


def more_notes(
    current: NoteRef, notes: Sequence[NoteRef], limit: int = 3, exclude: Collection[str] = ()
) -> list[NoteRef]:
    return RelatedNotes(notes).more_notes(current, limit, exclude)


def neighbours(current: NoteRef, notes: Sequence[NoteRef]) -> tuple[NoteRef | None, NoteRef | None]:
    return RelatedNotes(notes).neighbours(current)


def front_page(notes: Sequence[NoteRef], count: int) -> tuple[NoteRef | None, list[NoteRef]]:
    """The lead (latest real note) and up to `count - 1` more real notes: an indicative note is never
    "latest" while a real one exists. Only a site with nothing but indicative notes leads with one."""
    related = RelatedNotes(notes)
    ordered = related.real or related.indicative
    if not ordered or count < 1:
        return None, []
    return ordered[0], ordered[1:count]


def latest_in_each_category(notes: Sequence[NoteRef], limit: int) -> dict[str, list[NoteRef]]:
    """Each category's `limit` latest notes, real ones first (an indicative note never heads a section)."""
    related = RelatedNotes(notes)
    found: dict[str, list[NoteRef]] = {}
    for n in related.real + related.indicative:
        chosen = found.setdefault(n.category, [])
        if len(chosen) < limit:
            chosen.append(n)
    return found


def indicative_last(notes: list, is_indicative) -> None:
    """Sorts a listing's notes in place so indicative ones follow every real one, each group keeping its order
    (newest first): an indicative note never leads a listing. In place, because the blog's paginated pages
    share the list."""
    notes.sort(key=lambda note: bool(is_indicative(note)))


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
