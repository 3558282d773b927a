"""The frame as a reader sees it in Chromium: one column on every page type, no hamburger at desktop widths,
a dark header in the dark scheme, and a submit button at least as prominent as the call to action."""

from __future__ import annotations

import pytest

PAGES = {
    "home": "/",
    "listing": "/field-notes/",
    "category": "/field-notes/category/operations/",
    "archive": "/field-notes/archive/2026/",
    "note": "/field-notes/pilot-to-production/",
    "indicative note": "/field-notes/evaluation-in-production/",
    "proposal": "/request-a-proposal/",
    "thanks": "/request-a-proposal/thanks/?ref=20261127-120000-ABCDEF",
    "not found": "/no-such-page/",
}

# Where the first line of the page's own text starts (a placeholder notice is a box inset on the column: its
# edge is the column's, its text is not), and where the masthead's name starts.
LEFT_EDGES = """() => {
  const main = document.querySelector('#main-content');
  const first = [...main.querySelectorAll('h1, h2, p')]
    .find(e => e.getBoundingClientRect().width > 1 && !e.closest('.impart-notice'));
  const name = document.querySelector('.impart-masthead__name');
  const left = e => Math.round(e.getBoundingClientRect().left);
  return {text: left(first), masthead: left(name)};
}"""


@pytest.fixture(scope="module")
def wide(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context
    context.close()


def test_text_starts_at_the_same_x_on_every_page_type_at_1280(wide, site_server):
    base, _ = site_server
    edges = {}
    for name, url in PAGES.items():
        page = wide.new_page()
        page.goto(base + url, wait_until="load")
        edges[name] = page.evaluate(LEFT_EDGES)
        page.close()
    assert len({e["text"] for e in edges.values()} | {e["masthead"] for e in edges.values()}) == 1, edges


# The header's last control (the search box on a desktop, the search button on a phone) and the masthead's
# Request a Proposal button end on the same right edge: the frame is one column, its top row included.
RIGHT_EDGES = """() => {
  const right = e => Math.round(e.getBoundingClientRect().right);
  const controls = [...document.querySelectorAll('.md-header__inner > *')]
    .filter(e => e.getBoundingClientRect().width > 1);
  const action = document.querySelector('.impart-sections__action a');
  return {header: Math.max(...controls.map(right)), action: right(action)};
}"""


@pytest.mark.parametrize("width", [390, 800, 1024, 1280])
def test_the_header_controls_end_where_the_masthead_ends(browser, site_server, width):
    base, _ = site_server
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base + "/field-notes/pilot-to-production/", wait_until="load")
    edges = page.evaluate(RIGHT_EDGES)
    context.close()
    assert abs(edges["header"] - edges["action"]) <= 1, edges


@pytest.mark.parametrize("width", [1024, 1100, 1220, 1280])
def test_no_hamburger_at_desktop_widths_and_every_section_in_view(browser, site_server, width):
    base, _ = site_server
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base + "/field-notes/pilot-to-production/", wait_until="load")
    assert not page.locator("label.md-header__button[for='__drawer']").is_visible()
    for link in page.locator("nav.impart-sections a").all():
        assert link.is_visible(), link.text_content()
    context.close()


def test_the_header_is_dark_in_the_dark_scheme_and_not_materials_indigo(browser, site_server):
    base, _ = site_server
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        page.goto(base + "/", wait_until="load")
        colour = page.evaluate("getComputedStyle(document.querySelector('.impart-masthead')).backgroundColor")
        red, green, blue = (int(part) for part in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3])
        assert (red, green, blue) != (63, 81, 181), f"{scheme}: Material's indigo"
        assert max(red, green, blue) < 48, f"{scheme}: the masthead is {colour}, not a dark band"
        context.close()


def test_the_submit_button_is_at_least_as_prominent_as_the_call_to_action(wide, site_server):
    base, _ = site_server
    page = wide.new_page()
    page.goto(base + "/field-notes/pilot-to-production/", wait_until="load")
    cta = page.evaluate(
        "(() => { const b = document.querySelector('.impart-cta__button'); const r = b.getBoundingClientRect();"
        " return [r.width, r.height, parseFloat(getComputedStyle(b).fontSize)]; })()"
    )
    page.goto(base + "/request-a-proposal/", wait_until="load")
    submit = page.evaluate(
        "(() => { const b = document.querySelector('.impart-form__submit'); const r = b.getBoundingClientRect();"
        " return [r.width, r.height, parseFloat(getComputedStyle(b).fontSize)]; })()"
    )
    page.close()
    assert submit[1] >= cta[1] and submit[2] >= cta[2], f"submit {submit} against the call to action {cta}"


TYPE = """(selector) => {
  const e = document.querySelector(selector); const s = getComputedStyle(e);
  const left = Math.round(e.getBoundingClientRect().left);
  return {family: s.fontFamily, size: s.fontSize, weight: s.fontWeight, left};
}"""


def test_the_proposal_page_is_set_as_an_article(wide, site_server):
    base, _ = site_server
    page = wide.new_page()
    page.goto(base + "/field-notes/pilot-to-production/", wait_until="load")
    note_headline, note_text = page.evaluate(TYPE, "#main-content h1"), page.evaluate(TYPE, ".impart-note__body p")
    page.route("**/intake.js", lambda route: route.abort())  # the handler's own answer, with its error summary
    page.goto(base + "/request-a-proposal/", wait_until="load")
    headline, intro = page.evaluate(TYPE, "#main-content h1"), page.evaluate(TYPE, "#main-content > p")
    form = page.evaluate(TYPE, "form.impart-form")
    chars = page.evaluate(
        "(() => { const p = document.querySelector('#main-content > p');"
        " return p.textContent.length / Math.max(1, Math.round(p.getBoundingClientRect().height /"
        " parseFloat(getComputedStyle(p).lineHeight))); })()"
    )
    page.fill("#name", "Ada")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    summary = page.evaluate(TYPE, ".impart-error-summary h2")
    privacy = page.evaluate(TYPE, "#privacy")
    page.close()
    assert headline == {**note_headline, "left": headline["left"]}, "the proposal's headline is the article's"
    assert intro["family"] == note_text["family"] and intro["size"] == note_text["size"]
    assert form["left"] == headline["left"] == note_headline["left"], "the form sits in the reading column"
    assert 45 <= chars <= 75, f"the introduction sets {chars:.0f} characters a line"
    assert summary["family"] == privacy["family"] == note_headline["family"] and int(summary["weight"]) >= 700
