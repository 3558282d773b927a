"""A backup of the proposals folder, taken while the server stores and sends: one .tar.gz, mode 0600.

No writer is stopped and no new lock is asked of them: the folder is read in an
order that each of its changes can only make safer, and each outbox entry is
read under the writers' own claim.

1. The proposals, then the quarantine and any other folder outside `.state/`.
   A proposal is written whole before its 303 and then only replaced whole, so
   every proposal acknowledged before the backup began is in it.
2. The outbox: `failed/`, then `pending/` (each entry under the same exclusive
   flock a sender holds from claiming it to moving it on, so an entry caught in
   the middle of its send is read once the send has been recorded), `failed/`
   again, `ended/`, `damaged/`, and `sent/` last. An entry moving on while the
   backup runs is therefore seen in its new state or in both: an entry that was
   sent before the backup began always has its `sent/` record in the archive.
3. The rest of `.state/`: whom the site acknowledged, the rate limits, the
   dedupe records.

Then the archive is made self-consistent: of an entry seen in two states the
later one wins (sent, then ended, then pending, then failed: a failed entry that
an operator's retry moved back to pending is pending), and a proposal whose
entry was not yet indexed when `pending/` was read gets an empty pending entry,
as the outbox's own recovery would; an entry whose proposal arrived after the proposals were read stays
out with it. Restored, every notification owed is sent
once, and none that was sent before the backup began is sent again.
Lock files and temp files are left out; nothing of the folder is written.
tests/cli/test_proposals_backup.py proves each race on its own; tests/serve/test_backup_under_load.py proves
the whole under a real server and a real mail server.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from impart.intake.folder_reading import (
    CLAIM_SECONDS,
    PRECEDENCE,
    Member,
    is_skipped,
    mtime,
    outbox_members,
    read_file,
    walk,
)
from impart.intake.outbox import OUTBOX, RETRY_WINDOW, _parse
from impart.intake.storage import QUARANTINE, STATE, fsync_dir, received_at, timestamp

FORMAT = 1
MANIFEST = "impart-backup.json"  # the archive's last member: what it holds, each file's size and SHA-256
TOP = "proposals"  # every other member's name starts with this folder
LEFT_OUT = ("README.md",)  # the repository's own file, not the handler's


@dataclass
class Summary:
    proposals: int = 0
    quarantined: int = 0
    outbox: dict = field(default_factory=dict)  # state -> how many entries
    files: int = 0
    left_out: list = field(default_factory=list)  # what is neither a file nor a folder (a link), by name


def _owed(data: bytes) -> tuple[str, list[str]]:
    """(reference, channels owed) of a proposal file; empty when it is not one the store wrote."""
    try:
        record = json.loads(data)
    except (ValueError, RecursionError):
        return "", []
    if not isinstance(record, dict) or not isinstance(record.get("notify"), list):
        return "", []
    return str(record.get("reference", "")), [c for c in record["notify"] if isinstance(c, str)]


class _ArchiveWriter:
    """Members into a tar.gz, each file's size and SHA-256 noted for the manifest."""

    def __init__(self, fileobj, clock: Callable[[], float]):
        # gzip's own default level: tarfile's 9 takes about twice the time for a few per cent less (bench/backup.py).
        self.tar = tarfile.open(fileobj=fileobj, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6)
        self.files: dict[str, dict] = {}
        self.clock = clock

    def add(self, name: str, data: bytes, mtime: float, mode: int = 0o600) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(mtime), mode
        info.uid = info.gid = 0
        info.uname = info.gname = ""  # the owner is whoever restores it
        self.tar.addfile(info, io.BytesIO(data))
        if name != MANIFEST:
            self.files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def close(self, summary: Summary) -> None:
        manifest = {
            "format": FORMAT,
            "made": timestamp(self.clock()),
            "proposals": summary.proposals,
            "quarantined": summary.quarantined,
            "outbox": summary.outbox,
            "files": self.files,
        }
        self.add(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n", self.clock())
        self.tar.close()


def _proposal_of(member: Member) -> str | None:
    """The reference of an outbox entry's proposal; None for anything else under the outbox."""
    parts = member.name.split("/")
    parsed = _parse(parts[3]) if len(parts) == 4 and parts[2] in (*PRECEDENCE, "damaged") else None
    return parsed[0] if parsed else None


def _snapshot(root: Path, writer: _ArchiveWriter, summary: Summary, wait: float, clock) -> None:
    owed: dict[str, list[str]] = {}
    archived: set[str] = set()  # the proposals in the archive, by reference

    def add(member: Member) -> None:
        writer.add(f"{TOP}/{member.name}", member.data, member.mtime)
        summary.files += 1

    # 1. Proposals first (top-level files), then every folder outside .state/.
    for name, path in walk(root, "", skip=(STATE,)):
        parts = name.split("/")
        if is_skipped(parts[-1]) or name in LEFT_OUT:
            continue
        data = read_file(path)
        if data is None:
            if path.is_symlink() or path.exists():
                summary.left_out.append(name)
            continue
        add(Member(name, data, mtime(path)))
        if len(parts) == 1 and name.endswith(".json"):
            summary.proposals += 1
            archived.add(name[: -len(".json")])
            reference, channels = _owed(data)
            if reference == name[: -len(".json")]:
                owed[reference] = channels
        elif parts[0] == QUARANTINE and len(parts) == 2:
            summary.quarantined += 1
    # 2. The outbox, in the order its entries move.
    # An entry whose proposal was stored after step 1 read the proposals stays out with it: restored alone, it
    # would be counted pending and then dropped, its proposal missing.
    members = [member for member in outbox_members(root, wait) if _proposal_of(member) in archived | {None}]
    states = {}
    for member in members:
        parts = member.name.split("/")
        if len(parts) == 4 and parts[2] in PRECEDENCE:  # a damaged entry's record is no state: it is remade
            states.setdefault(parts[3], set()).add(parts[2])
    # A proposal stored just before `pending/` was read and indexed just after: its entry, as recovery makes it.
    cutoff = clock() - RETRY_WINDOW
    for reference, channels in owed.items():
        received = received_at(reference)
        if received is None or received < cutoff:
            continue
        for channel in channels:
            entry = f"{reference}.{channel}"
            if _parse(entry) is not None and entry not in states:
                members.append(Member(f"{STATE}/{OUTBOX}/pending/{entry}", b"", clock()))
                states[entry] = {"pending"}
    for member in members:
        add(member)
        parts = member.name.split("/")
        if len(parts) == 4:
            summary.outbox[parts[2]] = summary.outbox.get(parts[2], 0) + 1
    # 3. The rest of .state/.
    for name, path in walk(root, STATE, skip=(OUTBOX,)):
        if is_skipped(name.rsplit("/", 1)[1]):
            continue
        data = read_file(path)
        if data is not None:
            add(Member(name, data, mtime(path)))


def write_backup(
    root: Path, archive: Path, *, replace: bool = False, clock: Callable[[], float] = time.time,
    claim_wait: float = CLAIM_SECONDS,
) -> Summary:  # fmt: skip
    """Write the backup of the proposals folder `root` to `archive` (0600), whole or not at all: it is
    written beside as a temp file, fsynced and then named. An existing `archive` is replaced only with
    `replace`, else FileExistsError. BackupError (an OSError) when a file cannot be read or written."""
    root, archive = Path(root), Path(archive)
    temp = archive.parent / f".{archive.name}.{os.getpid()}.partial"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    summary = Summary()
    try:
        with os.fdopen(fd, "wb", closefd=False) as out:
            writer = _ArchiveWriter(out, clock)
            _snapshot(root, writer, summary, claim_wait, clock)
            writer.close(summary)
        os.fsync(fd)
        if replace:
            os.replace(temp, archive)
        else:
            os.link(temp, archive)  # never over an archive already there
        fsync_dir(archive.parent)
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return summary
