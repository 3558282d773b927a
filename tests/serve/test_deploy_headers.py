"""Through the printed nginx block, every response carries the security headers `impart serve` gives it, path by path.

One real `impart serve` answers twice: straight, and through Debian's nginx running `impart deploy nginx`'s output.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.nginx_stack import nginx_stack, request, submit

# What a browser enforces from a response: any of these that differs is a weaker page one way or the other.
SECURITY_HEADERS = (
    "content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy", "permissions-policy",
    "strict-transport-security", "cross-origin-opener-policy", "cross-origin-resource-policy",
    "cross-origin-embedder-policy", "x-permitted-cross-domain-policies",
)  # fmt: skip
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.js$")


@pytest.fixture(scope="module")
def stack(built_site, tmp_path_factory):
    with nginx_stack(built_site.root, tmp_path_factory.mktemp("headers"), serve_options=("--rate-limit", "50/60")) as s:
        yield s


def security(headers: dict[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in SECURITY_HEADERS if name in headers}


def both_ways(stack, method: str, path: str, **kwargs):
    """(status, security headers) from the handler straight, then through nginx."""
    answers = []
    for port in (stack.handler_port, stack.port):
        if method == "POST":
            status, headers, _ = submit(port, origin=f"http://127.0.0.1:{port}", **kwargs)
        else:
            status, headers, _ = request(port, method, path)
        answers.append((status, security(headers)))
    return answers


def asset_path(stack) -> str:
    folder = stack.site / "assets" / "javascripts"
    return "/assets/javascripts/" + next(p.name for p in folder.iterdir() if FINGERPRINTED.search(p.name))


PATHS = [
    pytest.param("GET", "/", id="home-page"),
    pytest.param("GET", "/field-notes/", id="listing"),
    pytest.param("GET", "/request-a-proposal/", id="intake-page"),
    pytest.param("GET", "/request-a-proposal/thanks/?ref=IMP-2026-0001", id="thank-you-page"),
    pytest.param("GET", "/no/such/page/", id="not-found"),
    pytest.param("GET", "/healthz", id="healthz"),
    pytest.param("GET", "ASSET", id="fingerprinted-asset"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_a_page_has_the_same_security_headers_through_nginx(stack, method, path):
    path = asset_path(stack) if path == "ASSET" else path
    straight, proxied = both_ways(stack, method, path)

    assert straight[0] == proxied[0]
    assert proxied[1] == straight[1]


@pytest.mark.parametrize(
    "fields", [valid_submission(name="Header check"), valid_submission(email="not an address")], ids=["303", "422"]
)
def test_the_forms_answer_has_the_same_security_headers_through_nginx(stack, fields):
    straight, proxied = both_ways(stack, "POST", "/request-a-proposal/", fields=fields)

    assert straight[0] == proxied[0]
    assert proxied[1] == straight[1]


def test_the_intake_page_cannot_be_framed_through_nginx(stack):
    status, headers, _ = request(stack.port, "GET", "/request-a-proposal/")

    assert status == 200
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
