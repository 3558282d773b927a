"""The two mails a proposal can cause: the operator's notification and the prospect's acknowledgement.

No answer can add a header or a recipient: answers go into the plain-text body
only, except the organisation in the Subject and the prospect's address as
Reply-To or To, and those two pass through impart.intake.answer_headers, which
encodes the organisation itself and admits only one plain address, so that no
answer is ever decoded into a header (an encoded word included). The messages
are made with a policy that refuses a line break in any header, and the
envelope recipients are passed to SMTP explicitly, never read from headers.
tests/intake/test_notify_mail.py sends answers holding CR, LF and `Bcc:`, and
tests/intake/test_notify_mail_headers.py encoded words, through a real SMTP server and
check the headers and recipients that arrive.
"""

from __future__ import annotations

import email.policy
import email.utils
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage

from impart.intake import answer_headers
from impart.intake.notify_settings import mail_address


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, keeping each header class it makes.

    The stock registry makes a new class each time a header is set, which was most of
    the cost of a message (bench/intake.py: about 2 ms of CPU before, well under 1 ms after).
    The classes hold no state, so one per header name serves every message.
    """

    def __init__(self):
        super().__init__()
        self._made: dict[str, type] = {}
        # Every Subject is written by the site, the organisation in it encoded already (answer_headers.py).
        self.map_to_type("subject", answer_headers.SiteWritten)

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


# Lines over 78 characters are folded, and a header value with a line break is refused rather than sent.
POLICY = email.policy.SMTP.clone(raise_on_defect=True, max_line_length=78, header_factory=_HeaderClasses())
_SUBJECT_ORGANISATION = 120


def _message_id(reference: str, channel: str, mail_from: str) -> str:
    # The same for every attempt: a receiver that sees one twice (a resend after a crash) can tell.
    return f"<{reference}.{channel}@{mail_from.rpartition('@')[2]}>"


def _answers(record: dict, labels: dict[str, str]) -> list[str]:
    lines = []
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    for name, value in fields.items():
        label = labels.get(name) or name.replace("_", " ")
        if isinstance(value, bool):
            value = "yes" if value else "no"
        text = str(value)
        if "\n" in text:
            lines.append(f"{label}")
            lines += [f"    {line}".rstrip() for line in text.split("\n")]
        else:
            lines.append(f"{label}: {text}")
    return lines


def operator_mail(record: dict, *, to: tuple[str, ...], mail_from: str, labels: dict[str, str]) -> EmailMessage:
    """The operator's notification: every answer, the note the prospect came from, and the commands to act."""
    reference = record["reference"]
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    message = EmailMessage(policy=POLICY)
    message["Subject"] = answer_headers.subject(
        f"Proposal request {reference} from",
        fields.get("organisation"),
        _SUBJECT_ORGANISATION,
        missing="an unnamed organisation",
    )
    message["From"] = mail_from
    message["To"] = ", ".join(to)
    reply_to = answer_headers.address(fields.get("email"))
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = _message_id(reference, "mail", mail_from)
    came_from = record.get("from") or "the intake page itself (no note)"
    body = [
        f"A request for a proposal arrived at {record.get('received', '?')}.",
        "",
        f"Reference: {reference}",
        f"Came from: {came_from}",
        "",
        *_answers(record, labels),
        "",
        f"See it:      impart proposals show {reference}",
        f"Move it on:  impart proposals mark {reference} in-review",
        "Reply to this mail to answer the prospect." if reply_to is not None else "",
    ]
    message.set_content("\n".join(body).rstrip() + "\n")
    return message


def acknowledgement_mail(record: dict, *, mail_from: str, contact: str) -> EmailMessage | None:
    """The prospect's receipt: their reference and what happens next, no answer echoed; None without an address."""
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    to = answer_headers.address(fields.get("email"))
    if to is None:
        return None
    reference = record["reference"]
    message = EmailMessage(policy=POLICY)
    message["Subject"] = f"We have your request for a proposal ({reference})"
    message["From"] = mail_from
    message["To"] = to
    if mail_address(contact) is not None:
        message["Reply-To"] = contact
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = _message_id(reference, "acknowledge", mail_from)
    message.set_content(
        "\n".join(
            [
                "Thank you: your request for a proposal has reached us.",
                "",
                f"Your reference is {reference}. Please quote it if you write to us about this request.",
                "",
                "What happens next: a consultant reads every request and replies to this address,",
                "usually within two working days, to arrange a short call or to set out a written proposal.",
                "",
                f"If you did not send this request, reply to this mail or write to {contact} and we will delete it.",
            ]
        )
        + "\n"
    )
    return message
