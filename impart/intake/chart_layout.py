"""The geometry of the proposals chart: months across, one stacked bar a month, one colour a note.

The chart is drawn from a template (impart/intake/templates/report-chart.svg.j2)
with nothing but shapes and text: no script, no stylesheet or font from
anywhere, so it opens offline and cannot run anything
(tests/intake/test_report_chart.py opens it in Chromium and records every request).
What a reader needs from it, and what the tests check on a screenshot:
- every month from the first to the last is on the axis, a month without
  proposals included, so a gap reads as a gap;
- the legend sits under the plot, one line a note, and the picture grows to
  hold it, so no name is clipped or overlaps another;
- a note keeps its colour between runs: the colour comes from the note's own
  name, not from where it falls in a count that ties can reorder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Okabe and Ito's colour-blind-safe set with two darker companions; "other notes" is grey, never one of these.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#4B3B8F", "#F0E442")
OTHER_COLOUR = "#8A8A8A"
LEGEND_NAME_LIMIT = 90  # characters; a longer note path ends in an ellipsis, its whole name in the tooltip

PLOT_LEFT, PLOT_TOP, PLOT_HEIGHT = 64, 56, 320
SLOT_WIDTH = 56  # per month: room for "2026-10" written level under its bar
MIN_PLOT_WIDTH = 480
LEGEND_LINE = 22


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Chart:
    title: str
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_width: int
    plot_height: int
    months: list = field(default_factory=list)  # (label, centre x)
    ticks: list = field(default_factory=list)  # (value, y)
    segments: list = field(default_factory=list)
    legend: list = field(default_factory=list)  # (name shown, whole name, colour, y)
    x_title_y: int = 0


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last ("YYYY-MM"), both included."""
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    months = []
    while (year, month) <= end and len(months) < 1200:  # bounded: a century of months at most
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def note_colours(notes: list[str]) -> dict[str, str]:
    """A colour per note chosen by a hash of its name; two notes that land on one colour take the next free one,
    in name order, so the same notes always get the same colours."""
    colours: dict[str, str] = {}
    taken: set[str] = set()
    for note in sorted(notes):
        start = int.from_bytes(hashlib.sha256(note.encode("utf-8")).digest()[:4], "big") % len(PALETTE)
        for step in range(len(PALETTE)):
            colour = PALETTE[(start + step) % len(PALETTE)]
            if colour not in taken or len(taken) >= len(PALETTE):
                break
        colours[note] = colour
        taken.add(colour)
    return colours


def tick_step(top: int) -> int:
    """A step of 1, 2 or 5 times a power of ten giving at most 8 ticks up to top."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if top / (factor * magnitude) <= 8:
                return factor * magnitude
        magnitude *= 10


def shorten(name: str) -> str:
    return name if len(name) <= LEGEND_NAME_LIMIT else name[: LEGEND_NAME_LIMIT - 1] + "…"


def lay_out(title: str, months: list[str], series: list[tuple[str, list[int], bool]]) -> Chart:
    """series: (note, count per month, is the "other notes" sum), in the order they stack from the axis up."""
    plot_width = max(MIN_PLOT_WIDTH, SLOT_WIDTH * len(months))
    totals = [sum(counts[i] for _, counts, _ in series) for i in range(len(months))]
    step = tick_step(max(totals, default=0) or 1)
    top = max(step, -(-max(totals, default=0) // step) * step)
    scale = PLOT_HEIGHT / top
    colours = note_colours([note for note, _, other in series if not other])
    chart = Chart(title, 0, 0, PLOT_LEFT, PLOT_TOP, plot_width, PLOT_HEIGHT)
    slot = plot_width / max(len(months), 1)
    axis_y = PLOT_TOP + PLOT_HEIGHT
    chart.months = [(month, PLOT_LEFT + slot * (i + 0.5)) for i, month in enumerate(months)]
    chart.ticks = [(value, axis_y - value * scale) for value in range(0, top + 1, step)]
    stacked = [0] * len(months)
    for note, counts, other in series:
        colour = OTHER_COLOUR if other else colours[note]
        for i, count in enumerate(counts):
            if not count:
                continue
            y = axis_y - (stacked[i] + count) * scale
            chart.segments.append(
                Segment(PLOT_LEFT + slot * i + slot * 0.15, y, slot * 0.7, count * scale, colour,
                        f"{months[i]}: {count} from {note}")
            )  # fmt: skip
            stacked[i] += count
    chart.x_title_y = axis_y + 44
    legend_top = chart.x_title_y + 30
    # The legend lists the notes as a reader scans it: the largest first, the sum of the rest last.
    for n, (note, _, other) in enumerate(reversed(series)):
        chart.legend.append(
            (shorten(note), note, OTHER_COLOUR if other else colours[note], legend_top + n * LEGEND_LINE)
        )
    longest = max((len(shown) for shown, *_ in chart.legend), default=0)
    chart.width = int(max(PLOT_LEFT + plot_width + 24, PLOT_LEFT + 24 + longest * 7.5))
    chart.height = int(legend_top + len(chart.legend) * LEGEND_LINE + 12)
    return chart
