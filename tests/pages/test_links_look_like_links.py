"""A link in a note looks like a link wherever it is (WCAG 1.4.1, use of colour): in a table cell, a list of
terms or raw HTML as in running text, in both schemes. Measured in Chromium on a built note
(tests/fixtures/real-classes/links-in-tables.md): each link is underlined, or its colour stands 3:1 from the
text around it."""

from __future__ import annotations

import pytest

from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, built_with_notes

NOTE = PROJECT / "tests/fixtures/real-classes/links-in-tables.md"
ADDRESS = "/field-notes/links-in-tables/"

# Each link in the note's body: its text, where it sits, its underline, and the contrast of its colour with the
# colour of the text around it (both blended on the page's background).
MEASURE = """() => {
  const rgba = (css) => css.match(/[\\d.]+/g).map(Number).concat([1]).slice(0, 4);
  const background = rgba(getComputedStyle(document.body).backgroundColor);
  const blended = (css) => { const [r, g, b, a] = rgba(css);
    return [r, g, b].map((c, i) => c * a + background[i] * (1 - a)); };
  const luminance = (rgb) => { const [r, g, b] = rgb.map((c) => { c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const contrast = (x, y) => { const [a, b] = [luminance(blended(x)), luminance(blended(y))].sort((m, n) => n - m);
    return (a + 0.05) / (b + 0.05); };
  return [...document.querySelectorAll(".impart-note__body a")].map((a) => ({
    text: a.textContent.trim(),
    in: a.parentElement.tagName.toLowerCase(),
    underlined: getComputedStyle(a).textDecorationLine.includes("underline"),
    contrast: contrast(getComputedStyle(a).color, getComputedStyle(a.parentElement).color),
  }));
}"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("links")
    project, site = built_with_notes(folder, NOTE)
    port = free_port()
    with running(serve_command(site, folder / "proposals", port, config=project / "mkdocs.yml"), port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.build
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_link_in_a_note_is_underlined_or_stands_out_by_3_to_1(browser, base, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + ADDRESS, wait_until="load")
    links = page.evaluate(MEASURE)
    context.close()
    assert {link["in"] for link in links} >= {"p", "td", "dd", "div"}, links
    unlike_links = [link for link in links if not (link["underlined"] or link["contrast"] >= 3)]
    assert unlike_links == [], unlike_links
