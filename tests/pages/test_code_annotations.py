"""Code annotations (`# (1)!` in a fence, the numbered list after it) read as Material's annotations: with the
script, each marker is a button that opens its note and the comment is gone; without it, the numbered list still
follows the code. A note from tests/fixtures/features/ is built strictly into a copy of the site and read in
Chromium; screenshots go to artifacts/."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import ARTIFACTS, PROJECT, built_with_notes

NOTE = PROJECT / "tests/fixtures/features/annotated-rollout.md"
URL = "/field-notes/annotated-rollout/"


@pytest.fixture(scope="module")
def annotated_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("annotations")
    return built_with_notes(folder, NOTE)


@pytest.fixture(scope="module")
def base(annotated_site, tmp_path_factory):
    project, site = annotated_site
    port = free_port()
    proposals = tmp_path_factory.mktemp("annotation-proposals")
    with running(serve_command(site, proposals, port, config=project / "mkdocs.yml"), port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.build
def test_the_build_asks_material_for_annotations_and_keeps_the_list_after_the_code(annotated_site):
    _, site = annotated_site
    page = BeautifulSoup((site / URL.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")
    config = page.select_one("script#__config")
    assert "content.code.annotate" in config.get_text()  # Material's script reads its features from here
    block = page.select_one(".impart-note__body div.highlight")
    listed = block.find_next_sibling()
    assert listed.name == "ol"
    assert [li.get_text(" ", strip=True)[:28] for li in listed.select("li")] == [
        "The previous version stays l",
        "Traffic moves in one step; t",
    ]


@pytest.mark.build
def test_with_the_script_each_marker_is_an_annotation_and_no_comment_is_left(browser, base):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + URL, wait_until="load")
    code = page.locator(".impart-note__body div.highlight").first
    # Before the bundle (it waits for the reader's first move, on-interaction.js) the list follows the code.
    assert page.locator(".impart-note__body div.highlight + ol").is_visible()
    page.mouse.move(200, 300)
    markers = code.locator(".md-annotation")
    markers.first.wait_for(timeout=5000)
    assert markers.count() == 2
    assert "(1)" not in code.inner_text() and "(2)" not in code.inner_text()
    # The list became the tooltips' content: it is no longer an ordinary list under the code.
    assert page.locator(".impart-note__body > ol:visible").count() == 0
    markers.first.click()
    tip = code.locator(".md-annotation .md-tooltip").first
    tip.wait_for(state="visible", timeout=5000)
    assert "rollback takes seconds" in tip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "code-annotations-script.png"))
    page.close()


@pytest.mark.build
def test_without_the_script_the_numbered_list_follows_the_code(browser, base):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + URL, wait_until="load")
    listed = page.locator(".impart-note__body div.highlight + ol")
    assert listed.is_visible()
    assert listed.locator("li").count() == 2
    page.screenshot(path=str(ARTIFACTS / "code-annotations-no-script.png"))
    context.close()
