"""`impart proposals` run through the real `impart` command, with proposals saved at set times."""

from __future__ import annotations

import datetime as dt
import itertools

from impart.cli import main
from impart.intake.storage import ProposalStore
from tests.helpers.site import PROJECT

NOV = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC).timestamp()
_fingerprints = itertools.count()
OCT = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC).timestamp()


def save(folder, clock: float, came_from: str = "/field-notes/x/", **values) -> str:
    store = ProposalStore(folder, clock=lambda: clock)
    store.prepare()
    values = {"name": "Ada", "organisation": "Engines Ltd", "email": "a@example.com", **values}
    return store.save(values, version=1, came_from=came_from, fingerprint=f"wf-{next(_fingerprints)}").reference


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--config", str(PROJECT / "mkdocs.yml"), "proposals", *argv])
    except SystemExit as exit:  # argparse's own refusals
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err
