"""Line numbers level with their lines: a note with a 40-line fence (three of its lines highlighted) and a short
one in a notice, both with `linenums="1"` (tests/fixtures/features/numbered-runbook.md), is built strictly into a
copy of the site and measured in Chromium at a desktop and a phone width: each number's box is within 2 px
(vertically) of its own code line's, from the first line to the last. Screenshots go to artifacts/."""

from __future__ import annotations

import pytest

from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import ARTIFACTS, PROJECT, built_with_notes

NOTE = PROJECT / "tests/fixtures/features/numbered-runbook.md"
URL = "/field-notes/numbered-runbook/"

# The vertical centre of each number, and of the first character of each code line, in one numbered block.
CENTRES = """table => {
    const centre = r => (r.top + r.bottom) / 2;
    const numbers = [...table.querySelectorAll('td.linenos span.normal')].map(e => centre(e.getBoundingClientRect()));
    const lines = [];
    const walker = document.createTreeWalker(table.querySelector('td.code code'), NodeFilter.SHOW_TEXT);
    let atStart = true;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
            if (node.data[i] === '\\n') { atStart = true; continue; }
            if (!atStart) continue;
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            lines.push(centre(range.getBoundingClientRect()));
            atStart = false;
        }
    }
    return {numbers, lines};
}"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("line-numbers")
    project, site = built_with_notes(folder, NOTE)
    port = free_port()
    proposals = folder / "proposals"
    with running(serve_command(site, proposals, port, config=project / "mkdocs.yml"), port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.build
@pytest.mark.parametrize("width", [1280, 390])
def test_each_line_number_is_level_with_its_line(browser, base, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + URL, wait_until="load")
    blocks = page.locator(".impart-note__body table.highlighttable")
    assert blocks.count() == 2  # the long block, and the short one in a notice
    assert blocks.first.locator("td.code .hll").count() == 3  # highlighted lines keep the rhythm too
    for index, lines in enumerate([40, 2]):
        block = blocks.nth(index)
        block.scroll_into_view_if_needed()
        measured = block.evaluate(CENTRES)
        assert len(measured["numbers"]) == len(measured["lines"]) == lines
        drift = [round(n - c, 1) for n, c in zip(measured["numbers"], measured["lines"], strict=True)]
        assert max(abs(d) for d in drift) <= 2, f"block {index + 1} at {width} px: first {drift[0]}, last {drift[-1]}"
    blocks.first.locator("td.linenos span.normal").last.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"line-numbers-{width}.png"))
    page.close()
