"""Back from the thank-you page in Chromium: the form still holds every answer, and sending it again works.

A prospect who spots a mistake after sending goes Back; the page comes from the back-forward cache or is
loaded afresh, and either way no answer may be lost nor the button left waiting for the first send.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from impart.intake.definition import load_form
from tests.helpers.form import valid_submission
from tests.helpers.site import PROJECT

FORM = load_form(PROJECT / "docs/request-a-proposal.md")
THANKS = "/request-a-proposal/thanks/"


def fill(page, answers: dict) -> None:
    for field in FORM.visible_fields:
        value = answers.get(field.name, "")
        if field.type == "checkbox":
            page.set_checked(f"#{field.name}", bool(value))
        elif field.type == "select":
            page.select_option(f"#{field.name}", value)
        else:
            page.fill(f"#{field.name}", value)


def answers_shown(page) -> dict:
    return {
        field.name: ("yes" if page.is_checked(f"#{field.name}") else "")
        if field.type == "checkbox"
        else page.input_value(f"#{field.name}")
        for field in FORM.visible_fields
    }


def send(page) -> None:
    with page.expect_navigation(url=lambda url: urlparse(url).path == THANKS, timeout=15000):
        page.click("button[type=submit]")


@pytest.mark.parametrize("scripts", [True, False], ids=["with-javascript", "without-javascript"])
def test_back_from_the_thank_you_page_keeps_every_answer_and_sends_again(browser, site_server, scripts):
    base, proposals = site_server
    context = browser.new_context(java_script_enabled=scripts)
    try:
        page = context.new_page()
        page.goto(base + "/request-a-proposal/")
        answers = valid_submission(name=f"Back Button Prospect {'js' if scripts else 'plain'}")
        fill(page, answers)
        send(page)
        first = sorted(proposals.glob("*.json"))

        page.go_back(wait_until="load")

        assert urlparse(page.url).path == "/request-a-proposal/"
        expected = {field.name: answers.get(field.name, "") for field in FORM.visible_fields}
        assert answers_shown(page) == expected
        page.fill("#role", "Head of claims")  # the mistake the prospect came back for
        send(page)
        assert len(sorted(proposals.glob("*.json"))) == len(first) + 1
    finally:
        context.close()
