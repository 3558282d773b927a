"""Small faults a reader meets in Chromium: the skip link drawn clear of the masthead, no Tab stop that
cannot be seen and no page left dimmed after tabbing past search, a printed note at a reading measure,
and the dark scheme for a dark-preferring reader without JavaScript."""

from __future__ import annotations

import pytest

from tests.helpers.page_checks import DRAWN_LINES

NOTE = "/field-notes/pilot-to-production/"

# The focused element's box; the scheme toggle is a visually hidden radio drawn by the label after it.
FOCUSED = """() => {
  const e = document.activeElement;
  const label = e.classList.contains('md-option') && e.nextElementSibling;
  const drawn = label && label.tagName === 'LABEL' ? label : e;
  const box = drawn.getBoundingClientRect();
  return {tag: e.tagName, cls: String(e.className), text: e.textContent.trim().slice(0, 40),
          width: box.width, height: box.height, inMasthead: !!e.closest('.impart-masthead')};
}"""

BOX = """selector => {
  const b = document.querySelector(selector).getBoundingClientRect();
  return [b.left, b.top, b.right, b.bottom];
}"""


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_focused_skip_link_is_drawn_clear_of_the_wordmark_and_controls(browser, site_server, width):
    base, _ = site_server
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base + NOTE, wait_until="load")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('impart-skip')")
    page.wait_for_timeout(300)  # Material fades the skip link in
    skip = page.evaluate(BOX, ".impart-skip")
    assert skip[2] - skip[0] > 0 and skip[3] - skip[1] > 0
    for other in (".impart-masthead__name", ".md-header__option", ".md-search"):
        if page.locator(other).first.is_visible():
            assert not overlap(skip, page.evaluate(BOX, other)), other
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_every_tab_stop_before_the_masthead_can_be_seen_and_the_page_is_not_left_dimmed(browser, site_server, width):
    base, _ = site_server
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base + NOTE, wait_until="load")
    stops = []
    for _ in range(12):  # the skip link, the scheme toggle, search, then the masthead: fewer than 12
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        stops.append(stop)
        assert stop["width"] >= 1 and stop["height"] >= 1, f"an invisible Tab stop: {stop}"
        if stop["inMasthead"]:
            break
    assert stops[-1]["inMasthead"], stops
    page.wait_for_timeout(500)  # Material's overlay fades over a quarter of a second
    assert not page.evaluate("() => document.querySelector('[data-md-toggle=search]').checked")
    overlay = page.locator(".md-search__overlay")
    assert overlay.count() == 0 or overlay.evaluate("e => getComputedStyle(e).opacity") == "0"
    context.close()


# The longest line, in characters, of the note's running paragraphs as Chromium laid them out.
LONGEST_LINE = f"""() => {{
  {DRAWN_LINES}
  const paragraphs = [...document.querySelectorAll('.impart-note__body > p')];
  return Math.max(...paragraphs.map(p => Math.max(0, ...drawnLines(p).map(line => line.length))));
}}"""


def test_a_printed_note_keeps_a_reading_measure(browser, site_server):
    base, _ = site_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.emulate_media(media="print")
    page.goto(base + NOTE, wait_until="load")
    longest = page.evaluate(LONGEST_LINE)
    assert 45 <= longest <= 75, f"{longest} characters in the longest printed line"
    context.close()


def luminance(rgb: str) -> float:
    """The relative luminance (WCAG) of a computed `rgb(r, g, b)` colour."""
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("url", [NOTE, "/", "/request-a-proposal/"])
def test_a_dark_preferring_reader_without_javascript_gets_the_dark_scheme(browser, site_server, url):
    base, _ = site_server
    colours = {}
    for scheme in ("dark", "light"):
        context = browser.new_context(color_scheme=scheme, java_script_enabled=False)
        page = context.new_page()
        page.goto(base + url, wait_until="load")
        colours[scheme] = page.evaluate(
            """() => [getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.querySelector('#main-content p, #main-content h1')).color]"""
        )
        context.close()
    (dark_page, dark_text), (light_page, light_text) = colours["dark"], colours["light"]
    assert luminance(dark_page) < 0.05 < luminance(dark_text), colours
    assert luminance(light_page) > 0.8 > luminance(light_text), colours
