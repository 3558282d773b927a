"""The live preview (`mkdocs serve`) reuses unchanged pages' work between rebuilds, and writes what a cold build writes.

tests/helpers/preview_session.py makes the calls `mkdocs serve` makes, in one process;
after each edit its rebuild is compared, file by file and byte for byte, with
a cold `mkdocs build` of the edited sources.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.site import PROJECT, copy_site, files_under, mkdocs_build, run_env

SESSION = PROJECT / "tests/helpers/preview_session.py"
POSTS = Path("docs/field-notes/posts")


class PreviewSession:
    def __init__(self, project: Path, site: Path):
        self.project, self.site = project, site
        self.process = subprocess.Popen(
            [sys.executable, str(SESSION), str(project / "mkdocs.yml"), str(site)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=run_env(PYTHONPATH=str(PROJECT)),
            cwd=project,
        )

    def rebuild(self) -> dict:
        self.process.stdin.write("build\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the preview session stopped; run tests/helpers/preview_session.py by hand to see why"
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()


def site_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in files_under(root)}


def assert_same_as_cold_build(project: Path, preview: Path, cold: Path) -> None:
    result = mkdocs_build(project / "mkdocs.yml", cold, strict=False)
    assert result.returncode == 0, result.stderr
    previewed, built = site_files(preview), site_files(cold)
    assert sorted(previewed) == sorted(built), "the preview's folder holds other files than a cold build"
    different = [name for name in built if previewed[name] != built[name]]
    assert different == [], f"differs from a cold build: {different[:5]}"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


DATE = re.compile(r"^(date: |  created: )(\d{4}-\d\d-\d\d)", re.M)  # `date: D` or `date:` then `created: D`


def note_date(path: Path) -> str:
    return DATE.search(path.read_text(encoding="utf-8"))[2]


def newest_note(project: Path) -> Path:
    return max((project / POSTS).glob("*.md"), key=note_date)


def oldest_note(project: Path) -> Path:
    return min((project / POSTS).glob("*.md"), key=note_date)


# Each edit changes the sources the way an editor would, between two rebuilds.
def edit_body(project: Path) -> None:
    note = newest_note(project)
    note.write_text(note.read_text(encoding="utf-8") + "\nA sentence added while previewing.\n", encoding="utf-8")


def edit_title(project: Path) -> None:
    note = newest_note(project)
    title = re.search(r"^title: (.+)$", note.read_text(encoding="utf-8"), re.M)[1]
    replace_in(note, f"title: {title}", "title: A title changed while previewing")


def edit_date(project: Path) -> None:
    # The oldest note becomes the newest: it moves across every listing and archive page.
    note = oldest_note(project)
    text = re.sub(r"^  updated: .*\n", "", note.read_text(encoding="utf-8"), flags=re.M)
    note.write_text(DATE.sub(r"\g<1>2026-11-21", text, count=1), encoding="utf-8")
    assert newest_note(project) == note


def edit_category(project: Path) -> None:
    note = newest_note(project)
    category = re.search(r"^categories: \[(.+)\]$", note.read_text(encoding="utf-8"), re.M)[1]
    other = "Operations" if category != "Operations" else "Measurement"
    replace_in(note, f"categories: [{category}]", f"categories: [{other}]")


def add_notes(project: Path) -> None:
    # Four notes older than the rest: the first listing page keeps its notes, but gains a link to a third page.
    source = re.sub(r"^  updated: .*\n", "", oldest_note(project).read_text(encoding="utf-8"), flags=re.M)
    for day in range(1, 5):
        text = re.sub(r"^title: .+$", f"title: Written while previewing, {day}", source, count=1, flags=re.M)
        text = DATE.sub(rf"\g<1>2019-01-0{day}", text, count=1)
        (project / POSTS / f"written-while-previewing-{day}.md").write_text(text, encoding="utf-8")


def remove_note(project: Path) -> None:
    oldest_note(project).unlink()


def edit_config(project: Path) -> None:
    replace_in(project / "mkdocs.yml", "site_description: ", "site_description: Changed while previewing. ")


def edit_template(project: Path) -> None:
    replace_in(
        project / "overrides/partials/note-summary.html", 'class="impart-summary"', 'class="impart-summary edited"'
    )


def png(width: int, height: int) -> bytes:
    """A PNG of one colour: its width and height are what the pages showing it carry."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def add_image(project: Path) -> None:
    (project / POSTS / "images").mkdir(exist_ok=True)
    (project / POSTS / "images/queue.png").write_bytes(png(40, 20))
    note = newest_note(project)
    note.write_text(note.read_text(encoding="utf-8") + "\n![The queue, week by week](images/queue.png)\n")


def replace_image(project: Path) -> None:
    # The same name, another size: no Markdown changes, but the page's width and height must.
    (project / POSTS / "images/queue.png").write_bytes(png(60, 30))


EDITS = [
    edit_body,
    edit_title,
    edit_date,
    edit_category,
    add_notes,
    remove_note,
    edit_config,
    edit_template,
    add_image,
    replace_image,
]


@pytest.mark.build
def test_rebuilds_after_each_kind_of_edit_write_what_a_cold_build_writes(tmp_path):
    project = copy_site(tmp_path / "project")
    session = PreviewSession(project, tmp_path / "preview")
    try:
        first = session.rebuild()
        assert first["hits"]["page"] == 0
        unchanged = session.rebuild()
        rendered = unchanged["hits"]["page"] + unchanged["misses"]["page"] + unchanged["misses"]["uncacheable"]
        # Nothing changed: every page and every Markdown render is reused.
        assert unchanged["hits"]["page"] == rendered > 10
        assert unchanged["misses"]["markdown"] == 0
        assert_same_as_cold_build(project, tmp_path / "preview", tmp_path / "cold-unchanged")
        for edit in EDITS:
            edit(project)
            counts = session.rebuild()
            assert_same_as_cold_build(project, tmp_path / "preview", tmp_path / f"cold-{edit.__name__}")
            if edit is edit_body:
                # One note changed: its Markdown is rendered again, the others' are reused.
                assert counts["misses"]["markdown"] == 1
                assert counts["hits"]["page"] > rendered // 2
    finally:
        session.close()


def test_the_context_values_left_out_of_fingerprints_are_read_by_no_page_template():
    import material

    from impart.speed.fingerprint import NOT_READ_BY_PAGE_TEMPLATES

    templates = [*Path(material.__file__).parent.joinpath("templates").rglob("*.html")]
    templates += [*(PROJECT / "overrides").rglob("*.html")]
    assert len(templates) > 20
    for name in NOT_READ_BY_PAGE_TEMPLATES:
        readers = [str(t) for t in templates if name in t.read_text(encoding="utf-8")]
        assert readers == [], f"{name} is read by {readers}: it must be part of the fingerprint"
