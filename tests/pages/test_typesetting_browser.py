"""Typesetting as Chromium lays it out: on a phone and on 1024 px cards a byline breaks only after a
separator, so no line starts with "·" and no date or reading time is split across two lines."""

from __future__ import annotations

import pytest

from tests.helpers.page_checks import DRAWN_LINES

# Every byline on the page, as the lines Chromium drew, and any date or part of it split over two lines.
BYLINE_LINES = f"""() => {{
  {DRAWN_LINES}
  return [...document.querySelectorAll('.impart-byline')].filter(b => b.offsetParent).map(byline => ({{
    lines: drawnLines(byline).map(line => line.trim()),
    split: [...byline.querySelectorAll('time, .impart-byline__part')]
      .filter(part => part.getClientRects().length > 1).map(part => part.textContent),
  }}));
}}"""

PAGES = ["/", "/field-notes/", "/field-notes/category/operations/", "/field-notes/pilot-to-production/"]


@pytest.mark.parametrize("width", [390, 1024])
def test_a_byline_breaks_only_after_a_separator(browser, site_server, width):
    base, _ = site_server
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    seen = 0
    for url in PAGES:
        page.goto(base + url, wait_until="load")
        for byline in page.evaluate(BYLINE_LINES):
            seen += 1
            assert not any(line.startswith("·") for line in byline["lines"]), (url, byline["lines"])
            assert byline["split"] == [], (url, byline)
    context.close()
    assert seen >= 8, "the pages should hold bylines to measure"
