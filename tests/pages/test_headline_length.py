"""The longest title check accepts (impart.content.titles.HEADLINE_MAX_CHARACTERS) is measured against the
note's real headline in Chromium: at the limit it takes at most 4 lines at 390 px and 3 at 1280 px; twenty
characters more take a fifth line on a phone, which is why longer titles are warned of."""

from __future__ import annotations

import pytest

from impart.content.titles import HEADLINE_MAX_CHARACTERS
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import ARTIFACTS, PROJECT, built_with_notes

NOTE = PROJECT / "tests/fixtures/features/long-headline.md"
URL = "/field-notes/long-headline/"
LINES = """h => { const r = document.createRange(); r.selectNodeContents(h); return r.getClientRects().length; }"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("headline")
    project, _ = built_with_notes(folder, NOTE)  # strict: a title at the limit is no warning
    port = free_port()
    with running(serve_command(folder / "site", folder / "proposals", port, config=project / "mkdocs.yml"), port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.build
@pytest.mark.parametrize(("width", "most"), [(1280, 3), (390, 4)])
def test_a_title_at_the_limit_fits_the_headline_lines(browser, base, width, most):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + URL, wait_until="load")
    headline = page.locator(".impart-note h1").first
    assert len(headline.inner_text()) == HEADLINE_MAX_CHARACTERS
    assert headline.evaluate(LINES) <= most
    page.screenshot(path=str(ARTIFACTS / f"headline-at-limit-{width}.png"))
    headline.evaluate("h => { h.textContent = h.textContent.replace(/\\.$/, ' across four offices.'); }")
    if width == 390:
        assert headline.evaluate(LINES) > most  # twenty characters more: a fifth line on a phone
    page.close()
