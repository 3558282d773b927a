"""The inbox in the site: off unless turned on, under the handler's Host check when on, and never in the build.

Through the handler that `impart serve` runs (impart.serve.site_app), and through a real `impart serve
--inbox --workers 2`, where a login made in one process holds in the other and a logout ends it in both.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil

import pytest
from werkzeug.test import Client

from impart.serve.site_app import mount_inbox, site_app
from impart.serve.static_site import StaticSite
from impart.settings import SettingsError
from tests.helpers.inbox import PASSWORD, save_proposal, write_accounts
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, copy_site, files_under


def test_the_inbox_is_off_unless_turned_on(built_site, proposals):
    app = site_app(PROJECT, site_dir=built_site.root, proposals_dir=proposals, origins=("http://localhost",))
    assert app.mounts == ()
    response = Client(app).get("/inbox/")
    assert response.status_code == 404
    assert not (proposals / ".state" / "inbox").exists()


@pytest.fixture
def mounted(make_app, built_site, proposals, tmp_path):
    app = make_app(fallback=StaticSite(built_site.root))
    write_accounts(tmp_path / "accounts.json", (("ada", PASSWORD),))
    assert mount_inbox(app, PROJECT, proposals, True, accounts_file=tmp_path / "accounts.json")
    return app


def test_mounted_it_answers_under_the_handlers_host_check(mounted, proposals):
    reference = save_proposal(proposals, 1796143477.0, organisation="Mounted Ltd")
    client = Client(lambda environ, start: mounted({"REMOTE_ADDR": "127.0.0.1", **environ}, start))
    assert client.get("/inbox").headers["Location"] == "/inbox/"
    assert client.get("/inbox/").headers["Location"] == "/inbox/login"
    rebound = client.get("/inbox/login", headers={"Host": "evil.example"})
    assert rebound.status_code == 421  # DNS rebinding: refused before the inbox runs
    login = client.post("/inbox/login", data={"account": "ada", "password": PASSWORD},
                        headers={"Sec-Fetch-Site": "same-origin"})  # fmt: skip
    assert login.status_code == 303
    page = client.get(f"/inbox/p/{reference}").get_data(as_text=True)
    assert "Mounted Ltd" in page
    # The form's labels, as the mail shows them, not the field names.
    assert "<dt>Organisation" in page
    assert client.get("/request-a-proposal/").status_code == 200  # the rest of the site is as it was


def test_an_accounts_file_the_build_would_publish_is_refused(make_app, proposals):
    app = make_app()
    with pytest.raises(SettingsError, match=r"extra\.inbox\.accounts: .* inside .*docs"):
        mount_inbox(app, PROJECT, proposals, True, accounts_file=PROJECT / "docs" / "accounts.json")
    assert app.mounts == ()


def test_nothing_of_the_inbox_is_in_the_built_site(built_site):
    files = files_under(built_site.root)
    assert not [path for path in files if "inbox" in path.relative_to(built_site.root).as_posix()]
    for path in files:
        if path.suffix in (".html", ".xml", ".json", ".txt", ".js", ".css"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "/inbox" not in text and "Impart inbox" not in text, path
    index = json.loads((built_site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [doc for doc in index["docs"] if "inbox" in doc["location"]]
    sitemap = (built_site.root / "sitemap.xml").read_text(encoding="utf-8")
    assert re.findall(r"<loc>[^<]*</loc>", sitemap) and "inbox" not in sitemap
    feeds = [p for p in files if p.name.startswith("feed")]
    assert feeds and not [p for p in feeds if "/inbox" in p.read_text(encoding="utf-8")]


def _request(port, method, path, *, body=b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.load
def test_a_session_holds_across_worker_processes_and_ends_in_all(built_site, tmp_path):
    project = copy_site(tmp_path / "project")
    write_accounts(project / "inbox-accounts.json", (("ada", PASSWORD),))
    proposals = tmp_path / "proposals"
    save_proposal(proposals, 1796143477.0, organisation="Two Workers Ltd")
    site = tmp_path / "site"
    shutil.copytree(built_site.root, site)
    port = free_port()
    command = serve_command(site, proposals, port, "--inbox", "--workers", "2", "--threads", "2",
                            config=project / "mkdocs.yml")  # fmt: skip
    with running(command, port):
        status, headers, _ = _request(
            port, "POST", "/inbox/login", body=f"account=ada&password={PASSWORD.replace(' ', '+')}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"},
        )  # fmt: skip
        assert status == 303
        cookie = headers["Set-Cookie"].split(";")[0]
        pages = []
        for _ in range(40):  # new connections, spread by the kernel over both workers
            status, headers, body = _request(port, "GET", "/inbox/", headers={"Cookie": cookie})
            assert status == 200 and b"Two Workers Ltd" in body
            pages.append(body)
        token = re.search(rb'name="csrf" value="([^"]+)"', pages[-1]).group(1).decode()
        status, _, _ = _request(port, "POST", "/inbox/logout", body=f"csrf={token}".encode(),
                                headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                         "Sec-Fetch-Site": "same-origin"})  # fmt: skip
        assert status == 303
        for _ in range(20):
            status, headers, body = _request(port, "GET", "/inbox/", headers={"Cookie": cookie})
            assert status == 303 and headers["Location"] == "/inbox/login" and body == b""


def test_serve_says_where_the_inbox_is_and_when_no_one_can_log_in(built_site, tmp_path):
    project = copy_site(tmp_path / "project")
    site = tmp_path / "site"
    shutil.copytree(built_site.root, site)
    port = free_port()
    log = tmp_path / "serve.log"
    command = serve_command(site, tmp_path / "proposals", port, "--inbox", config=project / "mkdocs.yml")
    with running(command, port, log=log):
        status, _, _ = _request(port, "POST", "/inbox/login", body=f"account=ada&password={'x' * 20}".encode(),
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Sec-Fetch-Site": "same-origin"})  # fmt: skip
        assert status == 403
    printed = log.read_text(encoding="utf-8")
    accounts = project / "inbox-accounts.json"
    assert f"the inbox is at /inbox/ (over HTTPS but on loopback), with the accounts in {accounts}" in printed
    assert f"{accounts}: no accounts yet, so no one can log in; impart inbox add-user NAME makes one" in printed
    assert "inbox login failed: account ada from 127.0.0.1" in printed  # the server's log, never the password
    assert "x" * 20 not in printed
