"""Paths with `.`/`..` segments or encoded slashes are refused by the handler before it routes anything, so
a path that a proxy in front matched as one page (the public form) never reaches another (the inbox)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client, EnvironBuilder

from impart.intake.request_path import climbs

CLIMBING = [
    "/inbox/../request-a-proposal/",
    "/inbox/..%2Frequest-a-proposal/",
    "/inbox/..%2frequest-a-proposal/",
    "/inbox/%2e%2e/request-a-proposal/",
    "/inbox/%2E%2E%2Frequest-a-proposal/",
    "/inbox/./login",
    "/inbox/login/..",
    "/inbox/p%2Fx",
    "/inbox/..%5Crequest-a-proposal/",
    "/inbox/..\\request-a-proposal/",
    "http://127.0.0.1/inbox/../request-a-proposal/",
]
PLAIN = ["/", "/request-a-proposal/", "/inbox/", "/inbox/p/20261201-000000-AAAAAA", "/assets/app.min.js",
         "/.well-known/security.txt", "/field-notes/a..b/", "/search/?q=../x%2F"]  # fmt: skip


def _environ(raw: str) -> dict:
    environ = EnvironBuilder(path="/").get_environ()
    path = raw.split("://", 1)[1].partition("/")[2] if "://" in raw else raw
    environ.update(RAW_URI=raw, REQUEST_URI=raw, PATH_INFO="/" + path.lstrip("/").partition("?")[0])
    return environ


@pytest.mark.parametrize("raw", CLIMBING)
def test_a_climbing_path_is_seen(raw):
    assert climbs(_environ(raw))


@pytest.mark.parametrize("raw", PLAIN)
def test_a_plain_path_is_not(raw):
    assert not climbs(_environ(raw))


def test_the_handler_refuses_them_before_any_mounted_app(make_app, proposals):
    reached = []

    def inbox(environ, start_response):
        reached.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"the inbox"]

    app = make_app()
    app.mounts = (("/inbox/", inbox),)
    client = Client(app)
    for raw in CLIMBING[:-1]:
        environ = _environ(raw)
        environ.update(REQUEST_METHOD="POST", HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1")
        response = client.open(environ)
        assert response.status_code == 400, raw
        text = response.get_data(as_text=True)
        assert "the inbox" not in text and "or an encoded slash; use the page" in text, raw
    assert reached == []
    assert not list(proposals.glob("*.json"))
    response = client.get("/inbox/login")
    assert response.status_code == 200 and reached == ["/inbox/login"]
