"""The handler's own origin comes from configuration, never from `Host`: a rebound name is refused."""

from __future__ import annotations

import argparse
import socket

import pytest
from werkzeug.test import Client

from impart.cli.serve import _served_origins
from impart.intake.app import create_app
from impart.intake.origin import address_origins, hosts_of, serves_host
from tests.helpers.form import valid_submission
from tests.helpers.site import PROJECT, files_under

SITE = "https://impart.example"  # site_url in mkdocs.yml
ENDPOINT = "/request-a-proposal/"


@pytest.fixture
def app(built_site, proposals):
    """The handler as `create_app` makes it from mkdocs.yml alone: its origin is site_url's."""
    return create_app(PROJECT, site_dir=built_site.root, proposals_dir=proposals, rate_limit=None)


def proposal_files(folder):
    return [p for p in files_under(folder) if ".state" not in p.parts]


REFUSED = [
    # (Host, headers): each is what a page elsewhere can make a visitor's browser send.
    pytest.param("evil.example", {"Origin": "http://evil.example"}, id="rebound-name-with-its-own-origin"),
    pytest.param("evil.example", {"Sec-Fetch-Site": "same-origin"}, id="rebound-name-same-origin-by-fetch-metadata"),
    pytest.param("evil.example:443", {"Origin": SITE}, id="rebound-name-with-our-origin"),
    pytest.param("impart.example:8443", {"Origin": SITE + ":8443"}, id="our-name-another-port"),
    pytest.param("impart.example.evil.example", {"Origin": SITE}, id="our-name-as-a-prefix"),
]


@pytest.mark.parametrize(("host", "headers"), REFUSED)
def test_a_host_it_does_not_serve_is_refused_and_nothing_is_written(app, proposals, host, headers):
    client = Client(app)
    response = client.post(ENDPOINT, data=valid_submission(), headers={"Host": host, **headers})

    assert response.status_code == 421
    assert "does not answer for that address" in response.get_data(as_text=True)
    assert proposal_files(proposals) == []
    assert client.get("/healthz", headers={"Host": host}).status_code == 421


def test_the_log_line_of_a_refused_host_says_how_to_serve_it_if_it_is_the_site(app, caplog):
    """Behind an nginx on another port than site_url's, every answer is 421: the operator reads the log to find out
    why, so the line names the option that would serve that address."""
    caplog.set_level("INFO", logger="impart.intake")
    answer = Client(app).get(
        "/readyz", headers={"Host": "impart.example:8443"}, environ_overrides={"wsgi.url_scheme": "https"}
    )

    assert answer.status_code == 421
    (line,) = [r.getMessage() for r in caplog.records if "421" in r.getMessage()]
    assert line.startswith("GET /readyz 421 host impart.example:8443")
    assert "--origin https://impart.example:8443" in line
    assert "site_url" in line


@pytest.mark.parametrize("host", ["impart.example", "IMPART.example", "impart.example:443"])
def test_the_configured_origin_is_served(app, proposals, host):
    response = Client(app).post(ENDPOINT, data=valid_submission(), headers={"Host": host, "Origin": SITE})

    assert response.status_code == 303
    assert len(proposal_files(proposals)) == 1


FETCH_METADATA = [
    pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": SITE}, 403, id="cross-site-with-our-origin"),
    pytest.param({"Sec-Fetch-Site": "same-site", "Origin": SITE}, 403, id="same-site-with-our-origin"),
    pytest.param({"Sec-Fetch-Site": "same-origin"}, 303, id="same-origin"),
    pytest.param({"Sec-Fetch-Site": "none", "Origin": SITE}, 303, id="none"),
]


@pytest.mark.parametrize(("headers", "status"), FETCH_METADATA)
def test_fetch_metadata_other_than_same_origin_or_none_is_refused(app, proposals, headers, status):
    response = Client(app).post(ENDPOINT, data=valid_submission(), headers={"Host": "impart.example", **headers})

    assert response.status_code == status
    assert len(proposal_files(proposals)) == (1 if status == 303 else 0)


def test_hosts_of_an_origin_with_and_without_its_default_port():
    assert hosts_of(["https://impart.example/"]) == {"impart.example", "impart.example:443"}
    assert hosts_of(["http://127.0.0.1:8000"]) == {"127.0.0.1:8000"}
    assert hosts_of(["http://[::1]:8000"]) == {"[::1]:8000"}
    assert not serves_host("evil.example", hosts_of(["https://impart.example"]))


def test_a_listener_answers_to_its_own_address_and_names():
    assert address_origins("127.0.0.1", 8000) == ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000")
    assert address_origins("192.0.2.7", 8000) == ("http://192.0.2.7:8000",)
    everywhere = address_origins("0.0.0.0", 8000)
    assert "http://localhost:8000" in everywhere and f"http://{socket.gethostname()}:8000" in everywhere
    assert not any("evil" in origin for origin in everywhere)


def test_impart_serve_takes_its_origin_from_site_url_or_origin_never_from_a_request():
    args = argparse.Namespace(origin=[], config=PROJECT / "mkdocs.yml", host="127.0.0.1", port=8000)
    assert _served_origins(args)[0] == SITE
    args.origin = ["https://forms.impart.example"]
    assert _served_origins(args)[0] == "https://forms.impart.example"
    assert SITE not in _served_origins(args)
