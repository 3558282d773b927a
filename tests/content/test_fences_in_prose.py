"""A fence written on the line right after a sentence makes valid HTML: the code block is a block of its own,
between the paragraphs, wherever it is written (at the top, in a notice, in a list), and the words on either side
of it stay on the page. Judged on the built pages with a parser and the Nu Html Checker."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.helpers.page_checks import vnu_errors
from tests.helpers.site import PROJECT, built_with_notes

FIXTURES = PROJECT / "tests/fixtures/real-classes"
NOTES = ("fences-under-sentences.md", "annotated-under-paragraph.md")

pytestmark = [pytest.mark.build, pytest.mark.html_checker]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _, site = built_with_notes(tmp_path_factory.mktemp("fences"), *(FIXTURES / name for name in NOTES))
    return site


def _page(site, name: str):
    path = site / "field-notes" / name.removesuffix(".md") / "index.html"
    return path, BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_no_code_block_sits_inside_a_paragraph_and_the_words_around_it_remain(site):
    _, page = _page(site, "fences-under-sentences.md")
    blocks = page.select("main div.highlight")
    assert len(blocks) == 3
    assert [block.find_parent("p") for block in blocks] == [None, None, None]
    paragraphs = [p.get_text(" ", strip=True) for p in page.select("main p")]
    assert "Before the handover, the operator lists what is running with one command:" in paragraphs
    assert "and then writes down the two that matter on the handover sheet." in paragraphs
    assert "The rollback is one line, kept where the on-call person can find it:" in paragraphs
    assert "Check the queue is empty, with:" in paragraphs


def test_the_pages_with_fences_under_sentences_are_valid_html(site):
    paths = [_page(site, name)[0] for name in NOTES]
    assert vnu_errors(*paths) == []
