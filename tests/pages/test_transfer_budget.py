"""A note's first visit at 1,000 notes transfers at most 100 KB, and search still finds any note.

The site is generated (bench/build.py's notes), built, served by `impart serve`
(which compresses text), and a note is loaded in Chromium with an empty cache;
every response's bytes on the wire are summed.
"""

from __future__ import annotations

import re

import pytest

from bench.build import blog_settings, generate_notes, make_ours
from tests.helpers.page_checks import BUDGET, transferred
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import mkdocs_build

NOTES = 1000


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thousand")
    notes = generate_notes(NOTES)
    blog_dir, _ = blog_settings()
    config = make_ours(folder / "project", blog_dir, notes)
    result = mkdocs_build(config, folder / "site")
    assert result.returncode == 0, result.stderr
    port = free_port()
    with running(serve_command(folder / "site", folder / "proposals", port, config=config), port):
        yield f"http://127.0.0.1:{port}", notes


@pytest.mark.build
@pytest.mark.thousand_notes
def test_a_first_visit_stays_within_the_budget_and_search_still_works(browser, large_site):
    base, notes = large_site
    note = notes[NOTES // 2]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{base}/field-notes/{note.stem}/", wait_until="networkidle")
    page.wait_for_timeout(500)  # anything requested late still counts

    total = transferred(responses)
    print(f"first visit of a note at {NOTES} notes: {total} bytes over {len(responses)} responses")
    urls = [r.url for r in responses]
    assert not any("search_index" in url for url in urls), "the index is fetched only when the reader searches"
    assert total <= BUDGET, f"{total} bytes: " + ", ".join(
        f"{r.url} {r.request.sizes()['responseBodySize']}" for r in responses
    )

    # Search still finds the note by a word from its body. Moving the mouse is the reader's first
    # interaction: Material's bundle runs then, and shows the search box.
    words = re.findall(r"[A-Za-z]{12,}", note.text.split("---", 2)[2])
    page.mouse.move(640, 40)
    page.click("input[data-md-component=search-query]")
    page.keyboard.type(words[len(words) // 2])
    page.wait_for_selector(".md-search-result__item", timeout=60_000)
    assert any("search_index" in r.url for r in responses)
    context.close()
