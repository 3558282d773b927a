"""No answer can write a mail header, as an RFC 2047 encoded word either: hostile answers through the form, the
sender and a real SMTP server, judged on the bytes that arrived, for the operator's mail and the acknowledgement."""

from __future__ import annotations

import base64
import time

import pytest
from werkzeug.test import Client

from tests.helpers.form import valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import mail_server, wait_until

OPERATOR = "ops@impart.example"
SITE = "site@impart.example"
CONTACT = "proposals@impart.example"  # mkdocs.yml's extra.intake.contact: the acknowledgement's Reply-To
PROSPECT = "a@example.com"
VICTIM = "victim@attacker.example"
# What the site writes, and nothing else: the header names of each mail, each once.
WRITTEN = {"subject", "from", "to", "reply-to", "date", "message-id", "content-type", "content-transfer-encoding"}
WRITTEN |= {"mime-version"}
UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), 0x2028, 0x2029]}


def b_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


HTML_BODY = "Acme\r\nContent-Type: text/html\r\n\r\n<a href=//attacker.example>Pay</a>"
# Organisations that pass the form (no raw line break or control character), each an encoded word that a
# header parser would decode into a header, a body, NUL or a right-to-left override.
ORGANISATIONS = {
    "q-crlf-bcc": f"=?utf-8?q?Acme=0D=0ABcc:_{VICTIM}?=",
    "Q-lf-bcc": f"=?UTF-8?Q?Acme=0ABcc:_{VICTIM}?=",
    "latin1-q-bcc": f"=?iso-8859-1?q?Acme=0D=0ABcc:_{VICTIM}?=",
    "b-html-body": b_word(HTML_BODY),
    "b-bcc": b_word(f"Acme\r\nBcc: {VICTIM}\r\nX-Mailer: forged"),
    "nested": b_word(f"=?utf-8?q?Acme=0D=0ABcc:_{VICTIM}?="),
    "split-words": f"=?utf-8?q?Acme=0D?= =?utf-8?q?=0ABcc:_{VICTIM}?=",
    "split-b-words": f"{b_word('Acme' + chr(13))} {b_word(chr(10) + 'Bcc: ' + VICTIM)}",
    "inside-a-word": f"Acme=?utf-8?q?=0D=0ABcc:_{VICTIM}?=Ltd",
    "nul": "=?utf-8?q?Acme=00Ltd?=",
    "rlo": "=?utf-8?q?Acme=E2=80=AEdtL_kcalb?=",
    "c1-csi": "=?utf-8?q?Acme=C2=9B31m?=",
}
# Addresses that a loose reading would take for one, each holding an encoded word.
ADDRESSES = {
    "q-local-part": f"=?utf-8?q?a=0D=0ABcc=3A_{VICTIM.replace('@', '=40')}?=@example.com",
    "b-local-part": f"{b_word('a' + chr(10) + 'Bcc: ' + VICTIM)}@example.com",
    "inside-local-part": "a=?utf-8?q?=0ABcc=3A_v=40attacker.example?=z@example.com",
}


@pytest.fixture
def smtp_app(make_app):
    with mail_server() as smtp:
        notify = {"email": [OPERATOR], "mail_from": SITE, "smtp_host": "127.0.0.1", "acknowledge": True}
        app = make_app(notify={**notify, "smtp_port": smtp.port})
        yield smtp, app
        app.notifications.close()  # before its mail server stops


def arrived_headers(mail) -> list[str]:
    """The names of the header fields in the bytes that arrived, in order, one per field (folds joined)."""
    block = mail.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [line.split(":", 1)[0].lower() for line in block.split("\r\n") if not line[:1].isspace()]


def assert_only_what_the_site_writes(mail, *, reply_to: str | None) -> None:
    names = arrived_headers(mail)
    assert sorted(names) == sorted(WRITTEN - ({"reply-to"} if reply_to is None else set())), names
    message = mail.message
    assert not message.is_multipart() and message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert str(message["From"]) == SITE
    assert str(message["Reply-To"]) == reply_to if reply_to else message["Reply-To"] is None
    for name, value in message.items():
        assert not UNSAFE & set(str(value)), (name, str(value))  # nothing decoded into a control character
        if name.lower() != "subject":
            assert VICTIM not in str(value), (name, str(value))


def operator_and_acknowledgement(smtp):
    assert wait_until(lambda: len(smtp.received) >= 2)
    time.sleep(0.2)  # a third message, if an answer had split one, would arrive by now
    assert len(smtp.received) == 2
    [operator] = [m for m in smtp.received if m.recipients == [OPERATOR]]
    [receipt] = [m for m in smtp.received if m is not operator]
    return operator, receipt


@pytest.mark.parametrize("organisation", ORGANISATIONS.values(), ids=ORGANISATIONS.keys())
def test_an_encoded_word_organisation_is_shown_as_typed_and_writes_no_header(smtp_app, organisation):
    smtp, app = smtp_app
    reference = reference_from(post(Client(app), valid_submission(organisation=organisation)))
    operator, receipt = operator_and_acknowledgement(smtp)

    assert_only_what_the_site_writes(operator, reply_to=PROSPECT)
    assert str(operator.message["To"]) == OPERATOR
    # The reader sees the answer as it was typed, `=?` and all: decoded once, to text, never to a header.
    assert str(operator.message["Subject"]) == f"Proposal request {reference} from {organisation}"
    body = operator.message.get_content().replace("\r\n", "\n")
    assert body.startswith("A request for a proposal arrived at ") and f"Reference: {reference}\n" in body
    assert f": {organisation}\n" in body  # the answer kept, as text in the body

    assert receipt.recipients == [PROSPECT]
    assert_only_what_the_site_writes(receipt, reply_to=CONTACT)
    assert str(receipt.message["To"]) == PROSPECT
    assert str(receipt.message["Subject"]) == f"We have your request for a proposal ({reference})"
    assert receipt.message.get_content().startswith("Thank you: your request for a proposal has reached us.")
    assert organisation not in receipt.message.get_content()  # the receipt echoes no answer


@pytest.mark.parametrize("address", ADDRESSES.values(), ids=ADDRESSES.keys())
def test_an_encoded_word_address_reaches_no_header_and_no_envelope(smtp_app, address):
    smtp, app = smtp_app
    response = post(Client(app), valid_submission(email=address))
    if response.status_code != 303:  # the form may refuse it outright: then nothing is kept or sent
        assert response.status_code == 422
        time.sleep(0.3)
        assert smtp.received == [] and list(app.store.root.glob("*.json")) == []
        return
    reference = reference_from(response)
    assert wait_until(lambda: len(smtp.received) >= 1)
    time.sleep(0.3)  # an acknowledgement, were one sent, would arrive by now
    # Not one plain address, so neither a Reply-To nor an acknowledgement: the operator's mail alone.
    [operator] = smtp.received
    assert operator.recipients == [OPERATOR]
    assert_only_what_the_site_writes(operator, reply_to=None)
    assert str(operator.message["Subject"]) == f"Proposal request {reference} from Analytical Engines Ltd"
    assert address in operator.message.get_content()  # kept, as text in the body


def test_a_long_organisation_in_any_script_is_folded_within_78_and_arrives_as_typed_up_to_its_limit(smtp_app):
    smtp, app = smtp_app
    organisation = (
        "Société Générale d'Études Ξένια 株式会社 " * 5
    )  # over 120 characters (the form takes 200), 2 or 3 bytes each
    reference = reference_from(post(Client(app), valid_submission(organisation=organisation)))
    operator, _ = operator_and_acknowledgement(smtp)

    assert_only_what_the_site_writes(operator, reply_to=PROSPECT)
    header_block = operator.raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in header_block.split(b"\r\n")) <= 78
    shown = " ".join(organisation.split())
    assert str(operator.message["Subject"]) == f"Proposal request {reference} from {shown[:119]}…"
