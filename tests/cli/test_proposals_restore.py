"""`impart proposals restore`: a backup back into an empty folder; a bad archive, a served folder or one that
holds records is refused in one line, exit 2, with nothing written anywhere."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import stat
import tarfile

import pytest

from impart.cli import main
from impart.intake.backup import MANIFEST, write_backup
from impart.intake.folder_hold import FolderBusy, hold_alone, hold_for_serving
from impart.intake.outbox import Outbox
from impart.intake.storage import ProposalStore
from tests.helpers.proposals import snapshot
from tests.helpers.site import PROJECT
from tests.helpers.workflow import run


@pytest.fixture
def archive(tmp_path):
    """A backup of a folder with two proposals, one mail sent and the rest pending."""
    folder = tmp_path / "source"
    store = ProposalStore(folder)
    store.prepare()
    outbox = Outbox(store, ("mail",))
    outbox.prepare()
    store.outbox = outbox
    for name in ("Ada", "Grace"):
        store.save({"name": name}, version=1, came_from="", fingerprint=name)
    sent = sorted((folder / ".state/outbox/pending").iterdir())[0]
    sent.rename(folder / ".state/outbox/sent" / sent.name)
    write_backup(folder, tmp_path / "backup.tar.gz")
    return tmp_path / "backup.tar.gz"


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_restore_puts_back_every_file_0600_in_0700_folders(archive, tmp_path, capsys):
    target = tmp_path / "fresh" / "proposals"

    code, out, err = run(capsys, "restore", str(archive), "--proposals", str(target))

    assert (code, err) == (0, "")
    assert out.startswith(f"{target}: restored 2 proposal(s), 0 quarantined, notifications 1 pending, 1 sent from")
    source = tmp_path / "source"
    assert _files(target) == {k: v for k, v in _files(source).items() if not k.endswith(".lock")}
    assert {stat.S_IMODE(p.stat().st_mode) for p in target.rglob("*") if p.is_file()} == {0o600}
    assert {stat.S_IMODE(p.stat().st_mode) for p in [target, *target.rglob("*")] if p.is_dir()} == {0o700}
    assert not [p for p in target.iterdir() if p.name.startswith((".restore-", ".replaced-"))]


def test_a_folder_holding_records_is_refused_without_replace_and_replaced_with_it(archive, tmp_path, capsys):
    target = tmp_path / "proposals"
    ProposalStore(target).prepare()
    (target / "20260101-000000-AAAAAA.json").write_text("{}")
    (target / "README.md").write_text("the repository's own")
    before = snapshot(target)

    code, out, err = run(capsys, "restore", str(archive), "--proposals", str(target))

    assert (code, out) == (2, "")
    assert err == (
        f"{target}: holds 1 file(s) already; restore into an empty folder, or pass --replace to replace them "
        "(back them up first); nothing was restored\n"
    )
    assert snapshot(target) == before

    code, _, err = run(capsys, "restore", str(archive), "--replace", "--proposals", str(target))

    assert (code, err) == (0, "")
    assert not (target / "20260101-000000-AAAAAA.json").exists()
    assert len(list(target.glob("*.json"))) == 2
    assert (target / "README.md").read_text() == "the repository's own"


def test_an_empty_folder_a_server_has_run_on_is_restored_into(archive, tmp_path, capsys):
    target = tmp_path / "proposals"
    store = ProposalStore(target)
    store.prepare()
    Outbox(store).prepare()
    (target / ".state/acknowledged").mkdir()
    (target / ".state/acknowledged/.lock").touch()

    code, _, err = run(capsys, "restore", str(archive), "--proposals", str(target))

    assert (code, err) == (0, "")
    assert len(list(target.glob("*.json"))) == 2


def test_a_folder_a_server_holds_is_refused_and_a_server_cannot_start_during_a_restore(archive, tmp_path, capsys):
    target = tmp_path / "proposals"
    serving = hold_for_serving(target)
    before = snapshot(target)
    try:
        code, out, err = run(capsys, "restore", str(archive), "--proposals", str(target))
    finally:
        serving.close()
    assert (code, out) == (2, "")
    assert err == (
        f"{target}: impart serve is using this folder; stop it (sudo systemctl stop impart), restore, then start "
        "it; nothing was restored\n"
    )
    assert snapshot(target) == before

    restoring = hold_alone(target)
    try:
        with pytest.raises(FolderBusy, match="a restore is running into this folder"):
            hold_for_serving(target)
    finally:
        restoring.close()


def _tar(members: list[tuple[tarfile.TarInfo, bytes]], manifest: bool = True, unlisted=(), ghosts=()) -> bytes:
    """A tar.gz of the given members, with a manifest that lists each regular file as it is (but those named
    in `unlisted`, and with files named in `ghosts` that the archive does not hold)."""
    buffer = io.BytesIO()
    listed = {name: {"bytes": 0, "sha256": hashlib.sha256(b"").hexdigest()} for name in ghosts}
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            if info.isreg():
                info.size = len(data)
                if info.name not in unlisted:
                    listed[info.name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
        if manifest:
            body = json.dumps({"format": 1, "files": listed}).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def _member(name: str, kind=tarfile.REGTYPE, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info, b"{}\n"


GOOD = _member("proposals/20261201-090000-ABCDEF.json")


def _altered() -> bytes:
    data = bytearray(_tar([GOOD]))
    raw = bytearray(gzip.decompress(bytes(data)))
    raw[raw.index(b"{}\n")] = ord("[")  # the proposal's first byte, after the manifest was made
    return gzip.compress(bytes(raw))


BAD_ARCHIVES = {
    "a link out of the folder": (
        _tar([GOOD, _member("proposals/x.json", tarfile.SYMTYPE, "/etc/passwd")]),
        "member 'proposals/x.json' is a link",
    ),
    "a hard link": (
        _tar([GOOD, _member("proposals/y.json", tarfile.LNKTYPE, "proposals/20261201-090000-ABCDEF.json")]),
        "member 'proposals/y.json' is a link",
    ),
    "a dot-dot path": (
        _tar([GOOD, _member("proposals/../../escaped.json")]),
        "member 'proposals/../../escaped.json' is not a plain path inside proposals/",
    ),
    "an absolute path": (_tar([_member("/tmp/escaped.json")]), "is not a plain path inside proposals/"),
    "outside proposals/": (_tar([_member("elsewhere/a.json")]), "is not a plain path inside proposals/"),
    "a device": (_tar([GOOD, _member("proposals/dev", tarfile.CHRTYPE)]), "is not a regular file"),
    "a fifo": (_tar([GOOD, _member("proposals/fifo", tarfile.FIFOTYPE)]), "is not a regular file"),
    "no manifest": (_tar([GOOD], manifest=False), f"no {MANIFEST}: not an impart backup, or cut short"),
    "cut short": (_tar([GOOD])[:-60], "not a whole .tar.gz"),
    "not gzip": (b"PK\x03\x04 a zip file", "not a whole .tar.gz"),
    "a file the manifest does not list": (
        _tar([GOOD, _member("proposals/extra.json")], unlisted=("proposals/extra.json",)),
        "member 'proposals/extra.json' is not in the manifest",
    ),
    "a file of the manifest missing": (
        _tar([GOOD], ghosts=("proposals/gone.json",)),
        "1 file(s) of the manifest missing, e.g. 'proposals/gone.json'",
    ),
    "altered after it was made": (
        _altered(),
        "member 'proposals/20261201-090000-ABCDEF.json' differs from the manifest",
    ),
}


@pytest.mark.parametrize("case", BAD_ARCHIVES, ids=list(BAD_ARCHIVES))
def test_an_archive_that_is_not_a_whole_backup_is_refused_and_nothing_is_written(tmp_path, capsys, case):
    data, message = BAD_ARCHIVES[case]
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(data)
    target = tmp_path / "restore-here" / "proposals"
    before = set(tmp_path.rglob("*"))

    code, out, err = run(capsys, "restore", str(bad), "--proposals", str(target))

    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(f"{bad}: ") and message in err
    assert err.rstrip().endswith("; nothing was restored")
    assert set(tmp_path.rglob("*")) == before  # the target is not even made
    assert not (tmp_path.parent / "escaped.json").exists() and not (tmp_path / "escaped.json").exists()


def test_a_missing_archive_is_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "restore", str(tmp_path / "none.tar.gz"), "--proposals", str(tmp_path / "p"))
    assert (code, out, err) == (2, "", f"{tmp_path / 'none.tar.gz'}: no such file; nothing was restored\n")
    assert not (tmp_path / "p").exists()


def test_impart_serve_started_during_a_restore_is_refused_in_one_line(tmp_path, capsys):
    target, site = tmp_path / "proposals", tmp_path / "site"
    target.mkdir()
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>t</title>")
    restoring = hold_alone(target)
    try:
        code = main(["--config", str(PROJECT / "mkdocs.yml"), "serve", "--proposals", str(target), "--site", str(site)])
    finally:
        restoring.close()
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"impart serve: {target}: a restore is running into this folder; start the server once it has ended\n"
    assert list(target.iterdir()) == []
