"""impart.content.body_checks and site_checks: every mistake in a page's body is one line naming the file, the
line and the fix, and `impart check` and the strict build print the same lines."""

from __future__ import annotations

import pytest

from impart.content.body_checks import check_body
from impart.content.references import first_heading, references
from tests.helpers.site import copy_site, files_under, impart, mkdocs_build

PAGE = "field-notes/posts/new-note.md"
WHERE = "docs/field-notes/posts/new-note.md"
KNOWN = {"index.md", "field-notes/index.md", "field-notes/posts/success-measures.md", "field-notes/posts/a.png"}

BAD_BODIES = [
    (
        "See [measures](success-measure.md).",
        "the link success-measure.md goes to no page (docs/field-notes/posts/success-measure.md); "
        "did you mean field-notes/posts/success-measures.md? link it as success-measures.md",
    ),
    (
        "See [measures](../success-measures.md#baseline).",
        "the link ../success-measures.md#baseline goes to no page (docs/field-notes/success-measures.md); "
        "did you mean field-notes/posts/success-measures.md? link it as success-measures.md",
    ),
    (
        "[plan]: roadmap/q3.md\n\nThe [plan] says so.",
        "the link roadmap/q3.md goes to no page (docs/field-notes/posts/roadmap/q3.md); no folder "
        "docs/field-notes/posts/roadmap/ holds pages; pages are in docs/, docs/field-notes/, docs/field-notes/posts/; "
        "fix the path, or remove the link",
    ),
    (
        "![Chart](images/chart.png)",
        "the image images/chart.png is not in docs/ (looked for docs/field-notes/posts/images/chart.png); "
        "save the file there or fix the path",
    ),
    (
        '<img src="missing.svg" alt="x">',
        "the image missing.svg is not in docs/ (looked for docs/field-notes/posts/missing.svg); "
        "save the file there or fix the path",
    ),
    (
        '<picture><source srcset="gone.png 480w"></picture>',
        "the source gone.png is not in docs/ (looked for docs/field-notes/posts/gone.png); "
        "save the file there or fix the path",
    ),
    (
        '<img src="../a.png" alt="written from the page\'s address">',
        "the image ../a.png is not in docs/ (looked for docs/field-notes/a.png); "
        "the file is at docs/field-notes/posts/a.png: write it as a.png, relative to this file",
    ),
    (
        "![Chart](https://example.com/chart.png)",
        "the image https://example.com/chart.png is fetched from another host, which the site never asks of a "
        "reader's browser; save it under docs/field-notes/posts/ and refer to it by its relative path",
    ),
    (
        '<iframe src="//video.example.net/embed/1" title="demo"></iframe>',
        "the iframe //video.example.net/embed/1 is fetched from another host, which the site never asks of a "
        "reader's browser; replace the element with a link to it, "
        '<a href="//video.example.net/embed/1">Watch it on its own site</a>',
    ),
    (
        '<script src="https://cdn.example.org/widget.js"></script>',
        "the script https://cdn.example.org/widget.js is fetched from another host, which the site never asks of a "
        "reader's browser; replace the script with a link to what it shows, "
        '<a href="https://cdn.example.org/widget.js">See it on its own site</a>',
    ),
    (
        '<script src="https://gist.github.com/someone/0a1b2c.js"></script>',
        "the script https://gist.github.com/someone/0a1b2c.js is fetched from another host, which the site never "
        "asks of a reader's browser; replace the script with a link to what it shows, "
        '<a href="https://gist.github.com/someone/0a1b2c">See it on its own site</a>',
    ),
    (
        "[chart]: https://example.com/chart.png\n\n![Chart][chart]",
        "the image https://example.com/chart.png is fetched from another host, which the site never asks of a "
        "reader's browser; save it under docs/field-notes/posts/ and refer to it by its relative path",
    ),
    (
        "![Chart](../../../outside/chart.png)",
        "the image ../../../outside/chart.png is not in docs/ (looked for docs/../outside/chart.png); the path leads "
        "outside docs/, which the site does not publish; copy the file to docs/field-notes/posts/images/chart.png "
        "and write it as images/chart.png",
    ),
    (
        "See [the rota](../../../notes/rota.md).",
        "the link ../../../notes/rota.md goes to no page (docs/../notes/rota.md); the path leads outside docs/, "
        "which the site does not publish; link a page under docs/, or remove the link",
    ),
    (
        '<link rel="stylesheet" href="https://cdn.example.org/a.css">',
        "the stylesheet https://cdn.example.org/a.css is fetched from another host, which the site never asks of "
        "a reader's browser; remove it: pages load stylesheets only from the site itself (overrides/assets/)",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
def test_each_mistake_is_one_line_with_the_file_the_line_and_the_fix(body, message, tmp_path):
    text = "Intro.\n\n" + body + "\n"
    problems = check_body(PAGE, text, WHERE, KNOWN, tmp_path, first_line=8)
    assert [str(p) for p in problems] == [f"{WHERE}:10: {message}"]
    assert list(tmp_path.iterdir()) == []  # a check writes nothing


GOOD_BODIES = [
    "See [measures](success-measures.md#baseline), [home](../../index.md) and [us](https://example.com/).",
    "## Intro\n\n![A chart](a.png), [mail](mailto:hello@impart.example), [top](#intro) and [site](/field-notes/).",
    "### The *first* `step`, again {#first}\n\nTo [it](#first), [a tab](#__tabbed_1_1), [a note](#fn:1).",
    'A <span id="here">target</span>, and [*a wrapped*\nlink](#here) to it.',
    "```markdown\n![in code](nope.png)\n```\n\nAnd `[inline](nope.md)` code.",
    "A footnote.[^1]\n\n[^1]: Its text.\n\n*[SLA]: Service level agreement",
    '<a href="https://example.com/">a link to another site is fine</a>',
    "A definition no text uses is not a link.\n\n[unused]: missing-page.md\n[spare]: https://example.org/x.png",
]


@pytest.mark.parametrize("body", GOOD_BODIES)
def test_what_is_fine_passes(body, tmp_path):
    (tmp_path / "field-notes/posts").mkdir(parents=True)
    (tmp_path / "field-notes/posts/a.png").write_bytes(b"\x89PNG")
    assert check_body(PAGE, body, WHERE, KNOWN, tmp_path) == []


NOTES = [
    "index.md",
    "field-notes/index.md",
    "field-notes/posts/certus.md",
    "field-notes/posts/new-note.md",
    "field-notes/posts/rollback-paths.md",
    "field-notes/posts/success-measures.md",
]


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        # A typo or a plural: the one close name, linked from this file.
        ("success-measure.md", "did you mean field-notes/posts/success-measures.md? link it as success-measures.md"),
        ("rollback-path.md", "did you mean field-notes/posts/rollback-paths.md? link it as rollback-paths.md"),
        # Names that share a few letters with a note are no match: where to look instead.
        (
            "cpu_targets.md",
            "no page there has a close name; the pages in docs/field-notes/posts/ include certus.md, "
            "rollback-paths.md, success-measures.md; fix the path, or remove the link",
        ),
        # Close to the page's own name: never the page itself.
        (
            "new-notes.md",
            "no page there has a close name; the pages in docs/field-notes/posts/ include certus.md, "
            "success-measures.md, rollback-paths.md; fix the path, or remove the link",
        ),
        # A folder's index is named by its folder: another folder's index is no match.
        (
            "reference/index.md",
            "no folder docs/field-notes/posts/reference/ holds pages; pages are in docs/, docs/field-notes/, "
            "docs/field-notes/posts/; fix the path, or remove the link",
        ),
        # A page at the top of docs/ that is not there: the folder named as an editor writes it.
        (
            "../../account.md",
            "no page there has a close name; the pages in docs/ include index.md; fix the path, or remove the link",
        ),
        # A file is never offered a folder's index, however close the names.
        (
            "../indexx.md",
            "no page there has a close name; the pages in docs/field-notes/ include index.md; fix the path, "
            "or remove the link",
        ),
    ],
)
def test_did_you_mean_names_only_a_close_page_else_where_to_look(url, hint, tmp_path):
    [problem] = check_body(PAGE, f"See [it]({url}).", WHERE, set(NOTES), tmp_path)
    assert problem.message.endswith(hint), problem.message
    assert list(tmp_path.iterdir()) == []


def test_an_image_over_500_kb_is_a_warning_naming_it_and_its_size(tmp_path):
    (tmp_path / "field-notes/posts").mkdir(parents=True)
    (tmp_path / "field-notes/posts/a.png").write_bytes(b"\0" * 700 * 1024)
    [problem] = check_body(PAGE, "![Big](a.png)", WHERE, KNOWN, tmp_path)
    assert problem.severity == "warning"
    assert str(problem) == f"{WHERE}:1: the image a.png is 700 KB; resize or compress it to under 500 KB"


def test_references_and_headings_skip_code():
    text = "```sh\n# a comment\n![x](in-code.png)\n```\n# The heading\n\n`![y](inline.png)` ![z](real.png)\n"
    assert first_heading(text, 3) == (7, "The heading")
    assert [(r.line, r.kind, r.url) for r in references(text, 3)] == [(9, "image", "real.png")]


BROKEN_NOTE = """---
title: Using `git sparse-checkout` on a big repository
description: A note with the mistakes an editor makes bringing an article over from another Material blog.
date: 2026-10-20
authors: [impart, impart]
categories: [Operations]
slug: sparse
---

# Using sparse checkout

See [success measures](success-measure.md).

![A chart](https://example.com/chart.png)
"""


@pytest.mark.build
def test_impart_check_and_the_strict_build_list_every_problem_in_the_same_words(tmp_path):
    project = copy_site(tmp_path / "project")
    posts = project / "docs/field-notes/posts"
    (posts / "broken.md").write_text(BROKEN_NOTE, encoding="utf-8")
    home = project / "docs/index.md"
    home.write_text(home.read_text(encoding="utf-8") + "\n![Logo](logo.png)\n", encoding="utf-8")
    checked = impart("check", cwd=project)
    built = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")

    assert checked.returncode == 1 and built.returncode != 0
    lines = [line.removeprefix("error: ") for line in checked.stdout.splitlines()]
    where = "docs/field-notes/posts/broken.md"
    assert lines == [
        f"{where}:5: 'authors' names 'impart' more than once; list each author once",
        f"{where}:7: 'slug' is not used on this site: a note's address is its file name here (post_url_format); "
        "rename the file docs/field-notes/posts/sparse.md and remove this line",
        f"{where}:10: the note has both 'title:' and the heading '# Using sparse checkout', two headlines; "
        "remove this '# ' line (the page prints title: as its headline)",
        f"{where}:12: the link success-measure.md goes to no page (docs/field-notes/posts/success-measure.md); "
        "did you mean field-notes/posts/success-measures.md? link it as success-measures.md",
        f"{where}:14: the image https://example.com/chart.png is fetched from another host, which the site never "
        f"asks of a reader's browser; save it under docs/field-notes/posts/ and refer to it by its relative path",
        f"docs/index.md:{len(home.read_text().splitlines())}: the image logo.png is not in docs/ "
        "(looked for docs/logo.png); save the file there or fix the path",
    ]
    assert "6 problem(s) in 2 file(s)" in checked.stderr
    for line in lines:  # every one, in the same words, in the build's log
        assert [logged for logged in built.stderr.splitlines() if logged.endswith(line)], line
    assert files_under(tmp_path / "site") == []  # the build stopped before writing a page


def test_duplicate_authors_are_an_error_and_the_byline_names_each_once():
    from impart.content.field_notes import parse_note

    meta = {
        "title": "T",
        "description": "x" * 60,
        "date": __import__("datetime").date(2026, 1, 1),
        "authors": ["impart", "impart"],
        "categories": ["Operations"],
    }
    note, problems = parse_note(meta, "Body.\n", "n.md", {"impart": "Impart Editorial"}, ("Operations",))
    assert note is None
    assert [str(p) for p in problems] == ["n.md: 'authors' names 'impart' more than once; list each author once"]


def test_a_link_to_a_draft_from_a_published_page_is_a_warning(tmp_path):
    draft = "field-notes/posts/success-measures.md"
    text = "See [measures](success-measures.md)."
    [problem] = check_body(PAGE, text, WHERE, KNOWN, tmp_path, drafts={draft})
    assert (problem.severity, str(problem)) == (
        "warning",
        f"{WHERE}:1: the link success-measures.md goes to a draft (draft: true), which make build leaves out; "
        "link it once that note is published",
    )
    assert check_body(draft, "See [me](success-measures.md).", WHERE, KNOWN, tmp_path, drafts={draft}) == []
