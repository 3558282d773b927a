"""The operator's workflow commands: `impart proposals mark`, `outbox`, `notify` and `report`.

`mark` moves a proposal through its statuses (impart.intake.workflow); `outbox`
shows what is still owed; `notify` sends every pending notification now,
whatever its next attempt, for cron or after an outage (exit 1 while any still
fails), and with `--retry-failed [REF ...]` first moves the failed ones back to
pending (tests/cli/test_proposals_retry_failed.py); `report` counts what brings
proposals. An unknown status or reference is one line naming it and the
choices, exit 2, nothing written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from impart.cli.errors import cannot_write, unknown_reference
from impart.cli.formatting import cell as _cell
from impart.cli.formatting import text as _text
from impart.cli.notify_options import add_notify_options, overrides_from
from impart.cli.proposals_folder import open_store as _open_store
from impart.cli.proposals_folder import open_store_to_write
from impart.intake.notify_settings import NotifySettingsError
from impart.intake.outbox import REMEDY, Outbox
from impart.intake.private_file import write_private
from impart.intake.report import chart_svg, gather
from impart.intake.storage import REFERENCE, LinkedFolder
from impart.intake.workflow import SPAM, STATUSES, BadMarker, NoteTooLong, SameStatus, mark, timestamp

NOTIFY_SECONDS = 600  # one `notify` run stops taking new entries after this long, so cron runs never pile up


def _unknown_reference(args) -> int:
    return unknown_reference(args.reference, args.proposals)


# -- mark ---------------------------------------------------------------------------


def cmd_mark(args) -> int:
    """Move a proposal to a status; the change, its time and the note are appended to its history."""
    if args.status not in STATUSES:
        print(f"{args.status}: not a status; choose one of {', '.join(STATUSES)}", file=sys.stderr)
        return 2
    store = open_store_to_write(args)
    if store is None:
        return 2
    reference = args.reference.strip().upper()
    try:
        record = mark(store, reference, args.status, args.note or "", by=args.by)
    except KeyError:
        return _unknown_reference(args)
    except (NoteTooLong, BadMarker, SameStatus, LinkedFolder) as error:
        print(f"{error}; nothing was written", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"{store.root / reference}.json: could not be changed: {error}; nothing was written", file=sys.stderr)
        return 1
    change = record["history"][-1]
    print(f"{reference}: {change['was']} -> {change['status']} at {change['at']} by {_text(change['by'])}")
    return 0


# -- outbox -------------------------------------------------------------------------


def cmd_outbox(args) -> int:
    """Pending and failed notifications, with the last error and the next attempt."""
    store = _open_store(args)
    if store is None:
        return 2
    entries = Outbox(store).entries()
    due = {e.name: timestamp(e.next_attempt) for e in entries if e.state == "pending" and e.next_attempt}
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "reference": e.reference,
                        "channel": e.channel,
                        "state": e.state,
                        "attempts": e.attempts,
                        "next_attempt": due.get(e.name),
                        "last_error": e.last_error or None,
                    }
                    for e in entries
                ],
                indent=2,
            )
        )
        return 0
    if not entries:
        print("the outbox is empty: every notification owed has been sent")
        return 0
    print(f"{'reference':22}  {'channel':11}  {'state':7}  {'tries':>5}  {'next attempt':20}  last error")
    for e in entries:
        when = due.get(e.name) or ("now" if e.state == "pending" else "")
        error = _cell(e.last_error, 60)
        print(f"{e.reference:22}  {e.channel:11}  {e.state:7}  {e.attempts:>5}  {when:20}  {error}".rstrip())
    pending, failed = (sum(e.state == state for e in entries) for state in ("pending", "failed"))
    damaged = len(entries) - pending - failed
    print(
        f"{pending} pending, {failed} failed; impart proposals notify sends the pending now"
        + ("; notify --retry-failed [REF ...] sends the failed again" if failed else "")
    )
    if damaged:
        print(f"{damaged} damaged entr{'y' if damaged == 1 else 'ies'}, not sent as they stand; {REMEDY}")
    return 0


# -- notify -------------------------------------------------------------------------


def _failed_to_retry(store, outbox: Outbox, asked: list[str]) -> list[str] | None:
    """The failed entries `--retry-failed` names (all of them when it names no reference), or None after
    printing why a reference cannot be retried."""
    failed = outbox.failed_names()
    if not asked:
        return failed
    chosen = []
    for given in asked:
        reference = given.strip().upper()
        if not REFERENCE.match(reference):
            print(
                f"{_text(given)}: not a reference (like 20261130-120000-ABCDEF); see impart proposals outbox",
                file=sys.stderr,
            )
            return None
        mine = [name for name in failed if name.partition(".")[0] == reference]
        if not mine:
            try:
                store.load(reference)
            except KeyError:
                unknown_reference(_text(given), store.root)
                return None
            print(
                f"{_text(given)}: none of its notifications has failed; impart proposals outbox lists those that have",
                file=sys.stderr,
            )
            return None
        chosen += [name for name in mine if name not in chosen]
    return chosen


def cmd_notify(args) -> int:
    """Send every pending notification now (with --retry-failed, the failed ones too); exit 1 if any still fails."""
    from impart.intake.app import intake_parts  # the handler and werkzeug: here, not in every command's start

    store = open_store_to_write(args)
    if store is None:
        return 2
    retry = None
    if args.retry_failed is not None:
        retry = _failed_to_retry(store, Outbox(store), args.retry_failed)
        if retry is None:
            return 2
    try:
        parts = intake_parts(Path(args.config), store, overrides_from(args), form_required=False)
    except (NotifySettingsError, LinkedFolder) as error:
        print(error, file=sys.stderr)
        return 2
    notifications = parts.notifications
    if not notifications.settings.channels:
        print("no notification channel is set (extra.intake.notify in mkdocs.yml, or the options); see README")
    if retry is not None:
        moved = notifications.outbox.retry_failed(retry)
        print(f"{moved} failed notification(s) moved back to pending, to be sent now")
    recovered = notifications.outbox.recover()
    done = notifications.send_now(force=True, until=time.monotonic() + NOTIFY_SECONDS)
    left = notifications.counts()
    print(
        f"sent {done.sent}, failed and kept for retry {done.retried}, failed for good {done.failed}"
        + (f", ended unsent {done.ended} (see impart proposals outbox)" if done.ended else "")
        + (f", recovered {recovered} lost after a crash" if recovered else "")
        + f"; {left.pending} pending, {left.failed} failed"
    )
    if left.damaged:
        print(f"{len(left.damaged)} damaged outbox entr{'y' if len(left.damaged) == 1 else 'ies'} set aside "
              f"({', '.join(left.damaged)}); impart proposals outbox says what is wrong")  # fmt: skip
    # An entry another sender (a serving process) holds a claim on is being sent, not failing: not counted here.
    if done.retried or done.failed:
        print("some notifications were not sent; see impart proposals outbox for the errors", file=sys.stderr)
        return 1
    return 0


# -- report -------------------------------------------------------------------------


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _table(title: str, counts) -> list[str]:
    if not counts:
        return []
    cells = [(_cell(key, 60), count) for key, count in counts]
    width = max(len(cell) for cell, _ in cells)
    return [title] + [f"  {cell:<{width}}  {count:>5}" for cell, count in cells] + [""]


def cmd_report(args) -> int:
    """Proposals per month, per originating note and per status; a bar chart as SVG with --svg."""
    store = _open_store(args)
    if store is None:
        return 2
    report = gather(store, args.since, include_spam=args.include_spam)
    since = f" since {args.since.isoformat()}" if args.since else ""
    left_out = f"; {report.spam} marked spam left out (--include-spam counts them)" if report.spam else ""
    print(f"{report.total} proposal(s){since}{left_out}")
    print()
    lines = _table("per month", sorted(report.by_month.items()))
    lines += _table("per note they came from", report.by_note.most_common())
    order = {status: n for n, status in enumerate(STATUSES)}
    lines += _table("per status", sorted(report.by_status.items(), key=lambda kv: order.get(kv[0], len(order))))
    for line in lines:
        print(line)  # every key is a _cell, escaped already
    for reference in report.unreadable:
        print(f"{reference}: unreadable; not counted", file=sys.stderr)
    if args.svg:
        if not report.total:
            print(f"{args.svg}: not written: no proposals{since} to chart", file=sys.stderr)
            return 1
        try:
            write_private(args.svg, chart_svg(report))
        except OSError as error:
            return cannot_write(args.svg, error)
        print(f"chart written to {args.svg}")
    return 0


# -- wiring -------------------------------------------------------------------------


def add_workflow_commands(actions, folder: argparse.ArgumentParser) -> None:
    """Add mark, outbox, notify and report to the `impart proposals` sub-parsers."""
    marking = actions.add_parser("mark", parents=[folder], help="move a proposal to a status, with a note")
    marking.add_argument("reference", metavar="REF", help="the proposal's reference")
    marking.add_argument("status", metavar="STATUS", help=", ".join(STATUSES))
    marking.add_argument("--note", metavar="TEXT", help="why, kept in the proposal's history")
    marking.add_argument("--by", metavar="NAME", help="who is marking, kept in the history (default: your login name)")
    marking.set_defaults(run=cmd_mark)

    outbox = actions.add_parser("outbox", parents=[folder], help="pending and failed notifications")
    outbox.add_argument("--json", action="store_true", help="as JSON")
    outbox.set_defaults(run=cmd_outbox)

    notify = actions.add_parser(
        "notify", parents=[folder], help="send every pending notification now (for cron); exit 1 if any fails"
    )
    notify.add_argument(
        "--retry-failed",
        nargs="*",
        metavar="REF",
        help="first move the failed notifications (of these proposals only, if named) back to pending",
    )
    add_notify_options(notify)
    notify.set_defaults(run=cmd_notify)

    report = actions.add_parser("report", parents=[folder], help="proposals per month, note and status")
    report.add_argument("--since", type=_date, metavar="DATE", help="only proposals received from DATE (YYYY-MM-DD)")
    report.add_argument("--svg", metavar="FILE", help="also write a bar chart as SVG")
    report.add_argument("--include-spam", action="store_true", help=f"count proposals marked {SPAM} too")
    report.set_defaults(run=cmd_report)
