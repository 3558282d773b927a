"""Broken front matter fails the strict build and `impart check`, with one line naming file and key."""

from __future__ import annotations

import pytest

from tests.helpers.site import BUILD_DAY, copy_site, files_under, impart, mkdocs_build

NOTE = "docs/field-notes/posts/broken.md"
VALID = {
    "title": "title: A note to break",
    "description": "description: A standfirst long enough to pass the check, describing what the note covers.",
    "date": "date: 2026-03-02",
    "authors": "authors: [impart]",
    "categories": "categories: [Field notes]",
}

CASES = [
    ("date missing", {"date": None}, f"'date' is missing; write date: {BUILD_DAY}", None),
    (
        "unknown author",
        {"authors": "authors: [bob]"},
        "'authors' names 'bob', who is not in docs/field-notes/.authors.yml",
        5,
    ),
    (
        "two categories",
        {"categories": "categories: [Field notes, Operations]"},
        "'categories' lists 2 categories; a note has exactly one",
        6,
    ),
    ("unknown category", {"categories": "categories: [Gossip]"}, "'categories' has 'Gossip', which is not allowed", 6),
    (
        "description too short",
        {"description": "description: Too short."},
        "'description' is 10 characters; write a standfirst of 50 to 300",
        3,
    ),
    (
        "updated before created",
        {"date": "date:\n  created: 2026-03-02\n  updated: 2026-02-01"},
        "'date.updated' (2026-02-01) is before 'date.created' (2026-03-02)",
        4,
    ),
    ("readtime not a number", {"readtime": "readtime: six"}, "'readtime' must be a whole number of minutes", 7),
    ("unknown key", {"autors": "autors: [impart]"}, "'autors' is not a front-matter key; did you mean 'authors'?", 7),
]


def write_note(project, changes):
    lines = {**VALID, **changes}
    front = "\n".join(line for line in lines.values() if line)
    (project / NOTE).write_text(f"---\n{front}\n---\n\nSome prose for the body.\n", encoding="utf-8")


@pytest.mark.build
@pytest.mark.parametrize(("case", "changes", "message", "line"), CASES, ids=[c[0] for c in CASES])
def test_broken_front_matter_fails_build_and_check(tmp_path, case, changes, message, line):
    where = NOTE if line is None else f"{NOTE}:{line}"  # the line the key is on; a missing key has none
    project = copy_site(tmp_path / "project")
    write_note(project, changes)
    before = {p: p.read_bytes() for p in files_under(project)}

    checked = impart("check", cwd=project)
    assert checked.returncode == 1
    assert f"{where}: {message}" in checked.stdout
    assert {p: p.read_bytes() for p in files_under(project)} == before, "impart check wrote a file"

    built = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0
    assert f"{where}: {message}" in built.stderr
    assert [line for line in built.stderr.splitlines() if NOTE in line], "one line names the file"


@pytest.mark.build
def test_valid_note_passes_check_and_build(tmp_path):
    project = copy_site(tmp_path / "project")
    write_note(project, {})
    checked = impart("check", cwd=project)
    assert checked.returncode == 0, checked.stdout
    built = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site/field-notes/broken/index.html").is_file()
