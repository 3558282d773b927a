"""`mkdocs serve` mounts the inbox when `extra.inbox.enabled` is true, so an operator can try it in the preview."""

from __future__ import annotations

import http.client
import sys
from urllib.parse import urlencode

import pytest

from tests.helpers.inbox import PASSWORD, save_proposal, write_accounts
from tests.helpers.servers import free_port, running
from tests.helpers.site import copy_site


@pytest.mark.build
def test_the_preview_serves_the_inbox_when_turned_on(tmp_path):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("\nextra:\n", "\nextra:\n  inbox: {enabled: true}\n", 1),
        encoding="utf-8",
    )
    write_accounts(project / "inbox-accounts.json", (("ada", PASSWORD),))
    save_proposal(project / "proposals", 1796143477.0, organisation="Previewed Ltd")
    port = free_port()
    command = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(config),
               "--dev-addr", f"127.0.0.1:{port}"]  # fmt: skip
    with running(command, port, seconds=120):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/inbox/")
        first = connection.getresponse()
        first.read()
        assert first.status == 303 and first.getheader("Location") == "/inbox/login"
        body = urlencode({"account": "ada", "password": PASSWORD})
        connection.request("POST", "/inbox/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})  # fmt: skip
        login = connection.getresponse()
        login.read()
        assert login.status == 303
        cookie = login.getheader("Set-Cookie")
        # Secure and __Host- even over plain HTTP on loopback, which browsers count as secure and keep it from.
        assert cookie.startswith("__Host-impart_inbox=") and "; Secure" in cookie and "Path=/;" in cookie
        connection.request("GET", "/inbox/", headers={"Cookie": cookie.split(";")[0]})
        page = connection.getresponse()
        assert page.status == 200 and b"Previewed Ltd" in page.read()
        assert page.getheader("Content-Security-Policy").startswith("default-src 'none'")
