"""Records that stay straight: the spam status kept out of the report and export unless asked, a mark to the
status a proposal has refused, and who made each mark kept in the history and shown."""

from __future__ import annotations

import csv
import getpass
import io
import json
import os

import pytest

from impart.intake import workflow
from tests.helpers.proposals import snapshot
from tests.helpers.workflow import NOV, OCT, run, save


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "proposals"


def _history(folder, reference) -> list[dict]:
    return json.loads((folder / f"{reference}.json").read_text())["history"]


def test_spam_is_listed_but_left_out_of_the_export_and_report_unless_asked(folder, capsys):
    real, junk = save(folder, OCT, name="Real"), save(folder, NOV, name="Junk", came_from="/field-notes/spammed/")
    code, out, _ = run(capsys, "mark", junk, "spam", "--proposals", str(folder))
    assert code == 0 and out.startswith(f"{junk}: new -> spam at ")

    _, listed, _ = run(capsys, "list", "--proposals", str(folder))
    assert junk in listed and "spam" in next(line for line in listed.splitlines() if junk in line)
    code, listed, _ = run(capsys, "list", "--status", "spam", "--proposals", str(folder))
    assert code == 0 and junk in listed and real not in listed

    code, exported, err = run(capsys, "export", "--csv", "--proposals", str(folder))
    assert code == 0 and [row["reference"] for row in csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")))] == [
        real
    ]
    assert err == "1 proposal(s) marked spam left out; --include-spam exports them too\n"
    _, exported, err = run(capsys, "export", "--csv", "--include-spam", "--proposals", str(folder))
    rows = {row["reference"]: row["status"] for row in csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")))}
    assert rows == {real: "new", junk: "spam"} and err == ""

    code, report, _ = run(capsys, "report", "--proposals", str(folder))
    assert code == 0
    assert report.startswith("1 proposal(s); 1 marked spam left out (--include-spam counts them)\n")
    assert "spammed" not in report and "2026-11" not in report and "spam" not in report.split("\n", 1)[1]
    _, report, _ = run(capsys, "report", "--include-spam", "--proposals", str(folder))
    assert report.startswith("2 proposal(s)\n")
    assert "/field-notes/spammed/" in report and "2026-11" in report
    assert any(line.split() == ["spam", "1"] for line in report.splitlines())


def test_a_spam_chart_is_not_written_when_only_spam_came(folder, capsys, tmp_path):
    junk = save(folder, NOV)
    run(capsys, "mark", junk, "spam", "--proposals", str(folder))
    chart = tmp_path / "chart.svg"
    code, _, err = run(capsys, "report", "--svg", str(chart), "--proposals", str(folder))
    assert code == 1 and "not written: no proposals" in err and not chart.exists()


@pytest.mark.parametrize("status", ["new", "won", "spam"])
def test_a_mark_to_the_status_it_has_is_refused_in_one_line_and_writes_nothing(folder, capsys, status):
    reference = save(folder, NOV)
    if status != "new":
        assert run(capsys, "mark", reference, status, "--by", "ada", "--proposals", str(folder))[0] == 0
    before = snapshot(folder)

    code, out, err = run(capsys, "mark", reference.lower(), status, "--note", "again", "--proposals", str(folder))

    assert code == 2 and out == ""
    assert err == (
        f"{reference} is already {status}; nothing to mark (impart proposals show {reference}); nothing was written\n"
    )
    assert snapshot(folder) == before


def test_every_mark_records_who_made_it_and_show_prints_it(folder, capsys):
    reference = save(folder, NOV)
    code, out, _ = run(capsys, "mark", reference, "in-review", "--by", "Grace Hopper", "--proposals", str(folder))
    assert code == 0 and out.rstrip().endswith(" by Grace Hopper")
    run(capsys, "mark", reference, "won", "--note", "signed", "--proposals", str(folder))

    history = _history(folder, reference)
    assert [h["by"] for h in history] == ["Grace Hopper", getpass.getuser()]

    _, shown, _ = run(capsys, "show", reference, "--proposals", str(folder))
    lines = shown.split("history:\n")[1].splitlines()
    assert lines[0].endswith("new -> in-review  by Grace Hopper")
    assert lines[1].endswith(f"in-review -> won  by {getpass.getuser()}  signed")


def test_the_marker_is_the_uid_when_the_system_knows_no_login_name(folder, capsys, monkeypatch):
    def no_name():
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_name)
    reference = save(folder, NOV)
    assert run(capsys, "mark", reference, "declined", "--proposals", str(folder))[0] == 0
    assert _history(folder, reference)[0]["by"] == str(os.getuid())


def test_a_history_written_before_marks_named_their_author_shows_it_as_not_recorded(folder, capsys):
    reference = save(folder, NOV)
    path = folder / f"{reference}.json"
    record = json.loads(path.read_text())
    record["status"] = "won"
    record["history"] = [{"at": "2026-11-21T09:00:00Z", "status": "won", "was": "new"}]
    path.write_text(json.dumps(record))
    _, shown, _ = run(capsys, "show", reference, "--proposals", str(folder))
    assert "new -> won  by (not recorded)" in shown


BAD_MARKERS = [
    ("", "--by is empty; give the name of the person marking, up to 100 characters"),
    ("   ", "--by is empty; give the name"),
    ("a" * 101, "--by is 101 characters; give the name"),
    ("ada\nnew -> won", "--by holds a control character; give the name"),
    ("ada\u202egnp.exe", "--by holds a control character; give the name"),
]


@pytest.mark.parametrize(("by", "message"), BAD_MARKERS)
def test_a_bad_marker_is_refused_in_one_line_and_writes_nothing(folder, capsys, by, message):
    reference = save(folder, NOV)
    before = snapshot(folder)
    code, _, err = run(capsys, "mark", reference, "won", "--by", by, "--proposals", str(folder))
    assert code == 2 and err.startswith(message) and err.endswith("; nothing was written\n")
    assert err.count("\n") == 1
    assert snapshot(folder) == before


def test_spam_is_among_the_statuses():
    assert workflow.STATUSES[-1] == "spam" == workflow.SPAM
