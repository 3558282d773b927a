"""`impart proposals backup DEST` and `impart proposals restore ARCHIVE`: the folder as one file, and back.

Under `proposals` because they take the same `--proposals DIR` and act on that
folder alone. `backup` runs beside a serving `impart serve` (impart.intake.backup
says why what it reads is consistent) and only reads the folder; into a folder
DEST it writes `impart-proposals-YYYYMMDD-HHMMSS.tar.gz` (UTC), keeping the
newest `--keep N`. `restore` refuses, in one line, exit 2 and nothing written:
an archive that is not a whole backup, a folder a server holds, a folder that
holds records (unless `--replace`), and an account that is not the folder's
owner (impart.cli.one_account).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from impart.cli.errors import DONE, FOUND, refuse
from impart.cli.one_account import other_account
from impart.intake.backup import write_backup
from impart.intake.folder_hold import hold_alone
from impart.intake.folder_reading import BackupError
from impart.intake.restore import NotABackup, read_backup, records_in, restore

ARCHIVE_NAME = "impart-proposals-{stamp}.tar.gz"
_DATED = re.compile(r"^impart-proposals-\d{8}-\d{6}\.tar\.gz\Z")
_SUFFIXES = (".tar.gz", ".tgz")


def _keep(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of backups from 1 to 10000")
    return int(value)


def _outbox_counts(counts: dict) -> str:
    shown = [
        f"{counts[state]} {state}" for state in ("pending", "sent", "failed", "ended", "damaged") if state in counts
    ]
    return ", ".join(shown) or "none"


def _prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` dated backups in `folder` (only names this command gives)."""
    dated = sorted(path for path in folder.iterdir() if _DATED.match(path.name) and path.is_file())
    old = dated[:-keep]
    for path in old:
        path.unlink()
    return old


def cmd_backup(args) -> int:
    """Write the proposals folder, with its outbox, history and state, as one .tar.gz (0600)."""
    root = Path(args.proposals)
    if not root.is_dir():
        return refuse(f"{args.proposals}: no such folder; pass --proposals DIR")
    dest = Path(args.dest)
    if dest.resolve().is_relative_to(root.resolve()):  # the next backup would hold this one, and so on
        return refuse(f"{dest}: inside the proposals folder; write the backup to a folder elsewhere")
    into_folder = dest.is_dir()
    if into_folder:
        archive = dest / ARCHIVE_NAME.format(stamp=time.strftime("%Y%m%d-%H%M%S", time.gmtime()))
    elif not dest.name.endswith(_SUFFIXES):
        return refuse(f"{dest}: name the archive NAME.tar.gz, or give a folder to write dated backups into")
    elif not dest.parent.is_dir():
        return refuse(f"{dest.parent}: no such folder for the archive; make it first")
    else:
        archive = dest
    if args.keep is not None and not into_folder:
        return refuse(f"--keep: {dest} is one file; give a folder as DEST to keep a series of backups")
    try:
        summary = write_backup(root, archive, replace=not into_folder)
    except FileExistsError:
        print(f"{archive}: a backup of this second is there already; run it again in a second", file=sys.stderr)
        return FOUND
    except (BackupError, OSError) as error:
        print(f"{archive}: not written: {error}", file=sys.stderr)
        return FOUND
    for name in summary.left_out:
        print(f"{root / name}: not a regular file; left out of the backup", file=sys.stderr)
    print(
        f"{archive}: {summary.proposals} proposal(s), {summary.quarantined} quarantined, "
        f"notifications {_outbox_counts(summary.outbox)}; {summary.files} file(s)"
    )
    if args.keep is not None:
        for path in _prune(dest, args.keep):
            print(f"{path}: removed, older than the newest {args.keep}")
    return DONE


def cmd_restore(args) -> int:
    """Put a backup back into the proposals folder: refused while served, or over records without --replace."""
    root = Path(args.proposals)
    refusal = other_account(root)
    if refusal:
        return refuse(refusal)
    archive = Path(args.archive)
    try:
        files, manifest = read_backup(archive)
    except NotABackup as error:
        return refuse(str(error))
    except OSError as error:
        return refuse(f"{archive}: cannot be read: {error.strerror or error}; nothing was restored")
    if root.exists() and not root.is_dir():
        return refuse(f"{root}: not a folder; pass --proposals DIR")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    hold = hold_alone(root)
    if hold is None:
        return refuse(
            f"{root}: impart serve is using this folder; stop it (sudo systemctl stop impart), restore, "
            "then start it; nothing was restored"
        )
    try:
        held = records_in(root)
        if held and not args.replace:
            return refuse(
                f"{root}: holds {held} file(s) already; restore into an empty folder, or pass --replace to "
                "replace them (back them up first); nothing was restored"
            )
        try:
            restored = restore(files, manifest, root)
        except OSError as error:
            print(f"{root}: restore failed, the folder is as it was: {error}", file=sys.stderr)
            return FOUND
    finally:
        hold.close()
    print(
        f"{root}: restored {restored.proposals} proposal(s), {restored.quarantined} quarantined, notifications "
        f"{_outbox_counts(restored.outbox)} from {archive} (made {restored.made}); start the server: it sends what "
        "is pending"
    )
    return DONE


def add_backup_commands(actions, folder: argparse.ArgumentParser) -> None:
    """Add backup and restore to the `impart proposals` sub-parsers."""
    backup = actions.add_parser(
        "backup", parents=[folder], help="write the proposals folder as one .tar.gz, also while it is served"
    )
    backup.add_argument("dest", metavar="DEST", help="a folder (a dated archive goes in it) or NAME.tar.gz")
    backup.add_argument("--keep", type=_keep, metavar="N", help="with a folder: keep only its newest N backups")
    backup.set_defaults(run=cmd_backup)

    restoring = actions.add_parser(
        "restore", parents=[folder], help="put a backup back into an empty proposals folder (server stopped)"
    )
    restoring.add_argument("archive", metavar="ARCHIVE", help="a .tar.gz made by impart proposals backup")
    restoring.add_argument("--replace", action="store_true", help="replace what the folder holds")
    restoring.set_defaults(run=cmd_restore)
