"""What brings proposals: counts per month, per originating note and per status, and the chart of them.

Counts come from the stored proposals (quarantined submissions are never
counted); the chart is pygal's stacked bar chart (months across, one series
per originating note), written as SVG. tests/cli/test_proposals_workflow.py checks
the counts and parses the SVG.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from dataclasses import dataclass, field

from impart.intake.storage import ProposalStore, received_at

NO_NOTE = "(no note)"
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


def gather(store: ProposalStore, since: dt.date | None = None) -> Report:
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
        month = f"{received:%Y-%m}"
        note = record.get("from") if isinstance(record.get("from"), str) and record.get("from") else NO_NOTE
        report.total += 1
        report.by_month[month] += 1
        report.by_note[note] += 1
        report.by_status[str(record.get("status", "new"))] += 1
        report.by_month_and_note[(month, note)] += 1
    return report


def chart_svg(report: Report) -> bytes:
    import pygal

    # pygal adds an import hook for its map plugins, which this report does not use; Python warns on each
    # later import that it lacks find_spec, so it is taken out again.
    sys.meta_path[:] = [hook for hook in sys.meta_path if type(hook).__module__ != "pygal"]
    months = sorted(report.by_month)
    leading = [note for note, _ in report.by_note.most_common(CHART_SERIES)]
    chart = pygal.StackedBar(
        title="Proposals per month, by the note they came from",
        x_title="month received",
        y_title="proposals",
        legend_at_bottom=True,
        truncate_legend=60,
        disable_xml_declaration=False,
        print_values=False,
    )
    chart.x_labels = months
    for note in leading:
        chart.add(note, [report.by_month_and_note[(month, note)] or None for month in months])
    rest = [
        sum(count for (m, note), count in report.by_month_and_note.items() if m == month and note not in leading)
        for month in months
    ]
    if any(rest):
        chart.add("other notes", [count or None for count in rest])
    return chart.render()
