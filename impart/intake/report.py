"""What brings proposals: counts per month, per originating note and per status, and the chart of them.

Counts come from the stored proposals (quarantined submissions are never
counted, nor those marked spam unless asked); the chart is a stacked bar a month, one colour per originating
note, drawn by impart/intake/chart_layout.py into an SVG template with no
script. tests/cli/test_proposals_workflow.py checks the counts;
tests/intake/test_report_chart.py opens the chart in Chromium.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import jinja2

from impart.intake.chart_layout import lay_out, months_between
from impart.intake.storage import ProposalStore, received_at
from impart.intake.workflow import SPAM

NO_NOTE = "(no note)"
CHART_TEMPLATE = "report-chart.svg.j2"
CHART_SERIES = 8  # notes beyond the most frequent few are summed as "other notes"


@dataclass
class Report:
    since: dt.date | None = None
    total: int = 0
    by_month: Counter = field(default_factory=Counter)
    by_note: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_month_and_note: Counter = field(default_factory=Counter)
    unreadable: list = field(default_factory=list)
    spam: int = 0  # marked spam and left out of every count above


def gather(store: ProposalStore, since: dt.date | None = None, *, include_spam: bool = False) -> Report:
    """Counts of the proposals received since `since`; those marked spam only counted with `include_spam`."""
    report = Report(since=since)
    for reference in store.references():
        at = received_at(reference)
        if at is None:  # not a name the store wrote (month 13, say): shown as unreadable, never a crash
            report.unreadable.append(reference)
            continue
        received = dt.datetime.fromtimestamp(at, dt.UTC).date()
        if since and received < since:
            continue
        try:
            record = store.load(reference)
        except (KeyError, OSError, ValueError):
            report.unreadable.append(reference)
            continue
        if not isinstance(record, dict):
            report.unreadable.append(reference)
            continue
        if record.get("status") == SPAM and not include_spam:
            report.spam += 1
            continue
        month = f"{received:%Y-%m}"
        note = record.get("from") if isinstance(record.get("from"), str) and record.get("from") else NO_NOTE
        report.total += 1
        report.by_month[month] += 1
        report.by_note[note] += 1
        report.by_status[str(record.get("status", "new"))] += 1
        report.by_month_and_note[(month, note)] += 1
    return report


def chart_months(report: Report) -> list[str]:
    """Every month from the first proposal's (or --since's) to the last one's, months without proposals included."""
    if not report.by_month:
        return []
    first = min(report.by_month)
    if report.since:
        first = min(first, f"{report.since:%Y-%m}")
    return months_between(first, max(report.by_month))


def chart_svg(report: Report) -> bytes:
    months = chart_months(report)
    # Ties in the count are broken by name, so the same proposals always give the same series.
    ranked = sorted(report.by_note.items(), key=lambda item: (-item[1], item[0]))
    leading = [note for note, _ in ranked[:CHART_SERIES]]
    series = [(note, [report.by_month_and_note[(month, note)] for month in months], False) for note in leading]
    rest = [
        sum(count for (m, note), count in report.by_month_and_note.items() if m == month and note not in leading)
        for month in months
    ]
    if any(rest):
        series.append(("other notes", rest, True))
    chart = lay_out("Proposals per month, by the note they came from", months, series)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("impart.intake", "templates"), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template(CHART_TEMPLATE).render(c=chart).encode("utf-8")
