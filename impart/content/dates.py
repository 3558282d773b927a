"""Dates as readers see them, and the build date.

English month names are spelled out here rather than through the C locale, so
the text is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import os

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_day(day: dt.date) -> str:
    """`26 April 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_month(year: int, month: int) -> str:
    """`May 2026`."""
    return f"{MONTHS[month - 1]} {year}"


def build_date(environ: dict | None = None) -> dt.date:
    """The day of the build: `SOURCE_DATE_EPOCH` when set (reproducible builds), else today (UTC)."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"SOURCE_DATE_EPOCH is {epoch!r}; set it to whole seconds since 1970, e.g. 1777161600"
            ) from None
    return dt.datetime.now(dt.UTC).date()
