"""axe-core in Chromium: no WCAG 2.2 A/AA or best-practice violations, light, dark and 375 px wide."""

from __future__ import annotations

import pytest

from tests.helpers.page_checks import axe_violations, interact

PAGES = {
    "home": "/",
    "listing": "/field-notes/",
    "note": "/field-notes/pilot-to-production/",
    "indicative note": "/field-notes/evaluation-in-production/",
    "category": "/field-notes/category/field-notes/",
    "intake": "/request-a-proposal/",
    "thanks": "/request-a-proposal/thanks/?ref=20261127-120000-ABCDEF",
    "not found": "/no-such-page/",
}
MODES = {
    "light": {"color_scheme": "light", "viewport": {"width": 1280, "height": 900}},
    "dark": {"color_scheme": "dark", "viewport": {"width": 1280, "height": 900}},
    "mobile": {"color_scheme": "light", "viewport": {"width": 375, "height": 740}, "is_mobile": True},
}


@pytest.fixture(params=list(MODES), scope="module")
def context(request, browser):
    context = browser.new_context(**MODES[request.param])
    yield context
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_violations(context, site_server, name):
    base, _ = site_server
    page = context.new_page()
    page.goto(base + PAGES[name], wait_until="load")
    assert axe_violations(page) == [], "as first painted"
    interact(page)
    assert axe_violations(page) == [], "once Material's script has run"
    page.close()


def test_no_violations_after_a_failed_submission_without_javascript(context, site_server):
    base, _ = site_server
    page = context.new_page()
    # Our form script stays out, so the browser posts the form itself and the handler answers with its page.
    page.route("**/intake.js", lambda route: route.abort())
    page.goto(base + PAGES["intake"], wait_until="load")
    page.fill("#name", "Ada")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    page.close()
