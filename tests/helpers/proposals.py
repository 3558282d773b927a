"""The operator's `impart proposals` commands run in-process against a ProposalStore folder written at a fixed time."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools

from impart.cli.proposals import add_proposals_commands
from impart.intake.storage import ProposalStore

_fingerprints = itertools.count()
DAY = 86400.0


NOV_27 = dt.datetime(2026, 11, 27, 16, 44, 37, tzinfo=dt.UTC).timestamp()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="impart")
    add_proposals_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["proposals", *argv])
    code = args.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def save(folder, clock: float, **values) -> str:
    store = ProposalStore(folder, clock=lambda: clock)
    store.prepare()
    saved = store.save(values, version=1, came_from="/field-notes/x/", fingerprint=f"test-{next(_fingerprints)}")
    return saved.reference


def snapshot(folder) -> dict:
    """Every file and folder under `folder`, with file contents, to show that nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}
