"""The Nu Html Checker (vnu.jar) finds no error in any built page, nor in the pages the handler answers with."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from impart.intake.app import create_app
from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.page_checks import vnu_errors
from tests.helpers.site import PROJECT

pytestmark = pytest.mark.html_checker


def handler_pages(site_root, folder):
    """The handler's own answers, saved where their relative links still resolve."""
    app = create_app(PROJECT, origins=LOCAL, site_dir=site_root, proposals_dir=folder / "proposals", rate_limit=None)
    client = Client(app)
    origin = {"Origin": "http://localhost"}
    answers = {
        "invalid.html": client.post("/request-a-proposal/", data=valid_submission(email="nope"), headers=origin),
        "thanks.html": client.get("/request-a-proposal/thanks/?ref=20261127-120000-ABCDEF"),
        "bad-request.html": client.post("/request-a-proposal/", data={"bogus": "1"}, headers=origin),
    }
    assert [a.status_code for a in answers.values()] == [422, 200, 400]
    out = folder / "handler"
    out.mkdir()
    for name, answer in answers.items():
        (out / name).write_bytes(answer.get_data())
    return out


def test_every_built_page_is_valid_html(built_site):
    assert len(built_site.pages()) > 10
    assert vnu_errors(built_site.root) == []


def test_the_handlers_pages_are_valid_html(built_site, tmp_path):
    assert vnu_errors(handler_pages(built_site.root, tmp_path)) == []


def test_the_checker_can_fail(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    assert vnu_errors(broken)
