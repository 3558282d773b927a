"""The operator's `impart proposals` commands: list, show, export, purge, mark, outbox, notify, report, backup
and restore.

They read the folder through ProposalStore; only `purge` deletes, only `mark` changes a proposal (its status
and history, never the answers), only `notify` sends, only `restore` replaces the folder's contents.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import sys
from pathlib import Path

from impart.cli.errors import cannot_write, unknown_reference
from impart.cli.formatting import cell as _cell
from impart.cli.formatting import text as _text
from impart.cli.proposals_backup import add_backup_commands
from impart.cli.proposals_folder import folder_option, open_store_to_write
from impart.cli.proposals_folder import open_store as _open_store
from impart.cli.proposals_workflow import add_workflow_commands
from impart.intake.definition import site_labels
from impart.intake.operator_text import json_shown, shown
from impart.intake.outbox import Outbox
from impart.intake.records import METADATA, UNREADABLE, export_csv, fields_of, notification_states, read_record
from impart.intake.storage import QUARANTINE, ProposalStore
from impart.intake.workflow import SPAM, STATUSES

# Closed without an engagement: what the privacy note lets purge delete by age (spam is never an engagement).
CLOSED_UNENGAGED = ("declined", "withdrawn", "spam")
MAX_DAYS = 36500  # a century; far beyond it the store's date arithmetic overflows
_LIST_COLUMNS = (("reference", 22), ("received", 20), ("status", 11), ("organisation", 24), ("name", 20))
_LAST_WIDTH = 40


# -- shared helpers -------------------------------------------------------------


# -- list -------------------------------------------------------------------------


def cmd_list(args) -> int:
    """One line per proposal, newest first."""
    store = _open_store(args)
    if store is None:
        return 2
    if args.status is not None and args.status not in STATUSES:
        print(f"--status: {args.status!r} is not a status; choose one of {', '.join(STATUSES)}", file=sys.stderr)
        return 2
    folder = store.quarantine_dir if args.quarantine else store.root
    records = [(reference, read_record(store, reference, folder)) for reference in store.references(folder)]
    if args.status is not None:
        records = [(ref, record) for ref, record in records if (record or {}).get("status") == args.status]
    if not records:
        print(f"no proposals in {folder}" + (f" with status {args.status}" if args.status else ""))
        return 0
    last = "reason" if args.quarantine else "cost line"
    widths = [width for _, width in _LIST_COLUMNS]
    print("  ".join(f"{title:<{width}}" for title, width in _LIST_COLUMNS) + f"  {last}")
    for reference, record in records:
        if record is None:
            row = [reference, "", UNREADABLE, "", ""]
            tail = ""
        else:
            fields = fields_of(record)
            row = [
                reference,
                record.get("received"),
                record.get("status"),
                fields.get("organisation"),
                fields.get("name"),
            ]
            tail = record.get("reason") if args.quarantine else fields.get("cost_line")
        cells = [f"{_cell(value, width):<{width}}" for value, width in zip(row, widths, strict=True)]
        print(("  ".join(cells) + "  " + _cell(tail, _LAST_WIDTH)).rstrip())
    return 0


# -- show -------------------------------------------------------------------------


def _history_lines(record: dict) -> list[str]:
    history = record.get("history")
    if not isinstance(history, list) or not history:
        return []
    lines = ["history:"]
    for change in history:
        if isinstance(change, dict):
            note = f"  {_text(change.get('note'))}" if change.get("note") else ""
            # Marks made before the history named its author have no `by`: shown as unknown, never guessed.
            by = f"  by {_text(change.get('by'))}" if change.get("by") else "  by (not recorded)"
            lines.append(
                f"    {_text(change.get('at'))}  {_text(change.get('was'))} -> {_text(change.get('status'))}{by}{note}"
            )
    return lines


def _notified_lines(store: ProposalStore, record: dict) -> list[str]:
    states = notification_states(store, record)
    if not states:
        return []
    lines = ["notifications:"]
    for state in states:
        channel = _text(state.channel)
        if state.state == "sent":
            lines.append(f"    {channel}: sent")
        elif state.state == "unindexed":
            lines.append(f"    {channel}: not yet indexed; impart proposals notify sends it")
        else:
            error = f": {_text(state.last_error)}" if state.last_error else ""
            lines.append(f"    {channel}: {state.state} after {state.attempts} attempt(s){error}")
    return lines


def _show_text(record: dict, extra_lines: list[str] = (), labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    entries = [(key.replace("_", " "), record[key]) for key in (*METADATA, "reason") if key in record]
    fields = [(shown(labels.get(name) or name.replace("_", " ")), value) for name, value in fields_of(record).items()]
    width = max((len(label) for label, _ in entries + fields), default=0) + 1
    lines = []
    for group in (entries, fields):
        for label, value in group:
            text = _text(value)
            if "\n" in text:
                lines.append(f"{label}:")
                lines += [f"    {line}".rstrip() for line in text.split("\n")]
            else:
                lines.append(f"{label + ':':<{width}} {text}".rstrip())
        lines.append("")
    lines += extra_lines
    return "\n".join(lines).rstrip("\n")


def cmd_show(args) -> int:
    """One proposal in full, from the proposals or else the quarantine."""
    store = _open_store(args)
    if store is None:
        return 2
    # References are read aloud and copied by hand: tolerate lower case and stray spaces.
    reference = args.reference.strip().upper()
    for folder in (store.root, store.quarantine_dir):
        try:
            record = store.load(reference, folder)
        except KeyError:
            continue
        except (OSError, ValueError):
            record = None
        if not isinstance(record, dict):
            print(f"{folder / reference}.json: unreadable; open the file itself to see it", file=sys.stderr)
            return 1
        if args.json:
            print(json_shown(json.dumps(record, ensure_ascii=False, indent=2)))
        else:
            # The form's labels, as in the operator's mail; without a readable site (no --config), the field names.
            config = getattr(args, "config", None)
            labels = site_labels(config) if config is not None else {}
            print(_show_text(record, _history_lines(record) + _notified_lines(store, record), labels))
        return 0
    return unknown_reference(args.reference, args.proposals)


# -- export -----------------------------------------------------------------------


def _open_private(path: str, flags: int) -> int:
    # The export holds prospects' personal data: readable by the operator only, like the proposals,
    # whatever the umask, and a file that existed already is tightened before anything is written to it.
    fd = os.open(path, flags, 0o600)
    _tighten(fd)
    return fd


def _tighten(fd: int) -> None:
    """Make the open file 0600 when it is a regular file (the shell's `> out.csv` makes it 0644)."""
    if stat.S_ISREG(os.fstat(fd).st_mode):
        os.fchmod(fd, 0o600)


def cmd_export(args) -> int:
    """Every proposal as a CSV row, oldest first, so columns follow the form's order as it grew; those marked
    spam only with --include-spam."""
    store = _open_store(args)
    if store is None:
        return 2
    export = export_csv(store, include_spam=args.include_spam, byte_order_mark=not args.no_bom)
    for reference in export.unreadable:
        print(f"{reference}: unreadable; exported with status {UNREADABLE}", file=sys.stderr)
    if export.spam_left_out:
        print(
            f"{export.spam_left_out} proposal(s) marked {SPAM} left out; --include-spam exports them too",
            file=sys.stderr,
        )
    if args.output is None:
        sys.stdout.flush()
        try:
            _tighten(sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass  # a terminal, a pipe, or a stream without a descriptor: nothing on disk to protect
        sys.stdout.write(export.text)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8", newline="", opener=_open_private) as out:
            out.write(export.text)
    except OSError as error:
        return cannot_write(args.output, error)
    print(f"{export.count} proposal(s) written to {args.output}")
    return 0


# -- purge ------------------------------------------------------------------------


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        days = float("nan")
    if not 0 < days <= MAX_DAYS:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of days (at most {MAX_DAYS})")
    return days


def _kept_by_purge(store: ProposalStore, folder: Path, include_active: bool):
    """Whether purge holds a proposal back: unless told, everything but one closed without an engagement.

    The intake page's privacy note promises deletion after twelve months *if no engagement follows*: a proposal
    still open may yet become one, and a won one is the record of one. Only the statuses in CLOSED_UNENGAGED
    are deleted by age, so a status added later is kept until someone decides otherwise; an unreadable file is
    kept too, since nothing says how it ended.
    """

    def keep(reference: str) -> bool:
        if include_active or folder == store.quarantine_dir:  # quarantined submissions were never proposals
            return False
        return (read_record(store, reference, folder) or {}).get("status") not in CLOSED_UNENGAGED

    return keep


def cmd_purge(args) -> int:
    """Delete proposals closed without an engagement, and quarantined submissions, received more than DAYS ago."""
    store = _open_store(args) if args.dry_run else open_store_to_write(args)
    if store is None:
        return 2
    gone = []
    kept = 0
    try:
        for folder, prefix in ((store.root, ""), (store.quarantine_dir, f"{QUARANTINE}/")):
            keep = _kept_by_purge(store, folder, args.include_active)
            old = store.older_than(args.older_than, folder)
            if args.dry_run:
                references = [reference for reference in old if not keep(reference)]
            else:
                references = store.purge(args.older_than, folder, keep=keep)
                Outbox(store).forget(references)
            kept += len(old) - len(references)
            gone += [prefix + reference for reference in references]
    except OSError as error:
        # Report what went before the failure, then the failure.
        for reference in gone:
            print(reference)
        print(f"{args.proposals}: could not purge: {error}", file=sys.stderr)
        return 1
    for reference in gone:
        print(reference)
    days = f"{args.older_than:g}"
    if args.dry_run:
        print(f"would purge {len(gone)} proposal(s) older than {days} day(s); dry run, nothing deleted")
    else:
        print(f"purged {len(gone)} proposal(s) older than {days} day(s)")
    if kept:
        print(
            f"kept {kept} older proposal(s) still open or won; mark them declined or withdrawn once closed,"
            " or pass --include-active to delete them too"
        )
    return 0


# -- wiring -----------------------------------------------------------------------


def add_proposals_commands(commands):
    """Add `proposals` and every one of its sub-commands to the sub-parsers of the `impart` command."""
    proposals = commands.add_parser(
        "proposals", help="list, show, export, purge, mark, notify, report, back up and restore proposals"
    )
    actions = proposals.add_subparsers(dest="action", required=True, metavar="ACTION")
    folder = folder_option()

    listing = actions.add_parser("list", parents=[folder], help="one line per proposal, newest first")
    listing.add_argument("--quarantine", action="store_true", help="list the quarantined submissions instead")
    listing.add_argument("--status", metavar="STATUS", help=f"only those with this status: {', '.join(STATUSES)}")
    listing.set_defaults(run=cmd_list)

    show = actions.add_parser("show", parents=[folder], help="one proposal in full")
    show.add_argument("reference", metavar="REF", help="the proposal's reference, as in the list")
    show.add_argument("--json", action="store_true", help="print the stored JSON exactly")
    show.set_defaults(run=cmd_show)

    export = actions.add_parser("export", parents=[folder], help="every proposal as CSV, oldest first")
    export.add_argument("--csv", action="store_true", required=True, help="CSV with a header row (the only format)")
    export.add_argument(
        "--no-bom", action="store_true", help="leave out the byte-order mark that tells Excel the file is UTF-8"
    )
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of the standard output")
    export.add_argument("--include-spam", action="store_true", help=f"export proposals marked {SPAM} too")
    export.set_defaults(run=cmd_export)

    purge = actions.add_parser(
        "purge",
        parents=[folder],
        help="delete proposals closed without an engagement, and quarantined submissions, older than DAYS",
    )
    purge.add_argument("--older-than", type=_days, required=True, metavar="DAYS", help="a positive number of days")
    purge.add_argument("--dry-run", action="store_true", help="print what would be deleted, and delete nothing")
    purge.add_argument(
        "--include-active",
        action="store_true",
        help="also delete proposals still open (new, in-review, proposal-sent) or won; by default they are kept",
    )
    purge.set_defaults(run=cmd_purge)
    add_workflow_commands(actions, folder)
    add_backup_commands(actions, folder)
