"""A note's JSON-LD names each author as the kind of author it is: `type: person` in .authors.yml makes a Person,
and an author without it (the house) stays an Organization. Read from a strict build of a copy of the site."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from impart.content.field_notes import NoteError, load_authors
from impart.settings import load_settings
from tests.helpers.site import copy_site, impart, mkdocs_build

PERSON = """
  priya:
    name: Priya Shah
    description: Runs handovers at Impart
    avatar: assets/images/impart-editorial.svg
    type: person
"""

NOTE = """---
title: What a handover week looks like
description: The five days in which an operations team takes a model from us, written from the desk of the lead.
date: 2026-04-14
authors: [priya, impart]
categories: [Operations]
---

The handover starts on a Monday with the runbook read aloud.
"""


def json_ld(site, url):
    page = BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    return json.loads(page.select_one('script[type="application/ld+json"]').get_text())


@pytest.mark.build
def test_a_person_is_a_person_and_the_house_an_organization_in_json_ld(tmp_path):
    project = copy_site(tmp_path / "project")
    authors = project / "docs/field-notes/.authors.yml"
    authors.write_text(authors.read_text(encoding="utf-8").rstrip("\n") + "\n" + PERSON, encoding="utf-8")
    (project / "docs/field-notes/posts/handover-week.md").write_text(NOTE, encoding="utf-8")
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr

    assert json_ld(tmp_path / "site", "field-notes/handover-week")["author"] == [
        {"@type": "Person", "name": "Priya Shah"},
        {"@type": "Organization", "name": "Impart Editorial"},
    ]
    assert json_ld(tmp_path / "site", "field-notes/pilot-to-production")["author"] == [
        {"@type": "Organization", "name": "Impart Editorial"}
    ]


def test_an_unknown_type_is_refused_naming_the_file_and_the_choices(tmp_path):
    project = copy_site(tmp_path / "project")
    authors = project / "docs/field-notes/.authors.yml"
    authors.write_text(authors.read_text(encoding="utf-8") + "    type: robot\n", encoding="utf-8")
    with pytest.raises(NoteError) as refused:
        load_authors(load_settings(project / "mkdocs.yml"))
    assert str(refused.value.problem) == (
        "docs/field-notes/.authors.yml: author 'impart' has type: robot; "
        "write type: person or type: organization (the default)"
    )
    checked = impart("check", cwd=project)
    assert checked.returncode != 0 and str(refused.value.problem) in checked.stdout + checked.stderr
