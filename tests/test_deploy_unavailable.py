"""With `impart serve` down, nginx answers what would have gone to it with the site's own "unavailable" page."""

from __future__ import annotations

import pytest

from .conftest import valid_submission
from .nginx_stack import nginx_stack, request, stored, submit

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
