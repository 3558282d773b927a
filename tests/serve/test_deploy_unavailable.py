"""With `impart serve` down, nginx answers what would have gone to it with the site's own "unavailable" page."""

from __future__ import annotations

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.nginx_stack import nginx_stack, request, stored, submit

HEADLINE = b"We cannot take requests just now"


@pytest.fixture(scope="module")
def stack(built_site, tmp_path_factory):
    with nginx_stack(built_site.root, tmp_path_factory.mktemp("down"), handler=False) as s:
        yield s


def test_the_built_site_has_the_unavailable_page(stack):
    page = (stack.site / "503.html").read_bytes()

    assert HEADLINE in page and b'name="robots" content="noindex"' in page


def test_a_submission_while_the_handler_is_down_gets_the_sites_page(stack):
    status, headers, body = submit(stack.port, valid_submission(name="Nobody home"))

    assert status == 502
    assert headers["content-type"].startswith("text/html")
    assert body == (stack.site / "503.html").read_bytes()
    assert stored(stack.proposals) == []


def test_the_thank_you_page_while_the_handler_is_down_gets_the_sites_page(stack):
    status, _, body = request(stack.port, "GET", "/request-a-proposal/thanks/?ref=IMP-2026-0001")

    assert status == 502
    assert HEADLINE in body and b"nginx" not in body


def test_the_pages_nginx_serves_itself_are_unaffected(stack):
    status, _, body = request(stack.port, "GET", "/request-a-proposal/")

    assert status == 200 and b"data-impart-form" in body


def fill(page, answers: dict) -> None:
    page.evaluate(
        """answers => { for (const [name, value] of Object.entries(answers)) {
             const field = document.querySelector(`form [name="${name}"]`);
             if (!field) continue;
             if (field.type === "checkbox") field.checked = Boolean(value); else field.value = value; } }""",
        answers,
    )


def test_a_prospect_in_chromium_without_javascript_reads_the_sites_page(stack, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{stack.port}/request-a-proposal/")
        fill(page, valid_submission(name="No script"))
        with page.expect_navigation() as navigation:
            page.click("form[data-impart-form] button[type=submit]")

        assert navigation.value.status == 502
        assert page.locator("h1").inner_text() == HEADLINE.decode()
    finally:
        context.close()


def test_a_prospect_in_chromium_with_javascript_is_told_and_keeps_the_answers(stack, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{stack.port}/request-a-proposal/")
        fill(page, valid_submission(name="With script"))
        page.click("form[data-impart-form] button[type=submit]")

        page.get_by_text("could not be sent (error 502)").wait_for(timeout=10_000)
        assert page.url.endswith("/request-a-proposal/")
        assert page.input_value("[name=name]") == "With script"
    finally:
        context.close()
