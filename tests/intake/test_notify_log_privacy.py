"""No log line and no outbox error carries an answer when the relay refuses a recipient, and the hint names the
setting that is wrong: a real SMTP server on loopback that refuses (5xx) an address, echoing it as relays do."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlencode

import pytest
from aiosmtpd.controller import Controller
from werkzeug.test import Client

from tests.helpers.form import valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import MailServer, wait_until
from tests.helpers.nginx_stack import request
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, impart

OPERATOR = "ops@impart.example"
SITE = "site@impart.example"
PROSPECT = "ada.private@prospect.example"
# Answers no log line or outbox error may show: the address above all, and any other the prospect typed.
ANSWERS = {"email": PROSPECT, "name": "Augusta Ada Byron", "organisation": "Byron Difference Works"}


class RefusingServer(MailServer):
    """Takes mail for every recipient but those in `refused`, which it refuses with 550, naming the address
    in its reply as real relays do."""

    refused: frozenset[str] = frozenset()
    refused_at_data: frozenset[str] = frozenset()  # taken at RCPT, then the message refused, the address named

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        named = [address for address in envelope.rcpt_tos if address.lower() in self.refused_at_data]
        if named:
            return f"554 5.7.1 Message to <{named[0]}> refused by local policy"
        return await super().handle_DATA(server, session, envelope)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing():
    """Starts aiosmtpd on 127.0.0.1 refusing the given addresses; stops it with the test."""
    controllers = []

    def start(*refused: str, at_data: tuple[str, ...] = ()) -> RefusingServer:
        smtp = RefusingServer(free_port())
        smtp.refused = frozenset(address.lower() for address in refused)
        smtp.refused_at_data = frozenset(address.lower() for address in at_data)
        controller = Controller(smtp, hostname="127.0.0.1", port=smtp.port, decode_data=False)
        controller.start()
        controllers.append(controller)
        return smtp

    yield start
    for controller in controllers:
        controller.stop()


def notify(smtp: RefusingServer) -> dict:
    return {"email": [OPERATOR], "mail_from": SITE, "smtp_host": "127.0.0.1", "smtp_port": smtp.port}


def tried(app, channel: str) -> bool:
    return any(e.channel == channel and e.attempts >= 1 for e in app.notifications.outbox.entries())


def outbox_text(proposals: Path) -> str:
    """Everything the operator can read about the outbox: `impart proposals outbox` and its files."""
    listing = impart("proposals", "outbox", "--json", "--proposals", str(proposals), cwd=PROJECT)
    assert listing.returncode == 0, listing.stderr
    files = [path.read_text() for path in (proposals / ".state" / "outbox").rglob("*") if path.is_file()]
    return "\n".join([listing.stdout, listing.stderr, *files])


def site_log(caplog) -> list[str]:
    """What the site logged: every record but those of the test's own SMTP server (aiosmtpd's `mail.log`)."""
    return [record.getMessage() for record in caplog.records if not record.name.startswith("mail.log")]


def assert_no_answer(text: str) -> None:
    for field, answer in ANSWERS.items():
        assert answer.lower() not in text.lower(), f"the {field} answer is shown: {text!r}"


def test_a_refused_prospect_address_is_in_no_log_line_or_outbox_error(make_app, refusing, proposals, caplog):
    caplog.set_level(logging.DEBUG)
    smtp = refusing(PROSPECT)
    app = make_app(notify={**notify(smtp), "acknowledge": True})
    reference = reference_from(post(Client(app), valid_submission(**ANSWERS)))
    assert wait_until(lambda: len(smtp.received) == 1 and tried(app, "acknowledge"))
    app.notifications.close()

    assert smtp.received[0].recipients == [OPERATOR]  # the operator's mail went; only the receipt was refused
    failures = [line for line in site_log(caplog) if "acknowledge" in line]
    assert failures, "the refusal was not logged at all"
    assert_no_answer("\n".join(site_log(caplog)))

    [entry] = json.loads(impart("proposals", "outbox", "--json", "--proposals", str(proposals), cwd=PROJECT).stdout)
    assert (entry["reference"], entry["channel"]) == (reference, "acknowledge")
    error = entry["last_error"]
    assert error.startswith(f"mail via 127.0.0.1:{smtp.port}: the server refused the prospect's address (550 5.1.1)")
    assert "--notify-email" not in error and "--mail-from" in error  # what the operator can change
    assert "the prospect's address" in failures[0] and "--notify-email" not in failures[0]
    assert_no_answer(outbox_text(proposals))


def test_a_reply_that_echoes_the_prospect_address_after_the_data_is_shown_without_it(make_app, refusing, proposals):
    smtp = refusing(at_data=(PROSPECT,))
    app = make_app(notify={**notify(smtp), "acknowledge": True})
    post(Client(app), valid_submission(**ANSWERS))
    assert wait_until(lambda: len(smtp.received) == 1 and tried(app, "acknowledge"))
    app.notifications.close()

    [entry] = json.loads(impart("proposals", "outbox", "--json", "--proposals", str(proposals), cwd=PROJECT).stdout)
    assert entry["channel"] == "acknowledge"
    expected = "the server answered 554 5.7.1 Message to <the prospect's address> refused by local policy"
    assert entry["last_error"].startswith(f"mail via 127.0.0.1:{smtp.port}: {expected}")
    assert_no_answer(outbox_text(proposals))


def test_a_refused_operator_address_is_named_with_the_setting_that_holds_it(make_app, refusing, proposals, caplog):
    caplog.set_level(logging.DEBUG)
    smtp = refusing(OPERATOR)
    app = make_app(notify=notify(smtp))
    post(Client(app), valid_submission(**ANSWERS))
    assert wait_until(lambda: tried(app, "mail"))
    app.notifications.close()

    [entry] = app.notifications.outbox.entries()
    error = json.loads((proposals / ".state" / "outbox" / "pending" / entry.name).read_text())["last_error"]
    assert f"the server refused the recipient(s) {OPERATOR}; check --notify-email" in error
    assert_no_answer(outbox_text(proposals))
    assert_no_answer("\n".join(site_log(caplog)))


def test_the_server_log_of_impart_serve_shows_no_refused_prospect_address(built_site, refusing, tmp_path):
    """The log an operator keeps (journald's, under systemd): the sending process's lines as written."""
    smtp = refusing(PROSPECT)
    port, proposals, log = free_port(), tmp_path / "proposals", tmp_path / "serve.log"
    options = ["--notify-email", OPERATOR, "--mail-from", SITE, "--smtp-host", "127.0.0.1"]
    options += ["--smtp-port", str(smtp.port), "--acknowledge"]
    with running(serve_command(built_site.root, proposals, port, *options), port, log=log):
        headers = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode(valid_submission(**ANSWERS)).encode()
        status, _, _ = request(port, "POST", "/request-a-proposal/", body, headers)
        assert status == 303
        assert wait_until(lambda: "acknowledge ended" in log.read_text(errors="replace"))
    written = log.read_text(errors="replace")
    assert "the server refused the prospect's address (550 5.1.1)" in written
    assert "--notify-email" not in written
    assert_no_answer(written)
    assert_no_answer(outbox_text(proposals))
