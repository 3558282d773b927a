"""A proposal as the operator reads it, whatever the reader: the CLI's `show` and `export`, and the inbox.

One place turns stored records into what the operator sees: a value as text (`text`: control and bidi
characters as visible escapes, impart.intake.operator_text), the state of each notification a proposal
is owed (`notification_states`), and the spreadsheet-safe CSV of every proposal (`export_csv`: a cell
that starts like a formula gets a leading quote), so the terminal and the browser never disagree.
tests/cli/test_proposals_output.py and tests/inbox/ prove each through their readers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from impart.intake.operator_text import plain, shown
from impart.intake.outbox import Outbox
from impart.intake.storage import ProposalStore
from impart.intake.workflow import SPAM

UNREADABLE = "unreadable"
METADATA = ("reference", "received", "status", "form_version", "from", "consent")
BYTE_ORDER_MARK = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@")


def read_record(store: ProposalStore, reference: str, folder: Path | None = None) -> dict | None:
    """The stored record, or None when the file is not a JSON object (damaged, or edited by hand)."""
    try:
        record = store.load(reference, folder)
    except (KeyError, OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def fields_of(record: dict) -> dict:
    fields = record.get("fields")
    return fields if isinstance(fields, dict) else {}


@dataclass(frozen=True)
class NotificationState:
    """One channel a proposal is owed: `state` is sent, pending, failed, ended, damaged or unindexed."""

    channel: str
    state: str
    attempts: int = 0
    last_error: str = ""


def notification_states(store: ProposalStore, record: dict) -> list[NotificationState]:
    """What became of each notification the proposal is owed, in the order it lists them."""
    owed = record.get("notify")
    if not isinstance(owed, list):
        return []
    outbox = Outbox(store)
    reference = str(record.get("reference"))
    states = []
    for channel in owed:
        if not isinstance(channel, str):
            states.append(NotificationState(str(channel), "unindexed"))
            continue
        entry = outbox.entry(reference, channel)
        if outbox.was_sent(reference, channel):
            states.append(NotificationState(channel, "sent"))
        elif entry is not None:
            states.append(NotificationState(channel, entry.state, entry.attempts, entry.last_error or ""))
        else:
            states.append(NotificationState(channel, "unindexed"))
    return states


def csv_cell(value) -> str:
    text = shown(plain(value, "true", "false"))
    # Spreadsheets evaluate a cell that starts like a formula, even after spaces or a tab;
    # a leading quote makes them show it as text instead.
    if text[:1] in ("\t", "\r") or text.lstrip()[:1] in _FORMULA_START:
        return "'" + text
    return text


@dataclass
class Export:
    """The CSV of every proposal, oldest first, and what it left out or could not read."""

    text: str
    count: int
    spam_left_out: int
    unreadable: list[str] = field(default_factory=list)


def export_csv(store: ProposalStore, *, include_spam: bool = False, byte_order_mark: bool = True) -> Export:
    """Every proposal as a CSV row, oldest first, so columns follow the form's order as it grew; those marked
    spam only with `include_spam`. An unreadable file is a row with status `unreadable`.

    It starts with a UTF-8 byte-order mark unless told not to: Excel reads a CSV without one in the machine's
    legacy code page, turning £ and é into mojibake; LibreOffice, Numbers, pandas and utf-8-sig take it in
    their stride."""
    records, spam, unreadable = [], 0, []
    for reference in reversed(store.references()):
        record = read_record(store, reference)
        if record is None:
            unreadable.append(reference)
            record = {"status": UNREADABLE}
        if record.get("status") == SPAM and not include_spam:
            spam += 1
            continue
        records.append({**record, "reference": reference})
    # A form field that shares a metadata column's name (the consent box) would repeat that column;
    # the metadata value is the one the handler checked, so it alone is exported.
    names = list(dict.fromkeys(name for record in records for name in fields_of(record) if name not in METADATA))
    rows = [[*METADATA, *names]]
    rows += [
        [record.get(key) for key in METADATA] + [fields_of(record).get(name) for name in names] for record in records
    ]
    buffer = io.StringIO()
    if byte_order_mark:
        buffer.write(BYTE_ORDER_MARK)
    csv.writer(buffer).writerows([csv_cell(value) for value in row] for row in rows)
    return Export(buffer.getvalue(), len(records), spam, unreadable)
