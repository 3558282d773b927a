"""`impart deploy nginx --whole` with a certificate: Debian's nginx runs the printed nginx.conf as it stands (only
its system paths moved into the test's folder), with a certificate made for the test by a CA made for the test."""

from __future__ import annotations

import json

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.nginx_stack import make_tls, nginx_stack, request, stored, submit
from tests.helpers.servers import free_port

HSTS = "max-age=31536000"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """(client context trusting the test's CA, certificate chain file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    return make_tls(folder)


@pytest.fixture(scope="module")
def https_stack(built_site, tmp_path_factory, tls):
    _, chain, key = tls
    plain = free_port()
    options = ("--tls-certificate", str(chain), "--tls-key", str(key), "--http-listen", f"127.0.0.1:{plain}")
    folder = tmp_path_factory.mktemp("https")
    with nginx_stack(built_site.root, folder, options, ("--rate-limit", "50/60"), whole=True, scheme="https") as s:
        yield s, plain


def test_pages_are_served_over_https_with_hsts(https_stack, tls):
    stack, _ = https_stack
    for path in ("/", "/request-a-proposal/", "/no/such/page/", "/healthz"):
        status, headers, _ = request(stack.port, "GET", path, tls=tls[0])

        assert status in (200, 404), path
        assert headers["strict-transport-security"] == HSTS, path


def test_plain_http_is_sent_to_the_same_path_over_https(https_stack):
    stack, plain = https_stack
    status, headers, _ = request(plain, "GET", "/field-notes/?page=2")

    assert status == 301
    assert headers["location"] == f"https://127.0.0.1:{stack.port}/field-notes/?page=2"


def test_a_proposal_over_https_end_to_end(https_stack, tls):
    stack, _ = https_stack
    before = stored(stack.proposals)
    origin = f"https://127.0.0.1:{stack.port}"

    status, headers, _ = submit(stack.port, valid_submission(name="Over TLS"), origin=origin, tls=tls[0])

    assert status == 303 and headers["strict-transport-security"] == HSTS
    reference = headers["location"].split("ref=")[1]
    assert stored(stack.proposals) == sorted([*before, f"{reference}.json"])
    record = json.loads((stack.proposals / f"{reference}.json").read_text(encoding="utf-8"))
    assert record["fields"]["name"] == "Over TLS"
    status, headers, thanks = request(stack.port, "GET", headers["location"], tls=tls[0])
    assert status == 200 and reference.encode() in thanks
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_intake_page_over_https_keeps_the_handlers_headers_and_adds_hsts(https_stack, tls):
    stack, _ = https_stack
    _, straight = request(stack.handler_port, "GET", "/request-a-proposal/")[:2]
    status, proxied, _ = request(stack.port, "GET", "/request-a-proposal/", tls=tls[0])

    assert status == 200
    assert proxied["content-security-policy"] == straight["content-security-policy"]
    assert proxied["x-frame-options"] == straight["x-frame-options"] == "DENY"


def test_a_plain_client_is_not_answered_on_the_https_port(https_stack):
    stack, _ = https_stack
    status, _, body = request(stack.port, "GET", "/")

    assert status == 400 and b"HTTPS" in body
