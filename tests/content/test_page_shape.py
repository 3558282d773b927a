"""A page's shape: one headline (<h1>) per page, no `comments:` that nothing renders, a title no longer than a
headline should be, and a file name that makes a clean address. Each is one line naming the file, the line and
the fix, the same in `impart check` and the strict build."""

from __future__ import annotations

import datetime as dt

import pytest

from impart.content.addresses import kebab_case, poor_address
from impart.content.field_notes import parse_note
from impart.content.headings import extra_headlines
from impart.content.titles import HEADLINE_MAX_CHARACTERS
from tests.helpers.site import copy_site, files_under, impart, mkdocs_build

WHERE = "docs/field-notes/posts/n.md"
AUTHORS = {"impart": "Impart Editorial"}


def meta(**changes):
    base = {
        "title": "Handing a model over to the team that runs it",
        "description": "What the operations team needs in hand on the day a model moves from the pilot to them.",
        "date": dt.date(2026, 3, 1),
        "authors": ["impart"],
        "categories": ["Operations"],
    }
    return base | changes


SECOND_HEADLINES = [
    ("# Title\n\nText.\n\n# Results\n", "the heading 'Results' is a second headline (<h1>) on a page that has one; "
     "write it as '## Results'", 12),
    ("# Title\n\nResults\n=======\n", "the heading 'Results' is a second headline (<h1>) on a page that has one; "
     "underline it with '---' or write it as '## Results'", 10),
    ("# Title\n\n<h1>Results <em>in</em></h1>\n", "the heading 'Results in' is a second headline (<h1>) on a page "
     "that has one; write it as <h2> or '## Results in'", 10),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message", "line"), SECOND_HEADLINES)
def test_a_second_headline_anywhere_in_the_body_is_an_error_with_the_line_and_the_fix(body, message, line):
    assert [str(p) for p in extra_headlines(body, WHERE, first_line=8)] == [f"{WHERE}:{line}: {message}"]


def test_with_title_written_a_heading_opening_the_body_is_left_to_the_notes_check_and_any_later_is_reported():
    assert extra_headlines("\n# Copy of the title\n\nText.\n", WHERE, first_line=8, titled=True) == []
    [problem] = extra_headlines("Text.\n\n# Results\n", WHERE, first_line=8, titled=True)
    assert (problem.line, problem.message.endswith("write it as '## Results'")) == (10, True)
    _, problems = parse_note(meta(), "Text.\n\n# Results\n", WHERE, AUTHORS, ("Operations",), first_line=8)
    assert problems == []  # not "remove this line": a section is not a copy of the title


def test_one_headline_and_headings_in_code_or_below_it_pass():
    body = "# Title\n\n## Section\n\n```sh\n# a shell comment\n```\n\nA = B\n\n| a |\n|===|\n\n### Deeper\n"
    body += "\nWrite `<h1>` once, and `# (1)!` marks an annotation.\n"
    assert extra_headlines(body, WHERE) == []


def test_comments_is_refused_with_the_reason():
    note, problems = parse_note(meta(comments=True), "Body.\n", WHERE, AUTHORS, ("Operations",))
    assert note is None
    assert [str(p) for p in problems] == [
        f"{WHERE}: 'comments' is not used on this site: nothing on this site shows comments "
        "(no comment system is set up); remove the line"
    ]


def test_a_title_longer_than_a_headline_is_a_warning_and_one_at_the_limit_is_not():
    at_limit = ("Word " * 20)[:HEADLINE_MAX_CHARACTERS].strip() + "s"
    assert len(at_limit) == HEADLINE_MAX_CHARACTERS
    assert parse_note(meta(title=at_limit), "Body.\n", WHERE, AUTHORS, ("Operations",))[1] == []
    longer = at_limit + " more"
    note, problems = parse_note(meta(title=longer), "Body.\n", WHERE, AUTHORS, ("Operations",))
    assert note is not None  # a warning: the note still builds without --strict
    assert [(p.severity, str(p)) for p in problems] == [
        (
            "warning",
            f"{WHERE}: the title is {len(longer)} characters, longer than a headline should be (at most 70: about 4 "
            "lines on a phone); shorten it and put the rest in description:",
        )
    ]


def test_a_long_title_from_the_first_heading_names_its_line():
    body = "\n# " + "Long words " * 8 + "\n\nBody.\n"
    _, [problem] = parse_note(meta(title=None), body, WHERE, AUTHORS, ("Operations",), first_line=7)
    assert (problem.severity, problem.line) == ("warning", 8)


@pytest.mark.parametrize(
    ("src_uri", "better"),
    [
        ("field-notes/posts/My Note.md", "field-notes/posts/my-note.md"),
        ("field-notes/posts/CPU_Targets.md", "field-notes/posts/cpu-targets.md"),
        ("Field Notes/posts/a.md", "field-notes/posts/a.md"),
    ],
)
def test_a_file_name_that_makes_a_poor_address_is_a_warning_with_the_kebab_case_name(src_uri, better):
    [problem] = poor_address(src_uri, "docs/" + src_uri)
    assert problem.severity == "warning"
    assert str(problem) == (
        f"docs/{src_uri}: the path {src_uri} makes a poor web address (spaces become %20, capitals are mistyped); "
        f"rename it {better}"
    )


def test_clean_paths_pass_and_kebab_case_reads_as_expected():
    assert poor_address("field-notes/posts/cpu_targets-2.md", "x") == []
    assert kebab_case("  Release Notes  (v2).MD") == "release-notes-v2.md"


NOTE = """---
title: {title}
description: A note brought over from another blog, with the shapes an editor meets on the way in.
date: 2026-10-20
authors: [impart]
categories: [Operations]
comments: true
---

The rollout went out on a Tuesday.

# What we measured

Latency, and the share of answers the team had to correct.
"""


@pytest.mark.build
def test_impart_check_and_the_strict_build_print_the_same_lines(tmp_path):
    project = copy_site(tmp_path / "project")
    title = "How we moved a claims model from a pilot into the hands of the team that runs it every day"
    (project / "docs/field-notes/posts/Claims Handover.md").write_text(NOTE.format(title=title), encoding="utf-8")
    checked = impart("check", cwd=project)
    built = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")

    assert checked.returncode == 1 and built.returncode != 0
    where = "docs/field-notes/posts/Claims Handover.md"
    assert checked.stdout.splitlines() == [
        f"warning: {where}: the path field-notes/posts/Claims Handover.md makes a poor web address (spaces become "
        "%20, capitals are mistyped); rename it field-notes/posts/claims-handover.md",
        f"warning: {where}:2: the title is {len(title)} characters, longer than a headline should be (at most 70: "
        "about 4 lines on a phone); shorten it and put the rest in description:",
        f"error: {where}:7: 'comments' is not used on this site: nothing on this site shows comments (no comment "
        "system is set up); remove the line",
        f"error: {where}:12: the heading 'What we measured' is a second headline (<h1>) on a page that has one; "
        "write it as '## What we measured'",
    ]
    for line in checked.stdout.splitlines():
        message = line.split(": ", 1)[1]
        assert [logged for logged in built.stderr.splitlines() if logged.endswith(message)], line
    assert files_under(tmp_path / "site") == []  # the build stopped before writing a page
