"""No answer can add a mail header or a recipient: hostile answers sent through the handler to a real SMTP server."""

from __future__ import annotations

import email.policy
import time
from email.message import EmailMessage

import pytest
from werkzeug.test import Client

from impart.intake.mail_message import POLICY, operator_mail
from impart.intake.notify_settings import mail_address
from tests.helpers.form import valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import mail_server, wait_until

OPERATOR = "ops@impart.example"
VICTIM = "victim@attacker.example"
HEADERS = {"subject", "from", "to", "reply-to", "date", "message-id", "content-type", "content-transfer-encoding"}


@pytest.fixture
def smtp_app(make_app):
    with mail_server() as smtp:
        notify = {"email": [OPERATOR], "mail_from": "site@impart.example", "smtp_host": "127.0.0.1"}
        app = make_app(notify={**notify, "smtp_port": smtp.port})
        yield smtp, app
        app.notifications.close()  # before its mail server stops


# Answers the form stores (a line break is allowed in a long answer), each trying to add a header or a recipient.
STORED = [
    ("use_case", f"Routine work.\nBcc: {VICTIM}"),
    ("use_case", f"Routine work.\r\nBcc: {VICTIM}\r\n.\r\nMAIL FROM:<{VICTIM}>"),
    ("use_case", f"Routine work.\nSubject: hijacked\nTo: {VICTIM}\n\nA forged body"),
]


@pytest.mark.parametrize(("field", "value"), STORED, ids=[f"{f}-{n}" for n, (f, _) in enumerate(STORED)])
def test_a_hostile_answer_reaches_the_operator_as_text_and_adds_no_header_or_recipient(smtp_app, field, value):
    smtp, app = smtp_app
    reference = reference_from(post(Client(app), valid_submission(**{field: value})))
    assert wait_until(lambda: len(smtp.received) == 1)
    time.sleep(0.2)  # a second message, if the answer had split one, would arrive by now

    [mail] = smtp.received
    assert mail.recipients == [OPERATOR]
    header_block = mail.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = {line.split(":", 1)[0].lower() for line in header_block.split("\r\n") if not line[:1].isspace()}
    assert names == HEADERS | {"mime-version"}
    # The organisation is in the Subject, folded onto one line; nowhere else in the headers.
    assert all(VICTIM not in str(value) for name, value in mail.message.items() if name != "Subject")
    subject = str(mail.message["Subject"])
    assert subject.startswith(f"Proposal request {reference} from ") and "\n" not in subject
    assert str(mail.message["Reply-To"]) == "a@example.com"
    assert mail.message.get_content_type() == "text/plain"
    assert VICTIM in mail.message.get_content()  # the answer is kept, as text in the body


# Answers the form refuses before anything is stored: a one-line answer holds no line break (a lone CR is a
# control character besides); an address must be one.
REFUSED = [
    ("organisation", f"Evil Ltd\nBcc: {VICTIM}"),
    ("organisation", f"Evil Ltd\r\nBcc: {VICTIM}"),
    ("organisation", f"Evil Ltd\rBcc: {VICTIM}"),
    ("name", f"Ada\nBcc: {VICTIM}"),
    ("name", f"Ada\rBcc: {VICTIM}"),
    ("role", f"Head\n\nBcc: {VICTIM}"),
    ("email", f"a@example.com\nBcc: {VICTIM}"),
    ("email", f"a@example.com, {VICTIM}"),
    ("email", "Ada <a@example.com>"),
]


@pytest.mark.parametrize(("field", "value"), REFUSED, ids=[f"{f}-{n}" for n, (f, _) in enumerate(REFUSED)])
def test_an_answer_the_form_refuses_stores_nothing_and_sends_nothing(smtp_app, field, value):
    smtp, app = smtp_app
    response = post(Client(app), valid_submission(**{field: value}))
    assert response.status_code == 422
    time.sleep(0.2)
    assert smtp.received == []
    assert list(app.store.root.glob("*.json")) == []
    assert app.notifications.counts().pending == 0


def test_the_message_policy_refuses_a_header_with_a_line_break():
    message = EmailMessage(policy=POLICY)
    for value in ("x\nBcc: a@b.example", "x\rBcc: a@b.example", "x\r\nBcc: a@b.example"):
        with pytest.raises(ValueError, match="linefeed or carriage return"):
            message["Subject"] = value


@pytest.mark.parametrize(
    "stored_email",
    [f"a@example.com\nBcc: {VICTIM}", "Ada <a@example.com>", f"a@example.com, {VICTIM}", "", None, 42, "a@b"],
)
def test_reply_to_is_left_out_unless_the_stored_address_is_one_plain_address(stored_email):
    """A file edited by hand (or stored before a rule existed) still cannot steer the reply."""
    record = {"reference": "20261130-120000-ABCDEF", "fields": {"organisation": "Org", "email": stored_email}}
    message = operator_mail(record, to=(OPERATOR,), mail_from="site@impart.example", labels={})
    assert message["Reply-To"] is None
    flat = message.as_bytes(policy=email.policy.SMTP)
    assert VICTIM.encode() not in flat.split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize(
    ("value", "plain"),
    [("ops@impart.example", True), ("o.p+s@mail.impart.example", True), ("ops@localhost", False),
     ("ops@@impart.example", False), ("ops@impart..example", False), ("o ps@impart.example", False),
     ("ops@impart.example\n", False), ("<ops@impart.example>", False)],
)  # fmt: skip
def test_mail_address_accepts_only_one_plain_address(value, plain):
    assert (mail_address(value) is not None) is plain
