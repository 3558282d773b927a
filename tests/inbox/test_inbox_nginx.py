"""The inbox behind Debian's nginx, as `impart deploy nginx --inbox` prints it: over HTTPS only, never cached,
and, with --inbox-allow, for the named addresses alone; on a plain-HTTP server nginx refuses it (403)."""

from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import urlencode

import pytest

from tests.helpers.inbox import PASSWORD, save_proposal, write_accounts
from tests.helpers.nginx_stack import FORM, make_tls, nginx_stack, request
from tests.helpers.servers import free_port
from tests.helpers.site import PROJECT, run_env


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inbox-tls")
    return make_tls(folder)


def _serve_options(folder):
    write_accounts(folder / "accounts.json", (("ada", PASSWORD),))
    return ("--inbox", "--inbox-accounts", str(folder / "accounts.json"), "--rate-limit", "50/60")


@pytest.fixture(scope="module")
def https_inbox(built_site, tmp_path_factory, tls):
    _, chain, key = tls
    plain = free_port()
    folder = tmp_path_factory.mktemp("inbox-https")
    options = ("--tls-certificate", str(chain), "--tls-key", str(key), "--http-listen", f"127.0.0.1:{plain}",
               "--inbox-allow", "127.0.0.1")  # fmt: skip
    with nginx_stack(built_site.root, folder, options, _serve_options(folder), whole=True, scheme="https") as stack:
        save_proposal(stack.proposals, 1796143477.0, organisation="Behind nginx Ltd")
        yield stack, plain


def test_the_inbox_over_https_through_nginx(https_inbox, tls):
    stack, _ = https_inbox
    body = urlencode({"account": "ada", "password": PASSWORD})
    headers = {"Content-Type": FORM, "Sec-Fetch-Site": "same-origin"}
    status, answer, _ = request(stack.port, "POST", "/inbox/login", body, headers, tls=tls[0])
    assert status == 303
    cookie = answer["set-cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie and "Path=/;" in cookie
    status, answer, page = request(stack.port, "GET", "/inbox/", headers={"Cookie": cookie.split(";")[0]},
                                   tls=tls[0])  # fmt: skip
    assert status == 200 and b"Behind nginx Ltd" in page
    assert answer["cache-control"] == "no-store"  # the handler's, kept as it is
    assert "default-src 'none'" in answer["content-security-policy"]
    assert answer["x-frame-options"] == "DENY"
    assert answer["strict-transport-security"] == "max-age=31536000"
    token = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
    status, _, _ = request(stack.port, "POST", "/inbox/logout", urlencode({"csrf": token}),
                           {**headers, "Cookie": cookie.split(";")[0]}, tls=tls[0])  # fmt: skip
    assert status == 303


def test_plain_http_is_sent_to_https(https_inbox):
    stack, plain = https_inbox
    status, headers, _ = request(plain, "GET", "/inbox/login")
    assert status == 301 and headers["location"] == f"https://127.0.0.1:{stack.port}/inbox/login"


def test_an_address_not_allowed_gets_403_from_nginx(https_inbox, tls):
    stack, _ = https_inbox
    for path in ("/inbox/", "/inbox/login"):
        status, _, body = request(stack.port, "GET", path, source="127.0.0.2", tls=tls[0])
        assert status == 403 and b"Log in" not in body
    status, _, _ = request(stack.port, "GET", "/", source="127.0.0.2", tls=tls[0])
    assert status == 200  # the site itself is for everyone


def test_on_a_plain_http_server_nginx_refuses_the_inbox(built_site, tmp_path):
    with nginx_stack(built_site.root, tmp_path, ("--inbox",), _serve_options(tmp_path)) as stack:
        for path in ("/inbox/", "/inbox/login", "/inbox/inbox.css"):
            status, _, body = request(stack.port, "GET", path)
            assert status == 403 and b"Log in" not in body, path
        status, _, _ = request(stack.port, "GET", "/")
        assert status == 200
        # Straight to the handler, the inbox is there: it is nginx that refuses.
        status, _, _ = request(stack.handler_port, "GET", "/inbox/login",
                               headers={"Host": f"127.0.0.1:{stack.handler_port}"})  # fmt: skip
        assert status == 200


@pytest.mark.parametrize("value", ["evil.example", "10.0.0.1; allow all", "", "300.1.1.1"])
def test_an_inbox_address_that_is_not_one_is_refused_in_one_line(built_site, value):
    result = subprocess.run(
        [sys.executable, "-m", "impart", "--config", str(PROJECT / "mkdocs.yml"), "deploy", "nginx", "--site",
         str(built_site.root), "--listen", "80", "--upstream", "127.0.0.1:8000", "--inbox-allow", value],
        capture_output=True, text=True, env=run_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"impart deploy nginx: --inbox-allow {value!r} is not an IP address or network; write e.g. 203.0.113.7"
    )


CLIMBING = ["/inbox/../request-a-proposal/", "/inbox/..%2Frequest-a-proposal/", "/inbox/%2e%2e/request-a-proposal/",
            "/inbox/login/../../request-a-proposal/", "/inbox/..%2frequest-a-proposal/?x=1"]  # fmt: skip


@pytest.mark.parametrize("path", CLIMBING)
def test_a_path_that_climbs_out_of_the_inbox_does_not_reach_it_past_nginx(https_inbox, tls, path):
    """nginx matches the public form's location on the normalised path and passes the path as sent; the
    handler must not route that to the inbox, from an address the inbox's own location refuses."""
    stack, _ = https_inbox
    body = urlencode({"account": "ada", "password": PASSWORD})
    headers = {"Content-Type": FORM, "Sec-Fetch-Site": "same-origin", "Origin": f"https://127.0.0.1:{stack.port}"}
    status, answer, page = request(stack.port, "POST", path, body, headers, source="127.0.0.2", tls=tls[0])
    assert status == 400, (status, page[:300])
    assert "set-cookie" not in answer and b"Log in" not in page and b"csrf" not in page
    assert b"or an encoded slash" in page  # one line saying what happened and what to do
