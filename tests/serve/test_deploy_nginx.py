"""`impart deploy nginx` runs: Debian's nginx, with the printed server block, in front of `impart serve`."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from impart.cli import main
from impart.intake.app import MAX_BODY
from tests.helpers.form import valid_submission
from tests.helpers.nginx_stack import nginx_stack, request, stored, submit
from tests.helpers.site import PROJECT

FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.js$")


def deploy_nginx(capsys, *options: str) -> tuple[int, str, str]:
    code = main(["--config", str(PROJECT / "mkdocs.yml"), "deploy", "nginx", *options])
    out, err = capsys.readouterr()
    return code, out, err


# -- the command ----------------------------------------------------------------------------------------------

BAD_OPTIONS = [
    pytest.param(["--listen", "80; include /etc/passwd"], "--listen '80; include /etc/passwd' is not an address",
                 id="listen-with-a-directive"),
    pytest.param(["--listen", "0.0.0.0:99999"], "--listen '0.0.0.0:99999' is not an address", id="listen-port"),
    pytest.param(["--upstream", "8000"], "--upstream '8000' is not an address; write HOST:PORT", id="upstream-no-host"),
    pytest.param(["--server-name", "impart.example; return 200"], "--server-name 'impart.example; return 200' is not",
                 id="server-name-with-a-directive"),
    pytest.param(["--site", "/nowhere/at/all"], "--site /nowhere/at/all: no built site here", id="no-built-site"),
    pytest.param(["--site", '/srv/a"b'], "--site '/srv/a\"b': nginx cannot take this path", id="site-with-a-quote"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), BAD_OPTIONS)
def test_values_that_could_add_a_directive_are_refused(capsys, built_site, changes, message):
    options = {"--site": str(built_site.root), "--listen": "80", "--upstream": "127.0.0.1:8000"}
    options.update(dict(zip(changes[::2], changes[1::2], strict=True)))

    code, out, err = deploy_nginx(capsys, *[part for pair in options.items() for part in pair])

    assert (code, out) == (2, "")
    assert err.startswith(f"impart deploy nginx: {message}")


def test_the_server_block_names_the_sites_paths_and_the_handlers_limit(capsys, built_site):
    code, out, _ = deploy_nginx(
        capsys, "--site", str(built_site.root), "--listen", "443", "--upstream", "127.0.0.1:8000",
        "--server-name", "impart.example",
    )  # fmt: skip

    assert code == 0
    assert f'root "{built_site.root}";' in out
    assert "location = /request-a-proposal/ {" in out and "location = /request-a-proposal/thanks/ {" in out
    assert f"client_max_body_size {MAX_BODY // 1024}k;" in out
    assert "server_name impart.example;" in out and "server 127.0.0.1:8000;" in out


def test_health_allows_loopback_and_each_monitor_then_denies_all(capsys, built_site):
    code, out, _ = deploy_nginx(
        capsys, "--site", str(built_site.root), "--listen", "80", "--upstream", "127.0.0.1:8000",
        "--monitor", "203.0.113.7", "--monitor", "2001:db8::/64",
    )  # fmt: skip

    assert code == 0
    health = out.split("location = /healthz {", 1)[1].split("}", 1)[0]
    allowed = [line.strip() for line in health.splitlines() if line.strip().startswith(("allow", "deny"))]
    assert allowed == [
        "allow 127.0.0.1;", "allow ::1;", "allow 203.0.113.7;", "allow 2001:db8::/64;", "deny all;",
    ]  # fmt: skip


# -- the real thing -------------------------------------------------------------------------------------------

MONITOR = "127.0.0.3"  # a loopback address that is not 127.0.0.1: stands for a monitoring host


@pytest.fixture(scope="module")
def stack(built_site, tmp_path_factory):
    """nginx on one free loopback port in front of `impart serve --trusted-proxy 127.0.0.1` on another."""
    folder = tmp_path_factory.mktemp("nginx")
    with nginx_stack(built_site.root, folder, ("--monitor", MONITOR)) as running_stack:
        yield running_stack.port, running_stack.site, running_stack.proposals


def test_a_submission_end_to_end_through_nginx(stack):
    port, _, proposals = stack
    status, _, page = request(port, "GET", "/request-a-proposal/")
    assert status == 200 and b"data-impart-form" in page

    status, headers, _ = submit(port, valid_submission(name="Through the proxy"))

    assert status == 303
    reference = headers["location"].split("ref=")[1]
    assert stored(proposals) == [f"{reference}.json"]
    record = json.loads((proposals / f"{reference}.json").read_text(encoding="utf-8"))
    assert record["fields"]["name"] == "Through the proxy"
    status, _, thanks = request(port, "GET", headers["location"])
    assert status == 200 and reference.encode() in thanks


def test_a_client_sent_x_forwarded_for_cannot_dodge_the_rate_limit(stack):
    port, _, proposals = stack
    before = stored(proposals)
    statuses = [
        submit(port, valid_submission(name=f"Dodger {n}"), **{"X-Forwarded-For": f"203.0.113.{n}", "Forwarded":
               f"for=198.51.100.{n}", "X-Real-IP": f"192.0.2.{n}"})[0]
        for n in range(3)
    ]  # fmt: skip

    # The limit is 2 in 600 s for the one real client (127.0.0.1); the end-to-end test may have spent one.
    assert statuses[-1] == 429
    assert 303 in statuses
    assert len(stored(proposals)) - len(before) == statuses.count(303)


def test_a_host_the_site_does_not_serve_is_refused_through_the_proxy(stack):
    port, _, proposals = stack
    before = stored(proposals)
    status, _, _ = submit(port, valid_submission(name="Rebound"), Host="evil.example", Origin="http://evil.example")

    assert status == 421
    assert stored(proposals) == before


def test_over_the_limit_nginx_answers_413_and_nothing_reaches_the_handler(stack):
    port, _, proposals = stack
    before = stored(proposals)

    status, headers, body = submit(port, valid_submission(use_case="x" * (MAX_BODY + 1)))

    assert status == 413 and b"nginx" in body
    assert stored(proposals) == before


def test_pages_are_gzipped_and_revalidated_and_fingerprinted_assets_immutable(stack):
    port, site, _ = stack
    status, headers, body = request(port, "GET", "/", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    assert headers["cache-control"] == "no-cache" and "etag" in headers
    assert b"<html" in gzip.decompress(body)

    asset = next(p for p in (site / "assets" / "javascripts").iterdir() if FINGERPRINTED.search(p.name))
    status, headers, _ = request(port, "GET", f"/assets/javascripts/{asset.name}", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["content-encoding"] == "gzip"


def test_health_through_the_proxy_answers_loopback_and_the_named_monitor(stack):
    port, _, _ = stack
    for source in ("127.0.0.1", MONITOR):
        status, _, body = request(port, "GET", "/healthz", source=source)

        assert status == 200 and json.loads(body)["status"] == "ok"


@pytest.mark.parametrize("source", ["127.0.0.2", "127.0.0.4"])
def test_health_through_the_proxy_is_refused_to_anyone_else(stack, source):
    port, _, _ = stack
    status, _, body = request(port, "GET", "/healthz", source=source)

    assert status == 403
    assert b"outbox" not in body and b"status" not in body


@pytest.mark.parametrize("path", ["/.env", "/assets/.env", "/.git/config", "/field-notes/.authors.yml"])
def test_dot_files_are_404(stack, path):
    port, _, _ = stack
    status, _, body = request(port, "GET", path)

    assert status == 404
    assert b"secret" not in body


def test_readiness_through_the_proxy_answers_loopback_and_the_named_monitor_and_no_one_else(stack):
    port, _, _ = stack
    for source in ("127.0.0.1", MONITOR):
        assert request(port, "GET", "/readyz", source=source)[::2] == (200, b"ready\n")
    status, _, body = request(port, "GET", "/readyz", source="127.0.0.4")
    assert status == 403
    assert b"ready" not in body
