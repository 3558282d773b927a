"""`impart proposals backup`: one 0600 .tar.gz of the folder, read in the order its entries move and under the
senders' claims, so that a restore neither loses what was owed nor re-sends what was sent."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import tarfile
import threading
import time

import pytest

from impart.intake import backup
from impart.intake.outbox import Outbox
from impart.intake.storage import ProposalStore
from tests.helpers.proposals import snapshot
from tests.helpers.workflow import run

OUTBOX = "proposals/.state/outbox"


@pytest.fixture
def folder(tmp_path):
    """A folder as a server leaves it: proposals owing mail and webhook, one mail sent, a quarantined one,
    the acknowledgement ledger, a lock file and a temp file that a backup must leave out."""
    folder = tmp_path / "proposals"
    store = ProposalStore(folder)
    store.prepare()
    outbox = Outbox(store, ("mail", "webhook"))
    outbox.prepare()
    store.outbox = outbox
    references = [store.save({"name": f"N{n}"}, version=1, came_from="", fingerprint=f"b{n}").reference for n in "ABC"]
    store.quarantine({"name": "bot"}, version=1, came_from="", reason="honeypot")
    os.rename(
        folder / ".state/outbox/pending" / f"{references[0]}.mail",
        folder / ".state/outbox/sent" / f"{references[0]}.mail",
    )
    (folder / ".state/acknowledged").mkdir()
    (folder / ".state/acknowledged/.hour").write_text('{"hour": 1, "count": 1}')
    (folder / ".state/marks.lock").touch()
    (folder / ".tmp-0123456789abcdef").write_text("half")
    (folder / "README.md").write_text("the repository's own")
    return folder


def members(archive) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def test_a_backup_is_one_0600_tar_gz_of_what_the_handler_wrote_with_its_manifest(folder, tmp_path, capsys):
    dest = tmp_path / "backups"
    dest.mkdir()
    before = snapshot(folder)

    code, out, err = run(capsys, "backup", str(dest), "--proposals", str(folder))

    [archive] = dest.iterdir()
    assert (code, err) == (0, "")
    assert out.startswith(f"{archive}: 3 proposal(s), 1 quarantined, notifications 5 pending, 1 sent;")
    assert archive.name.startswith("impart-proposals-") and archive.name.endswith(".tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    files = members(archive)
    on_disk = {
        f"proposals/{p.relative_to(folder)}"
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".lock") and not p.name.startswith(".tmp-") and p.name != "README.md"
    }
    assert set(files) == on_disk | {backup.MANIFEST}
    manifest = json.loads(files[backup.MANIFEST])
    assert set(manifest["files"]) == on_disk
    assert manifest["outbox"] == {"pending": 5, "sent": 1}
    assert snapshot(folder) == before  # a backup only reads


def test_keep_leaves_the_newest_dated_backups_and_nothing_else(folder, tmp_path, capsys):
    dest = tmp_path / "backups"
    dest.mkdir()
    for day in ("20261101", "20261102", "20261103"):
        (dest / f"impart-proposals-{day}-030000.tar.gz").write_bytes(b"old")
    (dest / "notes.txt").write_text("the operator's")

    code, _, err = run(capsys, "backup", str(dest), "--keep", "2", "--proposals", str(folder))

    assert (code, err) == (0, "")
    names = sorted(path.name for path in dest.iterdir())
    assert names[0] == "impart-proposals-20261103-030000.tar.gz" and len(names) == 3 and "notes.txt" in names


@pytest.mark.parametrize(
    ("dest", "message"),
    [
        ("out.zip", "out.zip: name the archive NAME.tar.gz, or give a folder to write dated backups into"),
        ("missing/out.tar.gz", "missing: no such folder for the archive; make it first"),
        (
            "proposals/b.tar.gz",
            "proposals/b.tar.gz: inside the proposals folder; write the backup to a folder elsewhere",
        ),
    ],
)
def test_a_destination_that_is_no_archive_name_is_refused_and_nothing_is_written(
    folder, tmp_path, capsys, monkeypatch, dest, message
):
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*"))
    code, out, err = run(capsys, "backup", dest, "--proposals", "proposals")
    assert (code, out, err) == (2, "", message + "\n")
    assert set(tmp_path.rglob("*")) == before


def test_an_entry_being_sent_is_read_once_its_send_is_recorded(folder, tmp_path):
    """A sender holds its claim (the entry's flock) from before the send until the entry is in sent/: the
    backup waits for it, so a mail that was on its way when the backup began is not sent again after a
    restore. Without the wait the archive would hold the entry as pending and the restore would re-send it."""
    [entry] = [p for p in (folder / ".state/outbox/pending").iterdir() if p.name.endswith(".webhook")][:1]
    claimed, done = threading.Event(), threading.Event()

    def sender():
        fd = os.open(entry, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        claimed.set()
        time.sleep(0.5)  # the webhook is being delivered
        os.rename(entry, folder / ".state/outbox/sent" / entry.name)
        os.close(fd)
        done.set()

    thread = threading.Thread(target=sender)
    thread.start()
    claimed.wait(5)
    backup.write_backup(folder, tmp_path / "b.tar.gz")
    thread.join(10)

    files = members(tmp_path / "b.tar.gz")
    assert f"{OUTBOX}/sent/{entry.name}" in files
    assert f"{OUTBOX}/pending/{entry.name}" not in files


def test_an_entry_seen_in_two_states_is_kept_in_the_later_one(folder, tmp_path):
    """Read while it moved: sent beats pending (never re-sent), ended beats pending, pending beats failed
    (an operator's retry moved it back)."""
    pending = folder / ".state/outbox/pending"
    sent_twice, ended_twice, retried = sorted(pending.iterdir())[:3]
    (folder / ".state/outbox/sent" / sent_twice.name).touch()
    (folder / ".state/outbox/ended" / ended_twice.name).write_text('{"attempts": 1}')
    (folder / ".state/outbox/failed" / retried.name).write_text('{"attempts": 9}')

    backup.write_backup(folder, tmp_path / "b.tar.gz")

    files = members(tmp_path / "b.tar.gz")
    states = {name.split("/")[4]: name.split("/")[3] for name in files if name.startswith(OUTBOX + "/")}
    assert {n: s for n, s in states.items() if n in (sent_twice.name, ended_twice.name, retried.name)} == {
        sent_twice.name: "sent",
        ended_twice.name: "ended",
        retried.name: "pending",
    }
    for entry in (sent_twice, ended_twice, retried):
        assert sum(1 for name in files if name.endswith("/" + entry.name)) == 1


def test_a_proposal_stored_before_its_entry_was_indexed_gets_its_entry_in_the_archive(folder, tmp_path):
    reference = sorted(
        p.stem for p in folder.glob("*.json") if (folder / ".state/outbox/pending" / f"{p.stem}.mail").exists()
    )[0]
    for entry in (folder / ".state/outbox/pending").glob(f"{reference}.*"):
        entry.unlink()

    backup.write_backup(folder, tmp_path / "b.tar.gz")

    files = members(tmp_path / "b.tar.gz")
    assert files[f"{OUTBOX}/pending/{reference}.mail"] == files[f"{OUTBOX}/pending/{reference}.webhook"] == b""


def test_a_proposal_stored_after_the_proposals_were_read_leaves_no_entry_without_it(folder, tmp_path, monkeypatch):
    """Its notifications stay out with it: a restore would count them pending, then send nothing for them."""
    read_outbox = backup.outbox_members
    late = []

    def outbox_after_a_late_proposal(root, wait):
        store = ProposalStore(folder)
        store.outbox = Outbox(store, ("mail", "webhook"))
        late.append(store.save({"name": "Late"}, version=1, came_from="", fingerprint="late").reference)
        return read_outbox(root, wait)

    monkeypatch.setattr(backup, "outbox_members", outbox_after_a_late_proposal)
    summary = backup.write_backup(folder, tmp_path / "b.tar.gz")

    files = members(tmp_path / "b.tar.gz")
    assert late and (folder / ".state/outbox/pending" / f"{late[0]}.mail").exists()
    assert not [name for name in files if late[0] in name]
    assert summary.proposals == 3 and summary.outbox == {"pending": 5, "sent": 1}


def test_a_link_in_the_folder_is_named_and_left_out_never_followed(folder, tmp_path, capsys):
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not the handler's")
    (folder / "linked.json").symlink_to(secret)

    code, _, err = run(capsys, "backup", str(tmp_path / "b.tar.gz"), "--proposals", str(folder))

    assert code == 0
    assert err == f"{folder / 'linked.json'}: not a regular file; left out of the backup\n"
    assert not any(b"not the handler's" in data for data in members(tmp_path / "b.tar.gz").values())
