"""The handler's own folders under proposals/ are real folders, and a mark's note is kept whole.

A `.state` (or a folder under it) that is a symbolic link is refused with one
line naming it: the handler neither writes through it nor chmods its target.
A `--note` over the limit is refused with the limit, and nothing is written.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from impart.intake.workflow import NOTE_LIMIT
from tests.helpers.servers import free_port, serve_command
from tests.helpers.site import files_under
from tests.helpers.workflow import NOV, run, save


@pytest.fixture
def linked_state(tmp_path):
    """A proposals folder with one proposal whose .state is a link to a folder elsewhere (0755, one file)."""
    folder = tmp_path / "proposals"
    reference = save(folder, NOV)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    elsewhere.chmod(0o755)
    for state in folder.joinpath(".state").iterdir():  # what save() made, so that .state can become the link
        if state.is_dir():
            for entry in state.iterdir():
                entry.unlink()
            state.rmdir()
    folder.joinpath(".state").rmdir()
    folder.joinpath(".state").symlink_to(elsewhere, target_is_directory=True)
    return folder, reference, elsewhere


def untouched(elsewhere) -> bool:
    return oct(elsewhere.stat().st_mode & 0o777) == "0o755" and [p.name for p in files_under(elsewhere)] == ["keep.txt"]


def test_serve_refuses_a_linked_state_folder_in_one_line(linked_state, tmp_path):
    folder, _, elsewhere = linked_state
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>")
    result = subprocess.run(
        serve_command(site, folder, free_port()), capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"impart serve: {folder / '.state'}: is a symbolic link, not a folder; "
        "remove the link and the handler makes the folder\n"
    )
    assert untouched(elsewhere)


@pytest.mark.parametrize("command", [("mark", "{ref}", "won", "--note", "signed"), ("notify",)])
def test_commands_refuse_a_linked_state_folder_and_write_nothing(linked_state, capsys, command):
    folder, reference, elsewhere = linked_state
    before = (folder / f"{reference}.json").read_bytes()
    code, _, err = run(capsys, *(part.format(ref=reference) for part in command), "--proposals", str(folder))
    assert code == 2
    assert err.startswith(f"{folder / '.state'}: is a symbolic link, not a folder;") and err.count("\n") == 1
    assert (folder / f"{reference}.json").read_bytes() == before
    assert untouched(elsewhere)


def test_a_linked_folder_inside_state_is_refused_too(tmp_path, capsys):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    (folder / ".state" / "outbox").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = run(capsys, "notify", "--proposals", str(folder))
    assert code == 2 and err == (
        f"{folder / '.state' / 'outbox'}: is a symbolic link, not a folder; "
        "remove the link and the handler makes the folder\n"
    )
    assert list(elsewhere.iterdir()) == [] and oct(elsewhere.stat().st_mode & 0o777) == "0o755"
    assert reference


def test_a_note_over_the_limit_is_refused_with_the_limit_and_nothing_is_written(tmp_path, capsys):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV)
    before = {path: path.read_bytes() for path in files_under(folder)}
    code, _, err = run(capsys, "mark", reference, "won", "--note", "x" * (NOTE_LIMIT + 1), "--proposals", str(folder))
    assert code == 2
    assert (
        err
        == f"--note is {NOTE_LIMIT + 1} characters, over the limit of {NOTE_LIMIT}; shorten it; nothing was written\n"
    )
    assert {path: path.read_bytes() for path in files_under(folder)} == before


def test_a_note_at_the_limit_is_kept_whole(tmp_path, capsys):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV)
    note = "é" * NOTE_LIMIT
    code, _, err = run(capsys, "mark", reference, "won", "--note", note, "--proposals", str(folder))
    assert code == 0, err
    assert json.loads((folder / f"{reference}.json").read_text())["history"][-1]["note"] == note
