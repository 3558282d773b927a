"""The workflow commands: `mark` (status and history), `list --status`, status in `show`/`export`, and `report`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
import xml.etree.ElementTree as ET

import pytest

from impart.intake.storage import ProposalStore
from impart.intake.workflow import STATUSES, SameStatus, mark
from tests.helpers.proposals import snapshot
from tests.helpers.workflow import NOV, OCT, run, save


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "proposals"


def test_mark_changes_the_status_appends_history_and_keeps_every_answer(folder, capsys):
    reference = save(folder, NOV)
    before = json.loads((folder / f"{reference}.json").read_text())

    code, out, _ = run(
        capsys, "mark", reference.lower(), "in-review", "--note", "Called Ada", "--proposals", str(folder)
    )
    assert code == 0 and out.startswith(f"{reference}: new -> in-review at ")
    run(capsys, "mark", reference, "proposal-sent", "--proposals", str(folder))

    after = json.loads((folder / f"{reference}.json").read_text())
    assert after["status"] == "proposal-sent"
    assert [(h["was"], h["status"], h.get("note")) for h in after["history"]] == [
        ("new", "in-review", "Called Ada"),
        ("in-review", "proposal-sent", None),
    ]
    assert all(dt.datetime.fromisoformat(h["at"].replace("Z", "+00:00")) for h in after["history"])
    assert {k: v for k, v in after.items() if k not in ("status", "history")} == {
        k: v for k, v in before.items() if k != "status"
    }
    assert (folder / f"{reference}.json").stat().st_mode & 0o777 == 0o600
    assert not list(folder.glob(".tmp-*"))


def test_marks_at_once_all_land_in_the_history(folder):
    reference = save(folder, NOV)
    store = ProposalStore(folder)
    refused = []

    def marking(n: int) -> None:
        try:
            mark(store, reference, STATUSES[n % len(STATUSES)], f"n{n}", by="ada")
        except SameStatus:  # a thread that came just after one marking the same status: nothing to change
            refused.append(f"n{n}")

    threads = [threading.Thread(target=marking, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    history = store.load(reference)["history"]
    assert sorted([h["note"] for h in history] + refused) == sorted(f"n{n}" for n in range(12))
    assert len(history) >= 6  # at most one of each pair sharing a status can be refused
    assert [h["was"] for h in history[1:]] == [h["status"] for h in history[:-1]]  # each saw the one before
    assert all(h["was"] != h["status"] for h in history)  # never "won -> won", even when marked at once


def test_status_shows_in_show_list_and_export(folder, capsys):
    won, open_ = save(folder, OCT, name="Winner"), save(folder, NOV, name="Waiting")
    run(capsys, "mark", won, "won", "--note", "signed", "--by", "Grace", "--proposals", str(folder))

    _, shown, _ = run(capsys, "show", won, "--proposals", str(folder))
    assert "status:" in shown and " won" in shown.split("status:")[1].split("\n")[0]
    assert "history:" in shown and "new -> won  by Grace  signed" in shown

    code, listed, _ = run(capsys, "list", "--status", "won", "--proposals", str(folder))
    assert code == 0 and won in listed and open_ not in listed
    _, listed, _ = run(capsys, "list", "--status", "new", "--proposals", str(folder))
    assert open_ in listed and won not in listed

    _, exported, _ = run(capsys, "export", "--csv", "--proposals", str(folder))
    rows = {row["reference"]: row["status"] for row in csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")))}
    assert rows == {won: "won", open_: "new"}


REFUSED = [
    (("mark", "{ref}", "wonn"), "wonn: not a status; choose one of new, in-review, proposal-sent, won, declined"),
    (("mark", "20261120-090000-ZZZZZZ", "won"), "20261120-090000-ZZZZZZ: no proposal with this reference in"),
    (("mark", "../../etc/passwd", "won"), "../../etc/passwd: no proposal with this reference in"),
    (("list", "--status", "lost"), "--status: 'lost' is not a status; choose one of new, in-review"),
]


@pytest.mark.parametrize(("argv", "message"), REFUSED)
def test_an_unknown_status_or_reference_is_one_line_with_the_choices_and_exit_2(folder, capsys, argv, message):
    reference = save(folder, NOV)
    before = snapshot(folder)
    code, _, err = run(capsys, *(arg.format(ref=reference) for arg in argv), "--proposals", str(folder))
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1
    assert snapshot(folder) == before


def test_report_counts_per_month_note_and_status(folder, capsys):
    for n in range(3):
        save(folder, OCT + n, came_from="/field-notes/pilot-to-production/", name=f"O{n}")
    save(folder, NOV, came_from="/field-notes/naming-the-operator/")
    latest = save(folder, NOV + 1, came_from="")
    run(capsys, "mark", latest, "declined", "--proposals", str(folder))
    ProposalStore(folder).quarantine({"name": "spam"}, version=1, came_from="/x/", reason="honeypot filled")

    code, out, _ = run(capsys, "report", "--proposals", str(folder))
    assert code == 0
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[0] == "5 proposal(s)"
    assert {"2026-10 3", "2026-11 2"} <= set(lines)
    assert {"/field-notes/pilot-to-production/ 3", "/field-notes/naming-the-operator/ 1", "(no note) 1"} <= set(lines)
    assert {"new 4", "declined 1"} <= set(lines)

    _, out, _ = run(capsys, "report", "--since", "2026-11-01", "--proposals", str(folder))
    assert out.splitlines()[0] == "2 proposal(s) since 2026-11-01"


def test_report_counts_a_file_named_with_a_date_no_clock_makes_as_unreadable(folder, capsys):
    save(folder, OCT, came_from="/field-notes/pilot-to-production/")
    (folder / "20261399-120000-AAAAAA.json").write_text('{"from": "/x/"}')  # the pattern admits month 13
    code, out, err = run(capsys, "report", "--proposals", str(folder))
    assert code == 0  # it raised ValueError
    assert out.splitlines()[0] == "1 proposal(s)"
    assert err == "20261399-120000-AAAAAA: unreadable; not counted\n"


def test_report_writes_a_bar_chart_as_svg(folder, capsys, tmp_path):
    for n in range(2):
        save(folder, OCT + n, came_from="/field-notes/pilot-to-production/", name=f"O{n}")
    save(folder, NOV, came_from="/field-notes/naming-the-operator/")
    chart = tmp_path / "report.svg"

    code, out, _ = run(capsys, "report", "--svg", str(chart), "--proposals", str(folder))

    assert code == 0 and out.rstrip().endswith(f"chart written to {chart}")
    root = ET.fromstring(chart.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter() if t.text}
    assert {"2026-10", "2026-11", "/field-notes/pilot-to-production/", "/field-notes/naming-the-operator/"} <= texts
    bars = [e for e in root.iter() if e.get("class") == "bar"]
    heights = sorted(float(bar.get("height")) for bar in bars if float(bar.get("height")) > 0)
    assert len(heights) == 2  # one bar per month and note that has proposals
    assert heights[1] == pytest.approx(2 * heights[0])  # two from one note in October, one from the other in November


@pytest.mark.parametrize(
    ("argv", "message"),
    [(("report", "--since", "last week"), "'last week' is not a date; write it as YYYY-MM-DD"),
     (("report", "--since", "2026-13-01"), "'2026-13-01' is not a date")],
)  # fmt: skip
def test_report_refuses_a_date_it_cannot_read(folder, capsys, argv, message):
    save(folder, NOV)
    code, _, err = run(capsys, *argv, "--proposals", str(folder))
    assert code == 2 and message in err


def test_purge_also_drops_the_purged_proposals_notification_records(folder, capsys):
    from impart.intake.outbox import Outbox

    old, kept = save(folder, OCT), save(folder, NOV)
    outbox = Outbox(ProposalStore(folder), ("mail",))
    outbox.prepare()
    outbox.enqueue(old)
    outbox.enqueue(kept)
    outbox.deliver(lambda reference, channel: None)
    days = (dt.datetime.now(dt.UTC) - dt.datetime.fromtimestamp(NOV, dt.UTC)).days - 1 + 20  # between the two
    code, _, _ = run(capsys, "purge", "--older-than", str(days), "--include-active", "--proposals", str(folder))
    assert code == 0
    assert [p.name for p in outbox.sent_dir.iterdir()] == [f"{kept}.mail"]
