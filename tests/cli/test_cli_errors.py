"""A reference that names no proposal is refused in one wording and with one exit code by every subcommand."""

from __future__ import annotations

import pytest

from impart.cli import main
from impart.cli.errors import REFUSED
from impart.intake.storage import ProposalStore
from tests.helpers.proposals import snapshot
from tests.helpers.site import PROJECT

UNKNOWN = "20200101-000000-ABCDEF"


@pytest.mark.parametrize(
    "argv",
    [("show", UNKNOWN), ("mark", UNKNOWN, "won"), ("notify", "--retry-failed", UNKNOWN)],
    ids=["show", "mark", "notify-retry-failed"],
)
def test_an_unknown_reference_is_the_same_line_and_exit_code_everywhere(tmp_path, capsys, argv):
    folder = tmp_path / "proposals"
    ProposalStore(folder).prepare()
    before = snapshot(folder)

    code = main(["--config", str(PROJECT / "mkdocs.yml"), "proposals", *argv, "--proposals", str(folder)])

    out, err = capsys.readouterr()
    assert (code, out) == (REFUSED, "")
    assert err == f"{UNKNOWN}: no proposal with this reference in {folder}; see impart proposals list\n"
    assert snapshot(folder) == before
