"""Notifications through the real handler to a real SMTP server (aiosmtpd) and a real webhook receiver."""

from __future__ import annotations

import json
import socket
import time

import pytest
from werkzeug.test import Client

from impart.intake.webhook import verify
from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import SECRET, mail_server, wait_until, webhook_receiver
from tests.helpers.servers import free_port
from tests.helpers.site import PROJECT, impart

OPERATOR = "ops@impart.example"
SENDER = "site@impart.example"


def notify_options(smtp_port: int, webhook_url: str | None = None, **more) -> dict:
    options = {"email": [OPERATOR], "mail_from": SENDER, "smtp_host": "127.0.0.1", "smtp_port": smtp_port}
    if webhook_url:
        options["webhook"] = webhook_url
    return {**options, **more}


@pytest.fixture
def notifying(make_app, monkeypatch):
    """Makes the handler with the given notification settings (the webhook's secret in the environment)."""
    monkeypatch.setenv("IMPART_WEBHOOK_SECRET", SECRET)
    return lambda notify: make_app(notify=notify)


def test_three_proposals_give_three_mails_and_three_signed_webhooks(notifying):
    with mail_server() as smtp, webhook_receiver() as hook:
        app = notifying(notify_options(smtp.port, hook.url))
        client = Client(app)
        references = [reference_from(post(client, valid_submission(name=f"Prospect {n}"))) for n in range(3)]

        assert wait_until(lambda: len(smtp.received) == 3 and len(hook.accepted()) == 3)
        time.sleep(0.3)  # anything sent twice would arrive in this time
        mails, deliveries = list(smtp.received), hook.accepted()

    assert sorted(str(mail.message["Subject"]) for mail in mails) == sorted(
        f"Proposal request {ref} from Analytical Engines Ltd" for ref in references
    )
    for mail in mails:
        assert mail.recipients == [OPERATOR]
        assert mail.sender == SENDER
        assert str(mail.message["Reply-To"]) == "a@example.com"
        body = mail.message.get_content()
        reference = str(mail.message["Subject"]).split()[2]
        assert f"impart proposals show {reference}" in body
        assert "Came from: /field-notes/pilot-to-production/" in body
        assert "Who will run it day to day?: Priya Shah, claims team lead" in body
        assert "    The claims team relies on it." in body  # a multi-line answer, indented under its label
    assert sorted(d.headers["impart-delivery"] for d in deliveries) == sorted(references)
    for delivery in deliveries:
        assert delivery.headers["content-type"] == "application/json"
        assert verify(
            SECRET.encode(), delivery.headers["impart-signature"], delivery.headers["impart-delivery"], delivery.body
        )
        assert not verify(
            b"another secret", delivery.headers["impart-signature"], delivery.headers["impart-delivery"], delivery.body
        )
        stored = json.loads(delivery.body)
        assert stored == app.store.load(delivery.headers["impart-delivery"])
    assert app.notifications.counts().pending == 0


def test_the_signature_is_hmac_sha256_of_timestamp_dot_delivery_dot_body_in_lower_case_hex(notifying):
    import hashlib
    import hmac

    with mail_server() as smtp, webhook_receiver() as hook:
        app = notifying(notify_options(smtp.port, hook.url))
        post(Client(app), valid_submission())
        assert wait_until(lambda: len(hook.accepted()) == 1)
    delivery = hook.accepted()[0]
    t, v1 = (part.split("=", 1)[1] for part in delivery.headers["impart-signature"].split(","))
    expected = hmac.new(
        SECRET.encode(), f"{t}.{delivery.headers['impart-delivery']}.".encode() + delivery.body, hashlib.sha256
    ).hexdigest()
    assert v1 == expected and abs(int(t) - time.time()) < 60


def test_a_honeypot_submission_notifies_nobody(notifying):
    with mail_server() as smtp, webhook_receiver() as hook:
        app = notifying(notify_options(smtp.port, hook.url))
        client = Client(app)
        response = post(client, valid_submission(website="http://spam.example"))
        assert response.status_code == 303
        post(client, valid_submission(name="A real prospect"))  # sent, so that waiting for it bounds the wait
        assert wait_until(lambda: len(smtp.received) == 1 and len(hook.accepted()) == 1)
        time.sleep(0.3)
        assert len(smtp.received) == 1 and len(hook.deliveries) == 1
    assert "A real prospect" in smtp.received[0].message.get_content()
    quarantined = json.loads(next(app.store.quarantine_dir.glob("*.json")).read_text())
    assert "notify" not in quarantined


def test_a_receiver_answering_500_then_200_gets_one_delivery_after_the_retry(notifying):
    with webhook_receiver(statuses=[500]) as hook:
        app = notifying({"webhook": hook.url})
        reference = reference_from(post(Client(app), valid_submission()))
        assert wait_until(lambda: len(hook.deliveries) == 1)
        assert wait_until(lambda: app.notifications.outbox.entries()[0].attempts == 1)
        [entry] = app.notifications.outbox.entries()
        assert entry.last_error.endswith("answered 500; a 2xx is needed")
        assert 55 <= entry.next_attempt - time.time() <= 61  # the first retry waits about a minute

        done = app.notifications.send_now(force=True)
        again = app.notifications.send_now(force=True)

    assert (done.sent, again.sent) == (1, 0)
    assert [d.status for d in hook.deliveries] == [500, 200]
    assert [d.headers["impart-delivery"] for d in hook.accepted()] == [reference]
    assert app.notifications.counts().pending == 0


def test_with_the_mail_server_down_the_prospect_gets_303_at_once_and_notify_later_sends_each_once(notifying, tmp_path):
    port = free_port()
    # A server that takes the connection and never greets: the worst a mail server can do.
    silent = socket.socket()
    silent.bind(("127.0.0.1", port))
    silent.listen(16)
    app = notifying(notify_options(port))
    client = Client(app)
    references, slowest = [], 0.0
    for n in range(3):
        began = time.perf_counter()
        response = post(client, valid_submission(name=f"Waiting {n}"))
        slowest = max(slowest, time.perf_counter() - began)
        assert response.status_code == 303
        references.append(reference_from(response))
    assert slowest < 1.0, f"a submission waited {slowest:.2f}s on the mail server"
    silent.close()  # the waiting connection is reset: the sending thread records a failed attempt
    assert wait_until(lambda: all(e.attempts >= 1 for e in app.notifications.outbox.entries()), seconds=15)
    app.notifications.close()

    with mail_server(port) as smtp:
        options = ["--notify-email", OPERATOR, "--mail-from", SENDER, "--smtp-host", "127.0.0.1"]
        options += ["--smtp-port", str(port), "--proposals", str(tmp_path / "proposals")]
        first = impart("proposals", "notify", *options, cwd=PROJECT)
        second = impart("proposals", "notify", *options, cwd=PROJECT)
        time.sleep(0.2)
        subjects = smtp.subjects()

    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sent 3,")
    assert second.returncode == 0 and second.stdout.startswith("sent 0,")
    assert sorted(subjects) == sorted(f"Proposal request {ref} from Analytical Engines Ltd" for ref in references)


def test_notify_exits_1_and_keeps_the_entry_while_the_receiver_still_fails(notifying, tmp_path, monkeypatch):
    app = notifying(notify_options(free_port()))  # nothing listens there
    reference = reference_from(post(Client(app), valid_submission()))
    app.notifications.close()
    options = ["--notify-email", OPERATOR, "--mail-from", SENDER, "--smtp-host", "127.0.0.1"]
    result = impart(
        "proposals", "notify", *options, "--smtp-port", str(free_port()), "--proposals", str(tmp_path / "proposals"),
        cwd=PROJECT,
    )  # fmt: skip
    assert result.returncode == 1
    assert "see impart proposals outbox" in result.stderr
    listing = impart("proposals", "outbox", "--json", "--proposals", str(tmp_path / "proposals"), cwd=PROJECT)
    [entry] = json.loads(listing.stdout)
    assert (entry["reference"], entry["channel"], entry["state"]) == (reference, "mail", "pending")
    assert entry["attempts"] >= 1 and "Connection refused" in entry["last_error"]


def test_the_acknowledgement_goes_to_the_prospect_only_and_echoes_no_answer(notifying):
    with mail_server() as smtp:
        app = notifying(notify_options(smtp.port, acknowledge=True))
        reference = reference_from(post(Client(app), valid_submission(email="ada@analytical.example")))
        assert wait_until(lambda: len(smtp.received) == 2)
    [ack] = [mail for mail in smtp.received if mail.recipients == ["ada@analytical.example"]]
    body = ack.message.get_content()
    assert reference in str(ack.message["Subject"]) and reference in body
    for answer in valid_submission().values():
        for line in answer.split("\n"):
            if len(line) > 3:
                assert line not in body, f"the acknowledgement echoes an answer: {line!r}"
    assert str(ack.message["Reply-To"]) == "proposals@impart.example"


def test_health_reports_the_outbox(notifying):
    app = notifying(notify_options(free_port()))
    client = Client(app)
    post(client, valid_submission())
    post(client, valid_submission(name="Another"))
    assert wait_until(lambda: all(e.attempts >= 1 for e in app.notifications.outbox.entries()))
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["outbox"]["pending"] == 2 and health.json["outbox"]["failed"] == 0
    assert 0 <= health.json["outbox"]["oldest_pending_seconds"] < 60


def test_the_wsgi_entry_point_follows_extra_intake_notify_in_mkdocs_yml(built_site, tmp_path, monkeypatch):
    from impart.serve.wsgi import app_from_environment
    from tests.helpers.site import copy_site

    project = copy_site(tmp_path / "project")
    monkeypatch.setenv("IMPART_WEBHOOK_SECRET", SECRET)
    with webhook_receiver() as hook:
        config = project / "mkdocs.yml"
        notify = f"  intake:\n    notify: {{webhook: '{hook.url}'}}\n"
        config.write_text(config.read_text(encoding="utf-8").replace("  intake:\n", notify, 1), encoding="utf-8")
        environ = {"IMPART_PROJECT": str(project), "IMPART_SITE": str(built_site.root), "IMPART_ORIGINS": LOCAL[0]}
        app = app_from_environment(environ)
        try:
            reference = reference_from(post(Client(app), valid_submission()))
            assert wait_until(lambda: len(hook.accepted()) == 1)
        finally:
            app.notifications.close()
    assert hook.accepted()[0].headers["impart-delivery"] == reference
