"""A permanent refusal ends an acknowledgement at once; the operator's own mail keeps its retries.

Through the real handler and a real aiosmtpd that answers RCPT as a relay would: 550 for a mailbox that
does not exist, 451 for one it cannot take now.
"""

from __future__ import annotations

import contextlib
import time

from aiosmtpd.controller import Controller
from werkzeug.test import Client

from tests.helpers.form import valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import MailServer, wait_until
from tests.helpers.servers import free_port
from tests.helpers.site import PROJECT, impart

OPERATOR = "ops@impart.example"
SENDER = "site@impart.example"


class RefusingServer(MailServer):
    """Takes mail for every recipient but `gone@…` (refused for good) and `busy@…` (refused for now)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address.startswith("gone@"):
            return f"550 5.1.1 <{address.upper()}>: no such mailbox here"  # as relays do, naming it
        if address.startswith("busy@"):
            return "451 4.3.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextlib.contextmanager
def refusing_server(port: int | None = None):
    server = RefusingServer(port or free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port, decode_data=False)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def options(port: int, operator: str = OPERATOR) -> dict:
    return {
        "email": [operator],
        "mail_from": SENDER,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "acknowledge": True,
    }


def entry_states(app, reference: str) -> dict:
    return {e.channel: (e.state, e.attempts) for e in app.notifications.outbox.entries() if e.reference == reference}


def test_an_acknowledgement_refused_for_good_ends_at_once_and_is_not_pending(make_app):
    with refusing_server() as smtp:
        app = make_app(notify=options(smtp.port))
        client = Client(app)
        reference = reference_from(post(client, valid_submission(email="gone@prospect.example")))
        assert wait_until(lambda: app.notifications.counts().pending == 0, seconds=15)
        time.sleep(0.3)
        arrived = [mail.recipients for mail in smtp.received]
        health = client.get("/healthz").json["outbox"]

    assert arrived == [[OPERATOR]]  # the operator heard of the proposal; the prospect's relay said no
    assert entry_states(app, reference) == {"acknowledge": ("ended", 1)}
    [ended] = [e for e in app.notifications.outbox.entries() if e.channel == "acknowledge"]
    assert ended.last_error.startswith(f"mail via 127.0.0.1:{smtp.port}: the server refused the prospect's address")
    assert ended.last_error.endswith("; refused for good, so not retried")
    assert "gone@" not in ended.last_error  # the prospect's address is in no error line
    assert health["pending"] == 0 and health["failed"] == 0
    assert app.store.load(reference)["fields"]["email"] == "gone@prospect.example"  # the proposal is kept


def test_a_refusal_for_now_keeps_the_acknowledgement_for_retry(make_app):
    with refusing_server() as smtp:
        app = make_app(notify=options(smtp.port))
        reference = reference_from(post(Client(app), valid_submission(email="busy@prospect.example")))
        assert wait_until(lambda: entry_states(app, reference) == {"acknowledge": ("pending", 1)}, seconds=15)
        time.sleep(0.3)  # were it ended or retried at once, it would be by now

    assert entry_states(app, reference) == {"acknowledge": ("pending", 1)}
    assert app.notifications.counts().pending == 1


def test_the_operators_mail_refused_for_good_keeps_its_retries(make_app):
    with refusing_server() as smtp:
        app = make_app(notify=options(smtp.port, operator="gone@impart.example"))
        reference = reference_from(post(Client(app), valid_submission(email="ada@prospect.example")))
        assert wait_until(lambda: entry_states(app, reference).get("mail", ("", 0))[1] >= 1, seconds=15)
        assert wait_until(lambda: any(m.recipients == ["ada@prospect.example"] for m in smtp.received), seconds=15)

    assert entry_states(app, reference) == {"mail": ("pending", 1)}
    assert app.notifications.counts().pending == 1


def test_cron_notify_exits_0_when_the_only_trouble_is_an_acknowledgement_refused_for_good(make_app, proposals):
    app = make_app(notify=options(free_port()))  # nothing listens there: both entries wait for a retry
    reference = reference_from(post(Client(app), valid_submission(email="gone@prospect.example")))
    assert wait_until(lambda: all(e.attempts >= 1 for e in app.notifications.outbox.entries()), seconds=15)
    app.notifications.close()

    with refusing_server() as smtp:
        command = ["--notify-email", OPERATOR, "--mail-from", SENDER, "--smtp-host", "127.0.0.1", "--acknowledge"]
        command += ["--smtp-port", str(smtp.port), "--proposals", str(proposals)]
        first = impart("proposals", "notify", *command, cwd=PROJECT)
        second = impart("proposals", "notify", *command, cwd=PROJECT)
        arrived = [mail.recipients for mail in smtp.received]

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sent 1,") and "0 pending, 0 failed" in first.stdout
    assert second.returncode == 0 and second.stdout.startswith("sent 0,")
    assert arrived == [[OPERATOR]]
    assert entry_states(app, reference) == {"acknowledge": ("ended", 2)}
