"""The operator's `impart proposals` commands, run against folders written by the real ProposalStore."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest

from impart.cli import main
from impart.intake.definition import load_form
from impart.intake.mail_message import operator_mail
from impart.intake.storage import ProposalStore
from impart.intake.workflow import STATUSES, mark
from tests.helpers.proposals import DAY, NOV_27, run, save, snapshot
from tests.helpers.site import PROJECT

NOV_28 = NOV_27 + DAY

HOSTILE = {
    "name": "Ada\nLovelace\n",
    "organisation": "---\nkey: value\n...",
    "use_case": "!!python/object:os.system",
    "cost_line": "0o17",
    "timeline": "true",
    "role": "null",
    "operator": "שלום עולם / مرحبا بالعالم",
    "success_measure": "🚀 ship it 👩🏽‍💻",
    "rollback": "  leading and trailing spaces  ",
    "website": "",
    "consent": True,
}


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "proposals"


# -- list -------------------------------------------------------------------------


def test_list_is_newest_first_and_skips_temp_and_internal_files(capsys, folder):
    older = save(folder, NOV_27, organisation="Older Ltd", name="Ann", cost_line="£10k a month")
    newer = save(folder, NOV_28, organisation="Newer plc", name="Bob", cost_line="£2k a month")
    (folder / ".tmp-xyz").write_text('{"reference": "left by a crash"}')
    (folder / ".state" / "notes.json").write_text("{}")
    assert (folder / ".state").is_dir()

    code, out, err = run(capsys, "list", "--proposals", str(folder))

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["reference", "received", "status"]
    assert [line.split()[0] for line in lines[1:]] == [newer, older]
    assert "2026-11-28T16:44:37Z" in lines[1] and "new" in lines[1] and "Newer plc" in lines[1]
    assert "Bob" in lines[1] and "£2k a month" in lines[1]
    assert "crash" not in out and "notes" not in out


def test_list_shows_an_unreadable_file_instead_of_crashing(capsys, folder):
    good = save(folder, NOV_27, organisation="Fine Ltd")
    (folder / "20261128-000000-ABCDEF.json").write_text("{not json", encoding="utf-8")
    before = snapshot(folder)

    code, out, _ = run(capsys, "list", "--proposals", str(folder))

    assert code == 0
    assert out.splitlines()[1].split()[:2] == ["20261128-000000-ABCDEF", "unreadable"]
    assert out.splitlines()[2].split()[0] == good
    assert snapshot(folder) == before


def test_list_truncates_long_and_multiline_values_to_one_line(capsys, folder):
    save(folder, NOV_27, organisation="A" * 200, name="two\nlines", cost_line="\x1b[31mred")

    _, out, _ = run(capsys, "list", "--proposals", str(folder))

    line = out.splitlines()[1]
    assert "A" * 200 not in line and "…" in line
    assert "two lines" in line
    assert "\x1b" not in out and "\\x1b[31mred" in line


def test_list_quarantine_shows_the_reason(capsys, folder):
    save(folder, NOV_27, organisation="Real Ltd")
    store = ProposalStore(folder, clock=lambda: NOV_28)
    bot = store.quarantine({"name": "Bot"}, version=1, came_from="", reason="honeypot filled")

    code, out, _ = run(capsys, "list", "--quarantine", "--proposals", str(folder))

    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == [bot]
    assert "quarantined" in out and "honeypot filled" in out and "Real Ltd" not in out


def test_list_of_an_empty_folder(capsys, folder):
    ProposalStore(folder).prepare()
    before = snapshot(folder)

    code, out, err = run(capsys, "list", "--proposals", str(folder))

    assert (code, out, err) == (0, f"no proposals in {folder}\n", "")
    assert snapshot(folder) == before


def test_list_of_a_missing_folder(capsys, tmp_path):
    code, out, err = run(capsys, "list", "--proposals", str(tmp_path / "nowhere"))

    assert (code, out) == (2, "")
    assert err == f"{tmp_path / 'nowhere'}: no such folder; pass --proposals DIR\n"
    assert list(tmp_path.iterdir()) == []


def test_list_defaults_to_the_proposals_folder_here(capsys, folder, monkeypatch):
    reference = save(folder, NOV_27, name="Here")
    monkeypatch.chdir(folder.parent)

    code, out, _ = run(capsys, "list")

    assert code == 0 and reference in out


# -- show -------------------------------------------------------------------------


def test_show_json_round_trips_hostile_values_exactly(capsys, folder):
    reference = save(folder, NOV_27, **HOSTILE)
    before = snapshot(folder)

    code, out, err = run(capsys, "show", reference, "--json", "--proposals", str(folder))

    assert (code, err) == (0, "")
    record = json.loads(out)
    assert record["fields"] == HOSTILE
    assert record == json.loads((folder / f"{reference}.json").read_text(encoding="utf-8"))
    assert out == json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    assert snapshot(folder) == before


def test_show_text_lists_metadata_then_fields_with_multiline_values_indented(capsys, folder):
    reference = save(folder, NOV_27, **HOSTILE)

    code, out, _ = run(capsys, "show", reference.lower(), "--proposals", str(folder))

    assert code == 0
    lines = out.splitlines()
    shown = {label: value.strip() for label, _, value in (line.partition(":") for line in lines if line[:1] != " ")}
    assert list(shown)[:6] == ["reference", "received", "status", "form version", "from", "consent"]
    assert shown["reference"] == reference and shown["received"] == "2026-11-27T16:44:37Z"
    assert (shown["status"], shown["form version"], shown["from"]) == ("new", "1", "/field-notes/x/")
    assert shown["consent"] == "yes" and shown["cost line"] == "0o17" and shown["timeline"] == "true"
    assert shown["use case"] == "!!python/object:os.system"
    assert shown["operator"] == HOSTILE["operator"] and shown["success measure"] == HOSTILE["success_measure"]
    name = lines.index("name:")
    assert lines[name + 1 : name + 3] == ["    Ada", "    Lovelace"]
    organisation = lines.index("organisation:")
    assert lines[organisation + 1 : organisation + 4] == ["    ---", "    key: value", "    ..."]


def test_show_labels_answers_with_the_forms_labels_as_the_mail_does(capsys, folder):
    answers = {"name": "Ann Example", "cost_line": "£10k a month", "use_case": "Sort the post"}
    reference = save(folder, NOV_27, **answers)
    labels = load_form(PROJECT / "docs" / "request-a-proposal.md").labels
    mail = operator_mail(
        ProposalStore(folder).load(reference), to=("ops@example.test",), mail_from="site@example.test", labels=labels
    )
    mail_text = mail.get_body(("plain",)).get_content()

    code = main(["--config", str(PROJECT / "mkdocs.yml"), "proposals", "show", reference, "--proposals", str(folder)])
    out, err = capsys.readouterr()

    assert (code, err) == (0, "")
    assert labels["cost_line"] == "Budget band"  # the form as written, so this test cannot pass on names alone
    for name, value in answers.items():
        assert f"{labels[name]}: {value}" in mail_text
        assert re.search(rf"^{re.escape(labels[name])}:\s+{re.escape(value)}$", out, re.MULTILINE), out
    assert "cost line" not in out and "use case" not in out


def test_show_finds_a_quarantined_submission(capsys, folder):
    ProposalStore(folder).prepare()
    bot = ProposalStore(folder).quarantine({"name": "Bot"}, version=1, came_from="", reason="honeypot filled")

    code, out, _ = run(capsys, "show", bot, "--proposals", str(folder))

    assert code == 0
    assert "status: quarantined" in " ".join(out.split()) and "reason: honeypot filled" in " ".join(out.split())


@pytest.mark.parametrize("reference", ["20261127-164437-ZZZZZZ", "../../etc/passwd", "20261127", ""])
def test_show_an_unknown_or_malformed_reference(capsys, folder, reference):
    save(folder, NOV_27, name="Someone")
    before = snapshot(folder)

    code, out, err = run(capsys, "show", reference, "--proposals", str(folder))

    assert (code, out) == (2, "")  # one exit code for a reference that names nothing: impart.cli.errors
    assert err == f"{reference}: no proposal with this reference in {folder}; see impart proposals list\n"
    assert snapshot(folder) == before


# -- export -----------------------------------------------------------------------


def test_export_csv_neutralises_formulas_and_keeps_ordinary_text(capsys, folder):
    first = save(folder, NOV_27, name="=SUM(1)", organisation="+1", role="-1", consent=True)
    second = save(
        folder, NOV_28, name="@x", organisation="\t=1", cost_line="  =evil()", use_case="Plain text, with a comma"
    )
    before = snapshot(folder)

    code, out, err = run(capsys, "export", "--csv", "--no-bom", "--proposals", str(folder))

    assert (code, err) == (0, "")
    header, *rows = csv.reader(io.StringIO(out))
    assert header == [
        *("reference", "received", "status", "form_version", "from", "consent"),
        *("name", "organisation", "role", "cost_line", "use_case"),
    ]
    assert rows[0] == [first, "2026-11-27T16:44:37Z", "new", "1", "/field-notes/x/", "true"] + [
        "'=SUM(1)",
        "'+1",
        "'-1",
        "",
        "",
    ]
    assert rows[1][0] == second and rows[1][5] == "false"
    assert rows[1][6:] == ["'@x", "'\t=1", "", "'  =evil()", "Plain text, with a comma"]
    assert snapshot(folder) == before


def test_export_keeps_multiline_and_unicode_values_whole(capsys, folder):
    save(folder, NOV_27, **HOSTILE)

    _, out, _ = run(capsys, "export", "--csv", "--no-bom", "--proposals", str(folder))

    header, row = csv.reader(io.StringIO(out))
    exported = dict(zip(header, row, strict=True))
    assert exported["name"] == "Ada\nLovelace\n"
    assert exported["organisation"] == "'---\nkey: value\n..."
    assert exported["operator"] == HOSTILE["operator"] and exported["success_measure"] == HOSTILE["success_measure"]
    assert exported["consent"] == "true"


def test_export_to_a_file_is_private(capsys, folder, tmp_path):
    reference = save(folder, NOV_27, name="Ann")
    target = tmp_path / "out.csv"

    code, out, _ = run(capsys, "export", "--csv", "--output", str(target), "--proposals", str(folder))

    assert code == 0 and out == f"1 proposal(s) written to {target}\n"
    assert list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))[1][0] == reference
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_export_that_cannot_be_written_says_what_to_do_and_writes_nothing(capsys, folder, tmp_path):
    save(folder, NOV_27, name="Ann")
    target = tmp_path / "no-such-folder" / "out.csv"

    code, out, err = run(capsys, "export", "--csv", "--output", str(target), "--proposals", str(folder))

    assert (code, out) == (1, "")
    assert err == (
        f"{target}: cannot write: No such file or directory; nothing was written; "
        "name a file (not a symbolic link) in a folder this account can write\n"
    )
    assert not target.parent.exists()


def test_export_requires_csv(capsys, folder):
    save(folder, NOV_27, name="Ann")
    before = snapshot(folder)

    with pytest.raises(SystemExit) as exit_:
        run(capsys, "export", "--proposals", str(folder))

    assert exit_.value.code == 2
    assert "--csv" in capsys.readouterr().err
    assert snapshot(folder) == before


# -- purge ------------------------------------------------------------------------


@pytest.fixture
def aged(folder):
    """Two proposals closed without an engagement and a quarantined submission 40 days old, and one proposal a
    day old."""
    now = time.time()
    old = [save(folder, now - 40 * DAY, name="Old one"), save(folder, now - 40 * DAY, name="Old two")]
    mark(ProposalStore(folder), old[0], "declined")
    mark(ProposalStore(folder), old[1], "withdrawn")
    bot = ProposalStore(folder, clock=lambda: now - 40 * DAY).quarantine(
        {"name": "Bot"}, version=1, came_from="", reason="honeypot filled"
    )
    recent = save(folder, now - DAY, name="Recent")
    return old, bot, recent


def test_purge_removes_only_the_older_ones(capsys, folder, aged):
    old, bot, recent = aged

    code, out, err = run(capsys, "purge", "--older-than", "30", "--proposals", str(folder))

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        *sorted(old, reverse=True),
        f"quarantine/{bot}",
        "purged 3 proposal(s) older than 30 day(s)",
    ]
    assert ProposalStore(folder).references() == [recent]
    assert ProposalStore(folder).references(folder / "quarantine") == []


def test_purge_dry_run_removes_nothing(capsys, folder, aged):
    old, bot, _ = aged
    before = snapshot(folder)

    code, out, _ = run(capsys, "purge", "--older-than", "30", "--dry-run", "--proposals", str(folder))

    assert code == 0
    assert out.splitlines()[:-1] == [*sorted(old, reverse=True), f"quarantine/{bot}"]
    assert out.splitlines()[-1].startswith("would purge 3 proposal(s) older than 30 day(s)")
    assert snapshot(folder) == before


def test_purge_keeps_everything_younger_than_the_cutoff(capsys, folder, aged):
    before = snapshot(folder)

    code, out, _ = run(capsys, "purge", "--older-than", "41", "--proposals", str(folder))

    assert (code, out) == (0, "purged 0 proposal(s) older than 41 day(s)\n")
    assert snapshot(folder) == before


@pytest.fixture
def every_status(folder):
    """A proposal 40 days old in each status, by status, and one with a file that is not JSON."""
    old = time.time() - 40 * DAY
    references = {}
    for status in STATUSES:
        references[status] = save(folder, old, name=f"In {status}")
        if status != "new":
            mark(ProposalStore(folder), references[status], status)
    damaged = save(folder, old, name="Damaged")
    (folder / f"{damaged}.json").write_text("{not json", encoding="utf-8")
    return references, damaged


@pytest.mark.parametrize("dry_run", [False, True], ids=["purge", "dry-run"])
def test_purge_keeps_open_and_won_proposals_as_the_privacy_note_promises(capsys, folder, every_status, dry_run):
    references, damaged = every_status
    closed = sorted((references["declined"], references["withdrawn"], references["spam"]), reverse=True)
    before = snapshot(folder)

    code, out, err = run(
        capsys, "purge", "--older-than", "30", *(["--dry-run"] if dry_run else []), "--proposals", str(folder)
    )

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:-2] == closed
    assert lines[-1] == (
        "kept 5 older proposal(s) still open or won; mark them declined or withdrawn once closed,"
        " or pass --include-active to delete them too"
    )
    if dry_run:
        assert snapshot(folder) == before
    else:
        kept = {references[s] for s in ("new", "in-review", "proposal-sent", "won")} | {damaged}
        assert set(ProposalStore(folder).references()) == kept
        assert json.loads((folder / f"{references['won']}.json").read_text(encoding="utf-8"))["status"] == "won"


def test_purge_include_active_deletes_open_and_won_ones_too(capsys, folder, every_status):
    code, out, err = run(capsys, "purge", "--older-than", "30", "--include-active", "--proposals", str(folder))

    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"purged {len(STATUSES) + 1} proposal(s) older than 30 day(s)"
    assert ProposalStore(folder).references() == []


def test_the_privacy_note_names_what_purge_keeps():
    page = (PROJECT / "docs" / "request-a-proposal.md").read_text(encoding="utf-8")
    privacy = page[page.index("{#privacy}") :]

    # purge --older-than 365 deletes declined and withdrawn ones; it keeps open ones and won ones.
    assert "twelve months" in privacy and "no engagement follows" in privacy
    assert "decline the work" in privacy and "not to go ahead" in privacy
    assert "still discussing it with you, we keep it" in privacy
    assert "if we do work together, it stays" in privacy


@pytest.mark.parametrize("days", ["0", "-3", "abc", "nan", "inf", "1e9", ""])
def test_purge_refuses_a_days_that_is_not_a_positive_number(capsys, folder, aged, days):
    before = snapshot(folder)

    with pytest.raises(SystemExit) as exit_:
        run(capsys, "purge", f"--older-than={days}", "--proposals", str(folder))

    assert exit_.value.code == 2
    assert "--older-than" in capsys.readouterr().err
    assert snapshot(folder) == before


def test_purge_of_a_missing_folder(capsys, tmp_path):
    code, out, err = run(capsys, "purge", "--older-than", "30", "--proposals", str(tmp_path / "nowhere"))

    assert (code, out) == (2, "")
    assert err == f"{tmp_path / 'nowhere'}: no such folder; pass --proposals DIR\n"
    assert list(tmp_path.iterdir()) == []
