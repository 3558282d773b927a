"""What the operator's commands print cannot drive the terminal or reorder text, and exports stay private."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers.proposals import NOV_27, run, save
from tests.helpers.site import PROJECT, run_env

# A right-to-left override and isolate reorder what follows them; C1 CSI and OSC drive a terminal, like ESC.
UNSAFE = {
    "name": "Ada \u202eecnetsbus\u202c Lovelace",
    "organisation": "Evil \u2066Ltd\u2069",
    "cost_line": "\x9b31mred\x9d0;title\x07",
    "operator": "\x1b[2Jcleared",
    "rollback": "one\u2028two\u061c",
}
RAW = ["\u202e", "\u202c", "\u2066", "\u2069", "\x9b", "\x9d", "\x07", "\x1b", "\u2028", "\u061c"]
ESCAPED = ["\\u202e", "\\u2066", "\\x9b", "\\x9d", "\\x1b", "\\u2028", "\\u061c"]


@pytest.mark.parametrize(
    "command",
    [["list"], ["show", "{ref}"], ["export", "--csv"]],
    ids=["list", "show", "export"],
)
def test_control_and_bidi_characters_are_shown_escaped(capsys, tmp_path, command):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV_27, **UNSAFE)

    code, out, err = run(capsys, *[part.format(ref=reference) for part in command], "--proposals", str(folder))

    assert (code, err) == (0, "")
    assert [char for char in RAW if char in out] == []
    shown = ESCAPED[:3] if command == ["list"] else ESCAPED  # the list shows the first columns only
    assert [escape for escape in shown if escape not in out] == []


def test_show_json_escapes_them_and_still_parses_to_the_same_record(capsys, tmp_path):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV_27, **UNSAFE)

    code, out, _ = run(capsys, "show", reference, "--json", "--proposals", str(folder))

    assert code == 0
    assert [char for char in RAW if char in out] == []
    assert json.loads(out) == json.loads((folder / f"{reference}.json").read_text(encoding="utf-8"))
    assert json.loads(out)["fields"] == UNSAFE


def impart_export(folder, cwd, *extra: str, redirect: str = "") -> subprocess.CompletedProcess:
    impart = f"{sys.executable} -m impart --config {PROJECT / 'mkdocs.yml'}"
    command = f"umask 022; {impart} proposals export --csv --proposals {folder} {' '.join(extra)}"
    return subprocess.run(
        ["sh", "-c", command + redirect], cwd=cwd, env=run_env(), capture_output=True, text=True, timeout=60
    )


def test_an_export_redirected_by_the_shell_is_0600_whatever_the_umask(tmp_path):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV_27, name="Ann")

    result = impart_export(folder, tmp_path, redirect=" > out.csv")

    assert result.returncode == 0, result.stderr
    assert reference in (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert os.stat(tmp_path / "out.csv").st_mode & 0o777 == 0o600


def test_an_export_onto_an_existing_file_tightens_its_mode(tmp_path):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV_27, name="Ann")
    target = tmp_path / "existing.csv"
    target.write_text("old\n")
    target.chmod(0o644)

    result = impart_export(folder, tmp_path, "-o", str(target))

    assert result.returncode == 0, result.stderr
    assert reference in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_export_to_a_pipe_still_works(tmp_path):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV_27, name="Ann")

    result = impart_export(folder, tmp_path, redirect=" | cat")

    assert result.returncode == 0 and reference in result.stdout


def impart_into_a_closed_pipe(folder, *argv: str) -> subprocess.CompletedProcess:
    """Run `impart proposals ARGV` writing into a pipe whose reader has already gone, as `| head -1` leaves it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "impart", "--config", str(PROJECT / "mkdocs.yml"), "proposals", *argv]
            + ["--proposals", str(folder)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=run_env(),
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("command", [["report"], ["list"], ["export", "--csv"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, command):
    folder = tmp_path / "proposals"
    save(folder, NOV_27, name="Ann", organisation="Fine Ltd")

    result = impart_into_a_closed_pipe(folder, *command)

    assert result.stderr == ""
    assert result.returncode == 0


def test_report_piped_to_head_prints_its_first_line_and_nothing_on_stderr(tmp_path):
    folder = tmp_path / "proposals"
    save(folder, NOV_27, name="Ann")
    impart = f"{sys.executable} -m impart --config {PROJECT / 'mkdocs.yml'}"

    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {impart} proposals report --proposals {folder} | head -1"],
        env=run_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "1 proposal(s)\n", "")
