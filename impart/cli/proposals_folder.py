"""The proposals folder every `impart proposals` subcommand takes: its option, and the store over it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impart.cli.one_account import other_account
from impart.intake.storage import ProposalStore


def folder_option() -> argparse.ArgumentParser:
    """The --proposals option, as a parent parser each subcommand shares."""
    folder = argparse.ArgumentParser(add_help=False)
    folder.add_argument(
        "--proposals", default="proposals", metavar="DIR", help="the proposals folder (default: ./proposals)"
    )
    return folder


def open_store(args) -> ProposalStore | None:
    folder = Path(args.proposals)
    if not folder.is_dir():
        print(f"{args.proposals}: no such folder; pass --proposals DIR", file=sys.stderr)
        return None
    return ProposalStore(folder)


def open_store_to_write(args) -> ProposalStore | None:
    """The store, for a command that writes into it: None after one line when the folder is missing or
    belongs to another account than the one running the command (impart.cli.one_account)."""
    store = open_store(args)
    if store is None:
        return None
    refusal = other_account(store.root)
    if refusal:
        print(refusal, file=sys.stderr)
        return None
    return store
