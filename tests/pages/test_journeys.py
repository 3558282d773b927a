"""Journeys in Chromium: reader to intake, prospects by keyboard with and without JavaScript, errors, screenshots.

Every journey also asserts no console error and no request to any origin but the site's own.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from impart.intake.definition import load_form
from tests.helpers.form import valid_submission
from tests.helpers.site import ARTIFACTS, PROJECT

FORM = load_form(PROJECT / "docs/request-a-proposal.md")
NOTE = "/field-notes/pilot-to-production/"


class Watched:
    """A page whose console errors and outgoing requests are recorded."""

    def __init__(self, context, base: str):
        self.base = base
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def check(self):
        # Chromium reports every 4xx answer in the console; a 422 is the handler's designed answer to mistakes.
        expected = "the server responded with a status of 422"
        assert [e for e in self.errors if expected not in e] == []
        foreign = [u for u in self.requests if not (u.startswith(self.base + "/") or u.startswith("data:"))]
        assert foreign == []


@pytest.fixture
def watched(browser, site_server, request):
    base, _ = site_server
    scripts = getattr(request, "param", True)
    context = browser.new_context(java_script_enabled=scripts, viewport={"width": 1280, "height": 900})
    page = Watched(context, base)
    yield page
    page.check()
    context.close()


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
           return {name: e.name || e.id || e.tagName, tag: e.tagName, outline: s.outlineStyle,
                   width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; }"""
    )


def tab_until(page, name: str, limit: int = 80) -> list[str]:
    """Press Tab until the control named `name` has focus; returns the names passed on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(now["name"])
        if now["name"] == name:
            return seen
    raise AssertionError(f"{name} never took focus; focus went through {seen}")


def fill_by_keyboard(page, answers: dict):
    """Tab through the form in order, typing each answer; returns the order focus took."""
    order = []
    for field in FORM.visible_fields:
        passed = tab_until(page, field.name)
        order.append(passed[-1])
        state = focused(page)
        assert state["outline"] != "none" and state["width"] > 0 or state["shadow"] != "none", f"{field.name}: no focus"
        value = answers.get(field.name, "")
        if field.type == "checkbox":
            if value:
                page.keyboard.press("Space")
        elif field.type == "select":
            page.keyboard.type(value[:5])
            assert page.eval_on_selector(f"#{field.name}", "e => e.value") == value
        else:
            page.keyboard.type(value)
    return order


def submit_by_keyboard(page):
    tab_until(page, "BUTTON")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def reference_on_thanks(page) -> str:
    assert urlparse(page.url).path == "/request-a-proposal/thanks/"
    shown = page.locator("[data-impart-reference-value]")
    assert shown.is_visible()
    return shown.inner_text().strip()


def test_reader_goes_from_home_to_a_note_and_on_to_the_intake(watched):
    page = watched.page
    page.goto(watched.base + "/")
    page.click(".impart-latest .impart-summary__title a >> nth=0")
    page.wait_for_load_state()
    note_path = urlparse(page.url).path
    assert note_path.startswith("/field-notes/")
    page.click(".impart-cta a")
    page.wait_for_load_state()
    assert urlparse(page.url).path == "/request-a-proposal/"
    assert parse_qs(urlparse(page.url).query) == {"from": [note_path]}
    assert page.input_value("input[name=from]") == note_path


@pytest.mark.parametrize("watched", [True, False], ids=["with-javascript", "without-javascript"], indirect=True)
def test_prospect_submits_by_keyboard_alone(watched, site_server, request):
    _, proposals = site_server
    page = watched.page
    page.goto(f"{watched.base}/request-a-proposal/?from={NOTE}")
    answers = valid_submission(name=f"Keyboard Prospect ({request.node.callspec.id})")
    order = fill_by_keyboard(page, answers)
    assert order == [f.name for f in FORM.visible_fields]
    submit_by_keyboard(page)
    reference = reference_on_thanks(page)
    stored = json.loads((proposals / f"{reference}.json").read_text(encoding="utf-8"))
    assert stored["fields"]["name"] == answers["name"]
    assert stored["fields"]["cost_line"] == answers["cost_line"]
    assert stored["consent"] is True
    assert stored["from"] == NOTE


@pytest.mark.parametrize("watched", [False], ids=["without-javascript"], indirect=True)
def test_without_javascript_a_failed_submission_shows_the_summary_and_keeps_answers(watched):
    page = watched.page
    page.goto(watched.base + "/request-a-proposal/")
    page.fill("#name", "Ada Lovelace")
    page.fill("#success_measure", "much better")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.title().startswith("Error: ")
    summary = page.locator("[data-impart-summary]")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    links = summary.locator("a")
    assert links.count() >= 5
    assert page.input_value("#name") == "Ada Lovelace"
    assert page.input_value("#success_measure") == "much better"
    assert page.get_attribute("#success_measure", "aria-invalid") == "true"
    assert "as a number" in page.inner_text("#success_measure-error")


def test_with_javascript_errors_show_inline_and_focus_moves_to_the_summary(watched, site_server):
    _, proposals = site_server
    before = sorted(proposals.glob("*.json"))
    page = watched.page
    page.goto(watched.base + "/request-a-proposal/")
    url = page.url
    page.fill("#name", "Grace Hopper")
    page.fill("#success_measure", "much better")
    page.click("button[type=submit]")
    summary = page.locator("[data-impart-summary]")
    summary.wait_for(state="visible")
    assert page.url == url, "the page did not reload"
    assert page.evaluate("document.activeElement.hasAttribute('data-impart-summary')")
    assert page.title().startswith("Error: ")
    assert page.get_attribute("#success_measure", "aria-invalid") == "true"
    assert "success_measure-error" in page.get_attribute("#success_measure", "aria-describedby")
    assert page.locator("#success_measure-error").is_visible()
    assert page.get_attribute("#name", "aria-invalid") is None
    summary.locator("a[href='#email']").click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert sorted(proposals.glob("*.json")) == before, "nothing was sent"


@pytest.mark.parametrize(("name", "path"), [("note", NOTE), ("intake", "/request-a-proposal/")], ids=["note", "intake"])
@pytest.mark.parametrize(
    ("device", "viewport"), [("desktop", (1280, 900)), ("mobile", (375, 740))], ids=["desktop", "mobile"]
)
def test_screenshots_for_a_person_to_look_at(browser, site_server, name, path, device, viewport):
    base, _ = site_server
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, is_mobile=device == "mobile")
    page = context.new_page()
    page.goto(base + path)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{name}-{device}.png"
    page.screenshot(path=str(target), full_page=True)
    context.close()
    assert target.stat().st_size > 10_000
    assert re.match(rb"\x89PNG", target.read_bytes()[:4])
