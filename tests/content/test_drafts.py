"""`draft: true` does what Material documents: the note shows in the preview and never in `make build`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers.site import PROJECT, copy_site, files_under, impart, mkdocs_build, run_env

DRAFT = """---
title: An unfinished note on queue budgets
description: A note not ready yet, which an editor previews while the published site and its feeds never show it.
date: 2026-11-10
authors: [impart]
categories: [Operations]
draft: true
---

## Where it stands

Half written.
"""


@pytest.mark.build
def test_a_draft_shows_in_the_preview_and_never_in_the_build(tmp_path):
    project = copy_site(tmp_path / "project")
    (project / "docs/field-notes/posts/queue-budgets.md").write_text(DRAFT, encoding="utf-8")
    built = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stderr
    mentions = [p for p in files_under(tmp_path / "site") if b"queue budgets" in p.read_bytes()]
    assert mentions == []  # no page, listing, feed, sitemap or search entry
    assert (tmp_path / "site/field-notes/success-measures/index.html").is_file()

    session = [sys.executable, str(PROJECT / "tests/helpers/preview_session.py"), str(project / "mkdocs.yml")]
    preview = subprocess.run(
        [*session, str(tmp_path / "preview")],
        input="build\n",
        capture_output=True,
        text=True,
        env=run_env(),
        timeout=300,
    )
    assert preview.returncode == 0, preview.stderr
    page = tmp_path / "preview/field-notes/queue-budgets/index.html"
    assert "An unfinished note on queue budgets" in page.read_text(encoding="utf-8")

    # A published note that links to the draft would send readers to a page `make build` never writes.
    published = project / "docs/field-notes/posts/success-measures.md"
    published.write_text(published.read_text(encoding="utf-8") + "\nSee [queue budgets](queue-budgets.md).\n")
    checked = impart("check", cwd=project)
    built = mkdocs_build(project / "mkdocs.yml", tmp_path / "site-with-link")
    message = "the link queue-budgets.md goes to a draft (draft: true), which make build leaves out"
    assert checked.returncode == 1 and message in checked.stdout
    assert built.returncode != 0 and message in built.stderr


def test_a_draft_lacking_authors_description_and_categories_is_warned_in_the_preview_and_refused_elsewhere():
    from impart.content.site_checks import check_page
    from impart.settings import load_settings

    settings = load_settings(PROJECT / "mkdocs.yml")
    unfinished = "---\ntitle: Half a note\ndate: 2026-11-10\ndraft: true\n---\n\nHalf written.\n"
    uri, authors = "field-notes/posts/half.md", {"impart": "Impart Editorial"}
    missing = {"authors", "description", "categories"}

    note, problems = check_page(uri, unfinished, settings, {uri}, authors, True, {uri}, preview=True)
    assert {p.key for p in problems} == missing and {p.severity for p in problems} == {"warning"}
    assert all("a draft may leave it out in the preview; make build refuses it" in str(p) for p in problems)
    assert note is not None and note.title == "Half a note"  # the preview renders it

    for preview, drafts in ((False, {uri}), (True, set())):  # the build and check; a note that is no draft
        note, problems = check_page(uri, unfinished, settings, {uri}, authors, True, drafts, preview=preview)
        assert {p.key for p in problems} == missing and {p.severity for p in problems} == {"error"}
        assert note is None

    typo = unfinished.replace("title: Half", 'title: "Half')  # a draft's YAML must still be YAML
    _, problems = check_page(uri, typo, settings, {uri}, authors, True, {uri}, preview=True)
    assert [p.severity for p in problems] == ["error"]
