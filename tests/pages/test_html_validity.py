"""The Nu Html Checker (vnu.jar) finds no error in any built page, nor in the pages the handler answers with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from werkzeug.test import Client

from impart.intake.app import create_app

from .conftest import LOCAL, PROJECT, valid_submission

VNU = PROJECT / "node_modules/vnu-jar/build/dist/vnu.jar"


def java_or_skip() -> str:
    java = shutil.which("java")
    if java and VNU.is_file():
        return java
    message = f"the Nu Html Checker needs java and {VNU}: bash .ci/run installs both"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def vnu_errors(*paths) -> list[str]:
    result = subprocess.run(
        [java_or_skip(), "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages if m["type"] == "error"]


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
