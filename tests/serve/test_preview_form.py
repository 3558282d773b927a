"""`mkdocs serve` mounts the proposal handler: a live preview has a working form."""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
import urllib.parse

import pytest

from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.servers import free_port, running
from tests.helpers.site import copy_site


@pytest.mark.build
def test_preview_serves_a_working_form(tmp_path, monkeypatch):
    from tests.helpers.mail_and_webhook import SECRET, wait_until, webhook_receiver

    project = copy_site(tmp_path / "project")
    port = free_port()
    # on_serve runs only with live reload, which is what `make serve` uses.
    command = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(project / "mkdocs.yml"),
               "--dev-addr", f"127.0.0.1:{port}"]  # fmt: skip
    # The preview notifies as extra.intake.notify says, like the server.
    monkeypatch.setenv("IMPART_WEBHOOK_SECRET", SECRET)
    with contextlib.ExitStack() as stack:
        receiver = stack.enter_context(webhook_receiver())
        config = project / "mkdocs.yml"
        notify = f"  intake:\n    notify: {{webhook: '{receiver.url}'}}\n"
        config.write_text(config.read_text(encoding="utf-8").replace("  intake:\n", notify, 1), encoding="utf-8")
        stack.enter_context(running(command, port))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        connection.request("GET", "/request-a-proposal/")
        page = connection.getresponse()
        assert page.status == 200 and b"data-impart-form" in page.read()

        # A page elsewhere reaching the preview under its own name (DNS rebinding) is refused.
        rebound = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}",
                   "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
        connection.request("POST", "/request-a-proposal/", body=urllib.parse.urlencode(valid_submission()),
                           headers=rebound)  # fmt: skip
        refused = connection.getresponse()
        refused.read()
        assert refused.status == 421
        assert not list((project / "proposals").glob("*.json"))

        submitted = valid_submission()
        body = urllib.parse.urlencode(submitted)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
        connection.request("POST", "/request-a-proposal/", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 303
        reference = answer.getheader("Location").split("ref=")[1]
        stored = json.loads((project / "proposals" / f"{reference}.json").read_text())
        assert stored["fields"]["operator"] == submitted["operator"]
        assert stored["from"] == submitted["from"]
        assert wait_until(lambda: len(receiver.accepted()) == 1)
        assert receiver.accepted()[0].headers["impart-delivery"] == reference

        connection.request("GET", "/field-notes/")
        listing = connection.getresponse()
        assert listing.status == 200 and b"impart-summary" in listing.read()


def test_the_preview_handler_follows_a_changed_definition(tmp_path, built_site):
    from werkzeug.test import Client

    from impart.intake.app import create_app
    from tests.helpers.form import valid_submission

    project = copy_site(tmp_path / "project")
    app = create_app(
        project,
        origins=LOCAL,
        site_dir=built_site.root,
        proposals_dir=tmp_path / "proposals",
        rate_limit=None,
        reload_definition=True,
    )
    client = Client(app)
    headers = {"Origin": "http://localhost"}
    assert client.post("/request-a-proposal/", data=valid_submission(phone="1"), headers=headers).status_code == 400
    source = project / "docs/request-a-proposal.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("    - name: website\n", "    - name: phone\n      label: Telephone\n"
                                   "      type: tel\n    - name: website\n", 1), encoding="utf-8")  # fmt: skip
    answer = client.post("/request-a-proposal/", data=valid_submission(phone="020 7946 0000"), headers=headers)
    assert answer.status_code == 303
