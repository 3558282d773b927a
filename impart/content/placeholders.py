"""Placeholder notices: pages published before their real content exists.

Front matter `placeholder: {arrives: 2026-05, label: ...}` (a month or a full
date) marks a page indicative; `extra.placeholders.site_wide` in mkdocs.yml
marks every page with one arrival, and `placeholder: false` exempts a page.
A promise past its date (the end of the month, for a month) is overdue.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from impart.content.dates import format_day, format_month
from impart.content.front_matter import FrontMatterSyntaxError, split_front_matter
from impart.settings import PLACEHOLDER_LABEL, ExtraSettings, SiteSettings, extra_settings

DEFAULT_LABEL = PLACEHOLDER_LABEL
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EXAMPLE = "arrives: 2026-05 or arrives: 2026-05-06"


class PlaceholderError(ValueError):
    """A placeholder that cannot be understood; the message names the key and the fix."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Arrival:
    year: int
    month: int
    day: int | None = None

    @property
    def deadline(self) -> dt.date:
        """The last day the promise holds: the date, or the month's last day."""
        day = self.day or calendar.monthrange(self.year, self.month)[1]
        return dt.date(self.year, self.month, day)

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")

    @property
    def text(self) -> str:
        return format_day(self.deadline) if self.day else format_month(self.year, self.month)


@dataclass(frozen=True)
class Notice:
    label: str
    arrival: Arrival

    @property
    def text(self) -> str:
        return f"{self.label} // Real content arrives {self.arrival.text}"

    def days_left(self, today: dt.date) -> int:
        """Days until the deadline; negative when overdue."""
        return (self.arrival.deadline - today).days

    def is_overdue(self, today: dt.date) -> bool:
        return self.days_left(today) < 0


def parse_arrival(value, key: str = "placeholder.arrives") -> Arrival:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Arrival(value.year, value.month, value.day)
    text = str(value).strip() if value is not None else ""
    try:
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            dt.date(year, month, 1)
            return Arrival(year, month)
        if match := _DAY.match(text):
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
            return Arrival(day.year, day.month, day.day)
    except ValueError:
        pass
    raise PlaceholderError(key, f"'{key}' must be a month or a date, e.g. {_EXAMPLE}; not {value!r}")


def parse_placeholder(value, key: str = "placeholder", default_label: str = DEFAULT_LABEL) -> Notice | None:
    """The notice a `placeholder:` value asks for; None for `false` or absent."""
    if value is None or value is False:
        return None
    if not isinstance(value, dict):
        raise PlaceholderError(key, f"'{key}' must be a mapping, e.g. {key}: {{arrives: 2026-05}}; or false")
    unknown = sorted(set(map(str, value)) - {"arrives", "label"})
    if unknown:
        raise PlaceholderError(
            f"{key}.{unknown[0]}", f"'{key}.{unknown[0]}' is not a placeholder key; use arrives and label"
        )
    if "arrives" not in value:
        raise PlaceholderError(f"{key}.arrives", f"'{key}.arrives' is missing; write {_EXAMPLE}")
    label = value.get("label", default_label)
    if not isinstance(label, str) or not label.strip():
        raise PlaceholderError(f"{key}.label", f"'{key}.label' must be text, e.g. label: {DEFAULT_LABEL}")
    return Notice(label=label.strip(), arrival=parse_arrival(value["arrives"], f"{key}.arrives"))


@dataclass(frozen=True)
class PlaceholderSettings:
    site_wide: Notice | None
    indexed: bool  # True: indicative pages stay in search engines, the sitemap and the feeds
    default_label: str = DEFAULT_LABEL


def placeholder_settings(extra: ExtraSettings | Mapping) -> PlaceholderSettings:
    """`extra.placeholders`, its site-wide notice parsed (the schema in impart.settings checks the rest)."""
    raw = extra_settings(extra).placeholders
    site_wide = parse_placeholder(raw.site_wide, "extra.placeholders.site_wide", raw.label)
    return PlaceholderSettings(site_wide=site_wide, indexed=raw.indexed, default_label=raw.label)


def notice_for(meta: dict, settings: PlaceholderSettings, published: dt.date | None = None) -> Notice | None:
    """The page's notice: its own, else the site-wide one, unless it says `placeholder: false`.

    `published` is the note's own date; an arrival before it is refused.
    """
    if "placeholder" in meta:
        notice = parse_placeholder(meta["placeholder"], "placeholder", settings.default_label)
        if notice and published and notice.arrival.deadline < published:
            raise PlaceholderError(
                "placeholder.arrives",
                f"'placeholder.arrives' ({notice.arrival.iso}) is before the note's date ({published}); "
                "promise a later arrival",
            )
        return notice
    return settings.site_wide


def overdue_message(notice: Notice, today: dt.date) -> str:
    days = -notice.days_left(today)
    return (
        f"the placeholder promised real content by {format_day(notice.arrival.deadline)} "
        f"(arrives: {notice.arrival.iso}); it is {days} day(s) overdue: publish the content or move the date"
    )


@dataclass(frozen=True)
class IndicativePage:
    path: str
    notice: Notice


def indicative_pages(
    settings: SiteSettings, texts: Mapping[str, str] | None = None
) -> tuple[list[IndicativePage], list[str]]:
    """Every indicative Markdown page under docs/, and a line per page that could not be read. `texts`: the
    pages already read, by path under docs/ (a page missing from it could not be read, and was said so)."""
    config = placeholder_settings(settings.extra)
    pages, problems = [], []
    for path in sorted(settings.docs_dir.rglob("*.md")):
        where = settings.relative(path)
        if texts is not None:
            text = texts.get(path.relative_to(settings.docs_dir).as_posix())
            if text is None:
                continue
        else:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                problems.append(f"{where}: the file is not UTF-8 text; save it as UTF-8")
                continue
        try:
            meta, _ = split_front_matter(text)
        except FrontMatterSyntaxError:
            meta = {}
        try:
            published = _published(meta)
            notice = notice_for(meta, config, published)
        except PlaceholderError as error:
            problems.append(f"{where}: {error}")
            continue
        if notice:
            pages.append(IndicativePage(where, notice))
    return pages, problems


def _published(meta: dict) -> dt.date | None:
    value = meta.get("date")
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None
