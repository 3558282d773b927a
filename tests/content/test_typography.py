"""Plain typing typeset: a note written with straight quotes, `--`, `---` and `...` is built into a copy of
the real site, and every place a reader meets its words (body, headline, standfirst, listings, front page,
<title>, meta description, JSON-LD, the feeds) shows curly quotes, dashes and an ellipsis, while its code
keeps the straight quotes a reader would copy."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from impart.content.typography import typeset_text
from tests.helpers.site import copy_site, mkdocs_build

NOTE = """\
---
title: The "owner's" handbook -- a draft...
description: Who answers the pager at night, what they're told, and why it can't wait ---
  written for the people who'll run the system.
date:
  created: 2026-10-30
authors: [impart]
categories: [Operations]
cta: {lead: "If you're writing one -- and you should...", label: Ask for a proposal}
---

The team's "runbook" was two pages -- short enough to read... and it held.

Type `print('it\\'s "fine"')` to check, or run:

```python
status = "it's 'live'"
```
"""

TITLE = "The “owner’s” handbook – a draft…"
STANDFIRST = (
    "Who answers the pager at night, what they’re told, and why it can’t wait — written for the people who’ll run "
    "the system."
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("typography")
    project = copy_site(folder / "project")
    (project / "docs/field-notes/posts/owners-handbook.md").write_text(NOTE, encoding="utf-8")
    result = mkdocs_build(project / "mkdocs.yml", folder / "site")
    assert result.returncode == 0, result.stderr
    return folder / "site"


def read(site, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.build
def test_the_body_is_typeset_and_its_code_is_not(site):
    body = read(site, "field-notes/owners-handbook").select_one(".impart-note__body")
    assert body.p.get_text() == "The team’s “runbook” was two pages – short enough to read… and it held."
    assert body.select_one("p code").get_text() == """print('it\\'s "fine"')"""
    assert body.select_one("pre code").get_text().strip() == """status = "it's 'live'\""""


@pytest.mark.build
def test_headline_standfirst_title_and_metadata_are_typeset(site):
    page = read(site, "field-notes/owners-handbook")
    assert page.h1.get_text() == TITLE
    assert page.select_one(".impart-standfirst").get_text() == STANDFIRST
    assert page.title.get_text().startswith(TITLE)
    assert page.find("meta", attrs={"name": "description"})["content"] == STANDFIRST
    assert page.select_one(".impart-cta__lead").get_text() == "If you’re writing one – and you should…"
    ld = json.loads(page.find("script", type="application/ld+json").string)
    assert (ld["headline"], ld["description"]) == (TITLE, STANDFIRST)


@pytest.mark.build
def test_listings_front_page_and_feeds_are_typeset(site):
    listing = read(site, "field-notes")
    entry = next(a for a in listing.select(".impart-summary__title a") if "owners-handbook" in a["href"])
    assert entry.get_text() == TITLE
    assert STANDFIRST in [p.get_text() for p in listing.select(".impart-summary__standfirst")]
    home = read(site, "")
    assert TITLE in [a.get_text() for a in home.select("#main-content a")]
    feed = json.loads((site / "feed_json_created.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if "owners-handbook" in i["url"])
    assert item["title"] == TITLE
    assert TITLE in (site / "feed_rss_created.xml").read_text(encoding="utf-8")


def test_a_standfirst_stays_text_not_markdown():
    typed = "1. It's *not* emphasis, # nor a heading, <b> nor a tag & not an entity -- just text..."
    assert typeset_text(typed) == "1. It’s *not* emphasis, # nor a heading, <b> nor a tag & not an entity – just text…"
    assert typeset_text("Plain words") == "Plain words"
