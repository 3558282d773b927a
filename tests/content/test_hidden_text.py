"""Raw HTML an author hides (`<div hidden>`) is not part of the page a reader gets: a `# ` line in it is text,
never a second headline; its words count in no reading time and go into no search entry. The note in
tests/fixtures/real-classes/hidden-earlier-draft.md keeps a 311-word draft hidden under 68 visible words."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from impart.content.headings import extra_headlines, top_headings
from impart.content.readtime import _count_words_by_parser, count_words
from tests.helpers.site import PROJECT, built_with_notes, impart

NOTE = PROJECT / "tests/fixtures/real-classes/hidden-earlier-draft.md"
ADDRESS = "field-notes/hidden-earlier-draft/"


def test_a_heading_line_inside_raw_html_is_text_and_one_outside_or_in_markdown_html_is_a_heading():
    body = (
        "# Title\n\n<div hidden>\n\n# Draft\n\n<div>\n# nested\n</div>\n# still raw\n</div>\n\n"
        "# After the block\n\n<!--\n# in a comment\n-->\n\n<div markdown>\n\n# In Markdown HTML\n\n</div>\n\n"
        "<section><h1>Written as HTML</h1></section>\n"
    )
    assert [(text, style) for _, text, style in top_headings(body)] == [
        ("Title", "#"),
        ("After the block", "#"),
        ("In Markdown HTML", "#"),
        ("Written as HTML", "<h1>"),
    ]
    assert [p.line for p in extra_headlines(body, "x.md")] == [13, 21, 25]


def test_hidden_elements_and_all_they_hold_count_no_words():
    html = "<p>Three words here.</p><div hidden><p>Not <em>one</em> of these.</p>\n# Draft</div><p>Two more.</p>"
    assert count_words(html) == 5
    assert _count_words_by_parser(html) == 5
    assert count_words("<p hidden>gone</p><p>kept</p>") == 1


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hidden")
    project, site = built_with_notes(folder, NOTE)  # strict: a second headline would fail it
    return project, site


@pytest.mark.build
def test_check_passes_the_note_and_its_page_reads_in_one_minute(built):
    project, site = built
    check = impart("check", cwd=project)
    assert check.returncode == 0, check.stdout
    page = BeautifulSoup((site / ADDRESS / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [h1.get_text(strip=True) for h1 in page.find_all("h1")] == ["A note that keeps its earlier draft hidden"]
    assert "1 min read" in page.select_one("main").get_text()
    hidden = page.select_one("main div[hidden]")
    assert "quarterdeck" in hidden.get_text()  # still on the page, as the author wrote it
    assert "data-search-exclude" not in str(page)  # the search plugin's mark is gone from the page


@pytest.mark.build
def test_the_hidden_draft_is_not_in_the_search_index(built):
    _, site = built
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    entries = [doc for doc in index["docs"] if doc["location"].startswith(ADDRESS)]
    text = " ".join(doc["title"] + " " + doc["text"] for doc in entries)
    assert "which alarms mattered" in text
    assert not re.search(r"quarterdeck|rollback rehearsal|Earlier draft", text)
