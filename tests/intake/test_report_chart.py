"""The chart `impart proposals report --svg` writes, as a reader opens it.

It holds no script and no reference to anything outside itself, opens in
Chromium without one request beyond the file, is written 0600 like exports,
shows every month (empty ones too), keeps its legend inside the picture and
gives a note the same colour on every run. A screenshot of a year of data goes
to artifacts/report-chart.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import os
import xml.etree.ElementTree as ET

import pytest

from tests.helpers.site import PROJECT
from tests.helpers.workflow import run, save

SVG = "{http://www.w3.org/2000/svg}"
NOTES = [f"/field-notes/{name}/" for name in (
    "pilot-to-production", "naming-the-operator", "what-the-runbook-forgot-about-quarterly-rotations-and-their-owners",
    "cost-lines", "handover", "the-second-vendor", "evaluation-sets", "on-call-for-models", "retiring-a-model",
    "budget-review",
)]  # fmt: skip
EMPTY_MONTHS = {3, 7}  # April and August 2026 have no proposals


def year_of_proposals(folder, order=1) -> None:
    """Proposals across 2026 from ten notes (so the last two are summed as "other notes"), two months empty."""
    rows = []
    for month in range(12):
        if month in EMPTY_MONTHS:
            continue
        for n, note in enumerate(NOTES):
            for k in range((month + n) % 3 if n < 8 else 1):
                rows.append((dt.datetime(2026, month + 1, 1 + n + k, 9, tzinfo=dt.UTC).timestamp(), note))
    for at, note in rows[::order]:
        save(folder, at, came_from=note)


def write_chart(capsys, folder, path) -> ET.Element:
    code, out, err = run(capsys, "report", "--svg", str(path), "--proposals", str(folder))
    assert code == 0, err
    return ET.fromstring(path.read_bytes())


@pytest.fixture
def year_chart(tmp_path, capsys):
    folder = tmp_path / "proposals"
    year_of_proposals(folder)
    return write_chart(capsys, folder, tmp_path / "chart.svg"), tmp_path / "chart.svg"


def test_the_chart_holds_no_script_and_refers_to_nothing_outside_itself(year_chart):
    root, path = year_chart
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"script", "foreignObject", "image", "use", "a", "style"}
    attributes = [(name, value) for element in root.iter() for name, value in element.attrib.items()]
    assert not [name for name, _ in attributes if name.lower().startswith("on")]
    assert not [value for _, value in attributes if "url(" in value or "//" in value.replace(SVG, "")]
    assert b"<script" not in path.read_bytes() and b"javascript:" not in path.read_bytes()


def test_the_chart_opens_in_chromium_without_a_single_request(year_chart, browser):
    _, path = year_chart
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        shown = page.evaluate("document.querySelectorAll('rect.bar').length")
    finally:
        page.close()
    assert requests == [path.as_uri()]  # the file itself, nothing else
    assert errors == [] and shown > 0


def test_the_chart_is_written_for_the_operator_only_even_over_an_open_file(tmp_path, capsys):
    folder = tmp_path / "proposals"
    save(folder, dt.datetime(2026, 10, 5, tzinfo=dt.UTC).timestamp())
    chart = tmp_path / "chart.svg"
    chart.write_text("old")
    chart.chmod(0o644)
    previous = os.umask(0o022)
    try:
        write_chart(capsys, folder, chart)
        fresh = tmp_path / "fresh.svg"
        write_chart(capsys, folder, fresh)
    finally:
        os.umask(previous)
    assert oct(chart.stat().st_mode & 0o777) == "0o600" and oct(fresh.stat().st_mode & 0o777) == "0o600"


def test_a_symlink_where_the_chart_goes_is_refused_and_its_target_left_alone(tmp_path, capsys):
    folder = tmp_path / "proposals"
    save(folder, dt.datetime(2026, 10, 5, tzinfo=dt.UTC).timestamp())
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    (tmp_path / "chart.svg").symlink_to(target)
    code, _, err = run(capsys, "report", "--svg", str(tmp_path / "chart.svg"), "--proposals", str(folder))
    assert code == 1 and err.startswith(f"{tmp_path / 'chart.svg'}: cannot write:")
    assert err.rstrip("\n").endswith(
        "; nothing was written; name a file (not a symbolic link) in a folder this account can write"
    )
    assert target.read_text() == "keep me"


def test_every_month_is_on_the_axis_in_order_the_empty_ones_too(year_chart):
    root, _ = year_chart
    months = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "month"]
    assert months == [f"2026-{m:02d}" for m in range(1, 13)]


def test_each_note_keeps_its_colour_between_runs_and_the_legend_matches_the_bars(tmp_path, capsys):
    colours = []
    for order in (1, -1):  # the same proposals saved in the opposite order: the counts tie differently
        folder = tmp_path / f"proposals{order}"
        year_of_proposals(folder, order)
        root = write_chart(capsys, folder, tmp_path / f"chart{order}.svg")
        legend = {}
        for entry in root.iter(f"{SVG}g"):
            if entry.get("class") == "legend-entry":
                legend[entry.find(f"{SVG}title").text] = entry.find(f"{SVG}rect").get("fill")
        bars = {bar.find(f"{SVG}title").text.split(" from ", 1)[1]: bar.get("fill") for bar in root.iter(f"{SVG}rect")
                if bar.get("class") == "bar"}  # fmt: skip
        assert bars == legend  # a bar has its note's legend colour
        colours.append(legend)
    assert colours[0] == colours[1]
    named = {note: colour for note, colour in colours[0].items() if note != "other notes"}
    assert len(set(named.values())) == len(named) == 8  # the eight leading notes, eight colours


def test_a_year_of_data_fits_the_picture_nothing_clipped_nothing_overlapping(year_chart, browser):
    _, path = year_chart
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(path.as_uri())
        boxes = page.evaluate(
            """() => {
                const svg = document.documentElement.getBoundingClientRect();
                const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
                return {svg: box(document.documentElement),
                        legend: [...document.querySelectorAll('.legend text')].map(box),
                        months: [...document.querySelectorAll('text.month')].map(box),
                        all: [...document.querySelectorAll('text, rect')].map(box)};
            }"""
        )
        left, top, right, bottom = boxes["svg"]
        artifacts = PROJECT / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.set_viewport_size({"width": int(right) + 1, "height": int(bottom) + 1})
        page.screenshot(path=str(artifacts / "report-chart.png"))
    finally:
        page.close()
    for x0, y0, x1, y1 in boxes["all"]:
        assert left <= x0 and x1 <= right + 0.5 and top <= y0 and y1 <= bottom + 0.5  # nothing drawn outside
    for kind in ("legend", "months"):
        row = boxes[kind]
        for a, b in zip(row, row[1:], strict=False):  # neighbours never overlap
            assert a[2] <= b[0] or a[3] <= b[1], (kind, a, b)
