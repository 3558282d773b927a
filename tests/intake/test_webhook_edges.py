"""The webhook's edges: what a receiver dedupes on is signed, the receiver's check never raises, the start line
shows no credential, and an http:// webhook leaves this machine never.

Deliveries go through webhook.post to a real HTTP receiver on 127.0.0.1; the
start line and the refusal come from a real `impart serve`.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from impart.intake.webhook import post, signature, verify
from tests.helpers.mail_and_webhook import wait_until, webhook_receiver
from tests.helpers.servers import free_port, running, serve_command

SECRET = b"receiver-and-sender-share-this"
RECORD = {"reference": "20261120-090000-ABCDEF", "values": {"name": "Ada"}, "status": "new"}


@pytest.fixture(scope="module")
def delivered():
    """One signed delivery as the receiver got it."""
    with webhook_receiver() as hook:
        post(hook.url, SECRET, RECORD)
        assert wait_until(lambda: len(hook.accepted()) == 1, seconds=10)
    return hook.accepted()[0]


def test_the_delivery_as_sent_verifies(delivered):
    assert verify(SECRET, delivered.headers["impart-signature"], delivered.headers["impart-delivery"], delivered.body)


def test_a_captured_delivery_replayed_under_another_delivery_id_fails(delivered):
    replayed = "20261120-090000-ZZZZZZ"
    assert not verify(SECRET, delivered.headers["impart-signature"], replayed, delivered.body)


@pytest.mark.parametrize(
    "header",
    ["t={now},v1=é", "t={now},v1=" + "ü" * 64, "t=١٧٦٤٧٥٠٠٠٠,v1=00", "t= {now},v1=00", "v1=00", "t=,v1=", "é",
     "t={now},v1=\udcff", ""],
)  # fmt: skip
def test_whatever_a_sender_puts_in_the_signature_is_false_never_an_error(header):
    assert verify(SECRET, header.format(now=int(time.time())), RECORD["reference"], b"{}") is False


def test_a_non_ascii_delivery_id_is_false_never_an_error():
    header = signature(SECRET, int(time.time()), RECORD["reference"], b"{}")
    assert verify(SECRET, header, "20261120-090000-ÄBCDEF", b"{}") is False
    assert verify(SECRET, header, RECORD["reference"], b"{}") is True


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>x</title>")
    secret = tmp_path / "webhook-secret"
    secret.write_text("s3cret")
    return folder, secret


def test_the_start_line_shows_the_webhook_without_its_credentials_or_query(site, tmp_path):
    folder, secret = site
    url = "http://hook-user:hook-pass@127.0.0.1:9/in/proposals?token=query-token#frag"
    port, log = free_port(), tmp_path / "serve.log"
    command = serve_command(folder, tmp_path / "proposals", port, "--notify-webhook", url,
                            "--webhook-secret-file", str(secret))  # fmt: skip
    with running(command, port, log=log):
        assert wait_until(lambda: "notifications:" in log.read_text(), seconds=10)
    shown = log.read_text()
    assert "notifications: signed webhook to http://127.0.0.1:9/in/proposals\n" in shown
    assert not {"hook-user", "hook-pass", "query-token", "frag"} & set(shown.replace("/", " ").split())
    assert "hook-pass" not in shown and "query-token" not in shown


@pytest.mark.parametrize("host", ["hooks.example", "192.0.2.7", "[2001:db8::1]"])
def test_an_http_webhook_to_another_host_is_refused_at_start(site, tmp_path, host):
    folder, secret = site
    proposals = tmp_path / "proposals"
    url = f"http://user:pw@{host}/in?token=t0k3n"
    result = subprocess.run(
        serve_command(folder, proposals, free_port(), "--notify-webhook", url, "--webhook-secret-file", str(secret)),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"impart serve: --notify-webhook: http://{host}/in is http://, so each proposal and its signature would "
        "cross the network in clear; use https://, or http:// only to this machine (127.0.0.1, ::1, localhost)\n"
    )
    assert not proposals.exists() or not any(proposals.rglob("*.json"))
