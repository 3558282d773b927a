"""`is_allowed_origin`: Sec-Fetch-Site, then Origin, then Referer, compared exactly; nothing said means no."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers

from impart.intake.origin import is_allowed_origin, origin_of

OWN = "http://localhost"
FORMS = "https://forms.impart.example"

CASES = [
    # (headers, own origin, allowed origins, expected)
    pytest.param({"Sec-Fetch-Site": "same-origin"}, OWN, (), True, id="sec-fetch-same-origin"),
    pytest.param({"Origin": "http://localhost"}, OWN, (), True, id="exact-origin"),
    pytest.param({"Origin": "http://localhost:8000"}, "http://localhost:8000", (), True, id="exact-origin-with-port"),
    pytest.param({"Origin": "HTTP://LocalHost"}, OWN, (), True, id="scheme-and-host-ignore-case"),
    pytest.param({"Origin": FORMS}, OWN, (FORMS,), True, id="allowed-origin"),
    pytest.param({"Origin": FORMS}, OWN, (FORMS + "/",), True, id="allowed-origin-written-with-slash"),
    pytest.param({"Referer": "http://localhost/request-a-proposal/?from=x"}, OWN, (), True, id="referer-only"),
    pytest.param({"Referer": FORMS + "/intake/"}, OWN, (FORMS,), True, id="referer-from-allowed-origin"),
    # Another scheme, host or port.
    pytest.param({"Origin": "https://localhost"}, OWN, (), False, id="other-scheme"),
    pytest.param({"Origin": "http://localhost:8080"}, OWN, (), False, id="other-port"),
    pytest.param({"Origin": "http://localhost"}, "http://localhost:8000", (), False, id="port-missing"),
    pytest.param({"Origin": "https://evil.example"}, OWN, (), False, id="other-host"),
    pytest.param({"Origin": "http://forms.impart.example"}, OWN, (FORMS,), False, id="allowed-host-other-scheme"),
    # Prefix and suffix tricks.
    pytest.param({"Origin": "http://localhost.evil.com"}, OWN, (), False, id="prefix-trick"),
    pytest.param({"Origin": "http://localhost:80.evil.com"}, OWN, (), False, id="port-prefix-trick"),
    pytest.param({"Origin": "http://evil.localhost"}, OWN, (), False, id="subdomain"),
    pytest.param({"Origin": "http://localhost@evil.com"}, OWN, (), False, id="userinfo-trick"),
    pytest.param({"Origin": FORMS + ".evil.com"}, OWN, (FORMS,), False, id="allowed-prefix-trick"),
    pytest.param({"Referer": "http://localhost.evil.com/request-a-proposal/"}, OWN, (), False, id="referer-prefix"),
    pytest.param({"Referer": "http://localhost@evil.com/"}, OWN, (), False, id="referer-userinfo"),
    pytest.param({"Referer": "https://evil.example/?next=http://localhost/"}, OWN, (), False, id="referer-query"),
    pytest.param({"Referer": "/request-a-proposal/"}, OWN, (), False, id="referer-relative"),
    # The null origin and what browsers say about cross-site requests.
    pytest.param({"Origin": "null"}, OWN, (), False, id="null-origin"),
    pytest.param({"Origin": "null", "Referer": "https://evil.example/"}, OWN, (), False, id="null-origin-referer"),
    pytest.param({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, OWN, (), False, id="null-origin-cross-site"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, OWN, (), False, id="sec-fetch-cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site", "Referer": "http://localhost/"}, OWN, (), False, id="same-site"),
    pytest.param({"Sec-Fetch-Site": "none"}, OWN, (), True, id="sec-fetch-none-is-the-user-themself"),
    # Fetch Metadata wins over a matching Origin: only an origin allowed by name may post cross-site.
    pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": OWN}, OWN, (), False, id="cross-site-with-own-origin"),
    pytest.param({"Sec-Fetch-Site": "same-site", "Origin": OWN}, OWN, (), False, id="same-site-with-own-origin"),
    pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": FORMS}, OWN, (FORMS,), True, id="cross-site-allowed"),
    pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": "null"}, OWN, ("null",), False, id="cross-site-null"),
    pytest.param({"Origin": "https://evil.example", "Referer": "http://localhost/"}, OWN, (), False, id="origin-wins"),
    pytest.param({}, OWN, (), False, id="nothing-said"),
]


@pytest.mark.parametrize(("headers", "own", "allowed", "expected"), CASES)
def test_is_allowed_origin(headers, own, allowed, expected):
    assert is_allowed_origin(Headers(headers), (own,), allowed) is expected


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://localhost/request-a-proposal/", "http://localhost"),
        ("HTTPS://Example.COM:8443/a?b#c", "https://example.com:8443"),
        ("/request-a-proposal/", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin
