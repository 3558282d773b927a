"""The byline: one source of truth for author, category, date and reading time.

The article, the listings and (later) the feeds and metadata all take their
text from here, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from impart.content.dates import format_day


@dataclass(frozen=True)
class Byline:
    author: str
    category: str
    date: dt.date
    readtime: int

    @property
    def date_iso(self) -> str:
        return self.date.isoformat()

    @property
    def date_text(self) -> str:
        return format_day(self.date)

    @property
    def readtime_text(self) -> str:
        return f"{self.readtime} min read"

    @property
    def text(self) -> str:
        return " · ".join((self.author, self.category, self.date_text, self.readtime_text))


def make_byline(note, readtime: int) -> Byline:
    """The note's byline; `readtime` is the computed figure, used unless the note sets its own."""
    return Byline(
        author=" and ".join(note.author_names),
        category=note.category,
        date=note.created,
        readtime=note.readtime or readtime,
    )
