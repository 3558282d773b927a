"""Restoring a backup into a proposals folder: checked whole first, never written outside the folder.

Every member of the archive is checked before a byte is written: a regular file
or a folder (no link, device or sparse file), a plain relative name under
`proposals/` (no `/` at the start, no `..` or `.` part, no control character),
no name twice, no file bigger than any record, and each file's size and SHA-256
as the manifest (the archive's last member) lists them, so a cut or altered
archive is refused as a whole. Members are read and written by this module
(never `extractall`, whose guard depends on the interpreter's patch level),
each file created anew (O_EXCL, O_NOFOLLOW, 0600) in a fresh 0700 folder inside
the target, then moved into place by renames. A restore is refused while a
server holds the folder (impart.intake.folder_hold) or while the folder holds
records, unless told to replace them; what it replaces is removed only once
the restored files are in place. tests/cli/test_proposals_restore.py proves each.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from impart.intake.backup import FORMAT, LEFT_OUT, MANIFEST, TOP
from impart.intake.folder_reading import MAX_FILE
from impart.intake.storage import fsync_dir

MAX_MEMBERS = 10_000_000  # a bound on the loop, far past any folder's count
_STAGING = ".restore-"
_REPLACED = ".replaced-"


class NotABackup(ValueError):
    """The archive is not a whole backup this command made; the message says what is wrong, by member."""

    def __init__(self, archive: Path, why: str):
        super().__init__(f"{archive}: {why}; nothing was restored")


@dataclass(frozen=True)
class Restored:
    made: str  # when the backup was made, as its manifest says
    proposals: int
    quarantined: int
    outbox: dict
    files: int


def _checked_name(archive: Path, name: str) -> str:
    """The member's path inside the folder; NotABackup for any name that could reach outside it."""
    if not name or "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise NotABackup(archive, f"member {name!r} has a name no backup writes")
    parts = name.split("/")
    if parts[0] != TOP or len(parts) < 2 or any(part in ("", ".", "..") for part in parts[1:]):
        raise NotABackup(archive, f"member {name!r} is not a plain path inside {TOP}/")
    return "/".join(parts[1:])


def read_backup(archive: Path) -> tuple[dict[str, bytes], dict]:
    """Every file of the backup by its path inside the folder, and its manifest, all checked; NotABackup
    otherwise. Held in memory: a proposals folder is small (a proposal is a few kilobytes)."""
    archive = Path(archive)
    files: dict[str, bytes] = {}
    manifest = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for count, member in enumerate(tar):
                if count >= MAX_MEMBERS:
                    raise NotABackup(archive, f"more than {MAX_MEMBERS} members")
                if member.name == MANIFEST and member.isfile() and manifest is None:
                    manifest = _manifest(archive, tar.extractfile(member).read(MAX_FILE + 1))
                    continue
                if member.isdir() and member.name.rstrip("/") == TOP:
                    continue
                path = _checked_name(archive, member.name.rstrip("/") if member.isdir() else member.name)
                if member.isdir():
                    continue
                if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE) or member.issparse():
                    kind = "a link" if member.issym() or member.islnk() else "not a regular file"
                    raise NotABackup(archive, f"member {member.name!r} is {kind}")
                if member.size > MAX_FILE:
                    raise NotABackup(archive, f"member {member.name!r} is {member.size} bytes, more than a record")
                if path in files:
                    raise NotABackup(archive, f"member {member.name!r} is there twice")
                files[path] = tar.extractfile(member).read(MAX_FILE + 1)
    except FileNotFoundError:
        raise NotABackup(archive, "no such file") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        if isinstance(error, OSError) and error.errno not in (None, 0):
            raise
        raise NotABackup(archive, f"not a whole .tar.gz ({error or type(error).__name__})") from None
    if manifest is None:
        raise NotABackup(archive, f"no {MANIFEST}: not an impart backup, or cut short")
    listed = manifest["files"]
    for path, data in files.items():
        name = f"{TOP}/{path}"
        expected = listed.get(name)
        if expected is None:
            raise NotABackup(archive, f"member {name!r} is not in the manifest")
        if expected != {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}:
            raise NotABackup(archive, f"member {name!r} differs from the manifest")
    missing = sorted(set(listed) - {f"{TOP}/{path}" for path in files})
    if missing:
        raise NotABackup(archive, f"{len(missing)} file(s) of the manifest missing, e.g. {missing[0]!r}")
    return files, manifest


def _manifest(archive: Path, data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError:
        manifest = None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise NotABackup(archive, f"{MANIFEST} is not one this version writes (format {FORMAT})")
    if not all(isinstance(v, dict) for v in manifest["files"].values()):
        raise NotABackup(archive, f"{MANIFEST} lists a file without its size and checksum")
    return manifest


def records_in(root: Path) -> int:
    """How many files the folder holds beyond its README and lock files: 0 for a folder a restore may fill."""
    count = 0
    for folder, _, names in os.walk(root):  # links to folders are not followed
        for name in names:
            relative = os.path.relpath(os.path.join(folder, name), root)
            if relative in LEFT_OUT or name.endswith(".lock"):
                continue
            count += 1
    return count


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _unpack(files: dict[str, bytes], staging: Path) -> None:
    made = {staging}
    for path, data in sorted(files.items()):
        target = staging.joinpath(*path.split("/"))
        for folder in reversed(target.parents):
            if folder in made or not folder.is_relative_to(staging):
                continue
            folder.mkdir(mode=0o700)  # fresh, under a fresh folder: nothing can be there already
            made.add(folder)
        _write_new(target, data)
    # One flush of every file and folder before any is moved into place: a restore of thousands of files
    # fsynced one by one took minutes on a shared disk (bench/backup.py), this takes seconds.
    os.sync()


def restore(files: dict[str, bytes], manifest: dict, root: Path) -> Restored:
    """Put the checked files into `root`, replacing what it holds (the caller has checked it may): staged in a
    fresh folder inside it, then each top-level name moved into place; the old ones go once all are in, and
    a failure part way puts them back."""
    root = Path(root)
    token = secrets.token_hex(6)
    staging, replaced = root / f"{_STAGING}{token}", root / f"{_REPLACED}{token}"
    staging.mkdir(mode=0o700)
    moved_aside, moved_in, done = [], [], False
    try:
        _unpack(files, staging)
        replaced.mkdir(mode=0o700)
        for name in sorted(os.listdir(root)):
            if name not in LEFT_OUT and name not in (staging.name, replaced.name):
                os.rename(root / name, replaced / name)
                moved_aside.append(name)
        for name in sorted(os.listdir(staging)):
            os.rename(staging / name, root / name)
            moved_in.append(name)
        fsync_dir(root)
        done = True
    except BaseException:
        for name in moved_in:  # a failed restore leaves the folder as it was
            with contextlib.suppress(OSError):
                os.rename(root / name, staging / name)
        for name in moved_aside:
            with contextlib.suppress(OSError):
                os.rename(replaced / name, root / name)
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
        with contextlib.suppress(OSError):
            # Emptied when it failed: anything left in it could not be put back and stays for the operator.
            shutil.rmtree(replaced) if done else replaced.rmdir()
    return Restored(
        made=str(manifest.get("made", "")),
        proposals=int(manifest.get("proposals", 0)),
        quarantined=int(manifest.get("quarantined", 0)),
        outbox=dict(manifest.get("outbox", {})),
        files=len(files),
    )
