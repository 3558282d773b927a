"""The CSV export opens right in a spreadsheet: one column per name, and £ and é as typed.

Excel picks a CSV's encoding from its first bytes: a UTF-8 byte-order mark means UTF-8, anything else the
machine's legacy code page (Windows-1252 in Britain and western Europe). `as_excel_reads` follows that rule;
LibreOffice, run headless, is the real spreadsheet that reads the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from tests.helpers.proposals import NOV_27, run, save, snapshot

ANSWERS = {"name": "José Núñez", "organisation": "Café Études", "cost_line": "£12k a month", "consent": True}


def as_excel_reads(data: bytes) -> list[list[str]]:
    text = data[len(codecs.BOM_UTF8) :].decode("utf-8") if data.startswith(codecs.BOM_UTF8) else data.decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def exported(capsys, tmp_path):
    folder = tmp_path / "proposals"
    reference = save(folder, NOV_27, **ANSWERS)
    before = snapshot(folder)
    target = tmp_path / "proposals.csv"
    code, out, err = run(capsys, "export", "--csv", "--output", str(target), "--proposals", str(folder))
    assert (code, err) == (0, "")
    assert snapshot(folder) == before
    return reference, target


def test_the_export_starts_with_a_byte_order_mark_so_excel_reads_pounds_and_accents(exported):
    reference, target = exported

    header, row = as_excel_reads(target.read_bytes())

    values = dict(zip(header, row, strict=True))
    assert values["reference"] == reference
    assert (values["name"], values["organisation"], values["cost_line"]) == (
        ANSWERS["name"],
        ANSWERS["organisation"],
        ANSWERS["cost_line"],
    )


def test_no_column_is_repeated(exported):
    _, target = exported

    header, _ = as_excel_reads(target.read_bytes())

    assert len(header) == len(set(header)), header
    assert header.count("consent") == 1


def test_no_bom_leaves_the_mark_out_for_scripts(capsys, tmp_path):
    folder = tmp_path / "proposals"
    save(folder, NOV_27, **ANSWERS)

    code, out, _ = run(capsys, "export", "--csv", "--no-bom", "--proposals", str(folder))

    assert code == 0 and out.startswith("reference,")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (libreoffice-calc-nogui)")
def test_libreoffice_opens_the_export_with_one_column_per_name_and_the_text_as_typed(exported, tmp_path):
    reference, target = exported
    converted = tmp_path / "converted"

    # Comma-separated, double-quoted, UTF-8 (76): the choices LibreOffice's import dialog makes for this file.
    result = subprocess.run(
        ["soffice", "--headless", "--infilter=CSV:44,34,76", "--convert-to", "html", "--outdir", str(converted)]
        + [str(target)],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    table = BeautifulSoup((converted / "proposals.html").read_text(encoding="utf-8"), "html.parser")
    header, row = ([cell.get_text() for cell in tr.find_all("td")] for tr in table.find_all("tr")[:2])
    assert header[0] == "reference", "the byte-order mark must not show in the first heading"
    assert len(header) == len(set(header)), header
    values = dict(zip(header, row, strict=True))
    assert values["reference"] == reference
    assert values["name"] == ANSWERS["name"] and values["cost_line"] == ANSWERS["cost_line"]
