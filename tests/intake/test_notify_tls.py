"""Mail over TLS and with a login, as every real relay wants it, through a real aiosmtpd server on loopback.

The test CA and the server's certificate are made at test time (trustme); the sender trusts the CA the
ways an operator can: SSL_CERT_FILE for the process, or `--smtp-ca-file` for the mail server alone.
STARTTLS with AUTH PLAIN or LOGIN, and implicit TLS, deliver; a wrong password keeps the notification
pending with an error naming the host and what to check, is tried once a pass (not once a notification),
and `impart proposals notify` sends it once when the password is right; a certificate the system does not
trust is refused, before any login or mail, in clear or otherwise.
"""

from __future__ import annotations

import gc
import ssl
import sys
import time

import pytest
import trustme
from werkzeug.test import Client

from tests.helpers.form import valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import mail_server, wait_until
from tests.helpers.site import PROJECT, impart

OPERATOR = "ops@impart.example"
SENDER = "site@impart.example"
USER, PASSWORD = "impart-site", "correct horse battery staple"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA of the tests' own, its PEM file, and the server context of a certificate it issued for 127.0.0.1."""
    ca = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    ca_file = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    return ca_file, server


@pytest.fixture
def mail_app(make_app):
    """Makes the handler mailing the operator through 127.0.0.1:port with the given TLS mode."""

    def make(port: int, tls: str):
        notify = {"email": [OPERATOR], "mail_from": SENDER, "smtp_host": "127.0.0.1", "smtp_port": port}
        return make_app(notify={**notify, "smtp_tls": tls})

    return make


@pytest.fixture
def server_context(certificates, monkeypatch):
    """The mail server's TLS context, with the test CA trusted as the system's and the right login in the
    environment, as the operator would set them."""
    ca_file, context = certificates
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("IMPART_SMTP_USER", USER)
    monkeypatch.setenv("IMPART_SMTP_PASSWORD", PASSWORD)
    return context


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_with_a_login_delivers_encrypted_and_logged_in(server_context, mail_app, mechanism):
    others = [m for m in ("PLAIN", "LOGIN") if m != mechanism]  # the server offers only the one under test
    with mail_server(starttls=server_context, credentials=(USER, PASSWORD), auth_exclude_mechanism=others) as smtp:
        app = mail_app(smtp.port, "starttls")
        reference = reference_from(post(Client(app), valid_submission()))
        assert wait_until(lambda: len(smtp.received) == 1)
        time.sleep(0.2)  # a second copy would arrive by now
    [mail] = smtp.received
    assert str(mail.message["Subject"]) == f"Proposal request {reference} from Analytical Engines Ltd"
    assert mail.over_tls and mail.login == USER
    assert [(s.mechanism, s.login, s.password, s.over_tls) for s in smtp.logins] == [(mechanism, USER, PASSWORD, True)]
    assert app.notifications.counts().pending == 0


def test_implicit_tls_delivers(server_context, mail_app):
    with mail_server(implicit_tls=server_context, credentials=(USER, PASSWORD)) as smtp:
        app = mail_app(smtp.port, "tls")
        reference = reference_from(post(Client(app), valid_submission()))
        assert wait_until(lambda: len(smtp.received) == 1)
    [mail] = smtp.received
    assert reference in str(mail.message["Subject"])
    assert mail.over_tls and mail.login == USER
    assert [s.over_tls for s in smtp.logins] == [True]


def test_a_session_cut_off_when_the_mail_server_stops_leaves_no_socket_behind(server_context, mail_app, monkeypatch):
    """The tests' mail server (tests/helpers/mail_and_webhook.py) stops as soon as a test has its mail, often
    before the sender's QUIT has been answered: it must close that TLS session's socket itself, or the garbage
    collector's ResourceWarning fails some later test."""
    left_behind = []
    monkeypatch.setattr(sys, "unraisablehook", left_behind.append)
    for n in range(2):
        with mail_server(implicit_tls=server_context, credentials=(USER, PASSWORD)) as smtp:
            app = mail_app(smtp.port, "tls")
            assert post(Client(app), valid_submission(organisation=f"Cut Off {n} Ltd")).status_code == 303
            assert wait_until(lambda: len(smtp.received) == 1, step=0.001)
        app.notifications.close()
        gc.collect()
    assert [str(seen.exc_value) for seen in left_behind] == []


def test_a_wrong_password_stays_pending_with_an_error_to_act_on_and_is_sent_once_when_right(
    certificates, mail_app, monkeypatch, tmp_path
):
    ca_file, server_context = certificates
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("IMPART_SMTP_USER", USER)
    monkeypatch.setenv("IMPART_SMTP_PASSWORD", "last year's password")
    proposals = str(tmp_path / "proposals")
    with mail_server(starttls=server_context, credentials=(USER, PASSWORD)) as smtp:
        app = mail_app(smtp.port, "starttls")
        reference = reference_from(post(Client(app), valid_submission()))
        assert wait_until(lambda: any(e.attempts for e in app.notifications.outbox.entries()))
        app.notifications.close()
        monkeypatch.delenv("SSL_CERT_FILE")  # from here on, only --smtp-ca-file makes the test CA trusted
        [entry] = app.notifications.outbox.entries()
        assert (entry.reference, entry.state, smtp.received) == (reference, "pending", [])
        assert entry.last_error == (
            f"mail via 127.0.0.1:{smtp.port}: the server refused the login as {USER!r} (535); "
            "check IMPART_SMTP_USER and IMPART_SMTP_PASSWORD"
        )
        listing = impart("proposals", "outbox", "--proposals", proposals, cwd=PROJECT)
        assert "the server refused the login" in listing.stdout

        options = ["--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port), "--proposals", proposals]
        # The operator's fix: the right password, and this time the CA named by --smtp-ca-file.
        env = {"IMPART_SMTP_USER": USER, "IMPART_SMTP_PASSWORD": PASSWORD}
        options += ["--notify-email", OPERATOR, "--mail-from", SENDER, "--smtp-tls", "starttls"]
        options += ["--smtp-ca-file", str(ca_file)]
        first = impart("proposals", "notify", *options, cwd=PROJECT, **env)
        second = impart("proposals", "notify", *options, cwd=PROJECT, **env)
        time.sleep(0.2)
    assert first.returncode == 0 and first.stdout.startswith("sent 1,"), first.stdout + first.stderr
    assert second.returncode == 0 and second.stdout.startswith("sent 0,")
    assert [reference in str(mail.message["Subject"]) for mail in smtp.received] == [True]
    assert smtp.received[0].login == USER


@pytest.mark.parametrize("tls", ["starttls", "tls"])
def test_a_certificate_the_system_does_not_trust_is_refused_and_nothing_is_sent(
    certificates, mail_app, monkeypatch, tls
):
    """The server would take the mail in clear and any login: only the sender's refusal keeps them back."""
    _, server_context = certificates
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only: the test CA is not among them
    monkeypatch.setenv("IMPART_SMTP_USER", USER)
    monkeypatch.setenv("IMPART_SMTP_PASSWORD", PASSWORD)
    tls_options = {"starttls": server_context, "require_starttls": False} if tls == "starttls" else {}
    if tls == "tls":
        tls_options["implicit_tls"] = server_context
    with mail_server(credentials=(USER, PASSWORD), auth_require_tls=False, auth_required=False, **tls_options) as smtp:
        app = mail_app(smtp.port, tls)
        post(Client(app), valid_submission())
        assert wait_until(lambda: any(e.attempts for e in app.notifications.outbox.entries()))
        app.notifications.close()
    [entry] = app.notifications.outbox.entries()
    assert (entry.state, smtp.received, smtp.logins) == ("pending", [], [])
    assert entry.last_error.startswith(
        f"mail via 127.0.0.1:{smtp.port}: the server's certificate is not trusted (certificate verify failed"
    )
    assert entry.last_error.endswith(
        "nothing was sent; check --smtp-host is the name on it, or if its CA is private, give --smtp-ca-file"
    )
    assert "\n" not in entry.last_error


def test_a_refused_login_is_tried_once_a_pass_not_once_a_notification(certificates, mail_app, monkeypatch):
    """Twenty proposals waiting must not become twenty refused logins: relays lock an account for fewer."""
    ca_file, server_context = certificates
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("IMPART_SMTP_USER", USER)
    monkeypatch.setenv("IMPART_SMTP_PASSWORD", "last year's password")
    with mail_server(starttls=server_context, credentials=(USER, PASSWORD), auth_exclude_mechanism=["LOGIN"]) as smtp:
        app = mail_app(smtp.port, "starttls")
        app.notifications.close()  # no sending thread: the one pass below is the test's
        client = Client(app)
        for n in range(3):
            post(client, valid_submission(name=f"Waiting {n}"))
        done = app.notifications.send_now(force=True)
    assert (done.sent, done.retried) == (0, 3)
    assert len(smtp.logins) == 1
    errors = {entry.last_error for entry in app.notifications.outbox.entries()}
    assert len(errors) == 1 and "check IMPART_SMTP_USER and IMPART_SMTP_PASSWORD" in errors.pop()
