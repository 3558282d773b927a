"""Answers in mail headers: the one way a prospect's text reaches a header, written so that it stays text.

Two answers reach a header, in any mail the site sends: the organisation, in the
operator's Subject, and the prospect's address, as the operator's Reply-To and
the acknowledgement's To. Python's header registry decodes RFC 2047 encoded
words in any value it is given, and some patch levels then write the decoded
text out again as it is: an organisation typed as
`=?utf-8?q?Acme=0D=0ABcc:_x@example.org?=` arrived as a real `Bcc:` header, a
base64 word could end the headers and put HTML in the body, and NUL or U+202E
reached the Subject though the form refuses them when typed.

So no answer is ever handed to that parser, whatever the interpreter's patch
level: `subject()` folds the answer onto one line, shows control and
bidirectional characters as escapes (operator_text.shown), and encodes it
itself as UTF-8 base64 encoded words, which a mail reader decodes back to
exactly what was typed, `=?` and all, and never further. `SiteWritten` then
keeps that ASCII value as written (it refuses anything but printable ASCII) and
folds it at its spaces, so the registry never parses or re-encodes it. An
address reaches a header only as one plain address (notify_settings.mail_address)
without `=?`, so there is no encoded word in it to decode.
tests/intake/test_notify_mail_headers.py sends encoded-word payloads in every such
answer through a real SMTP server and parses what arrives.
"""

from __future__ import annotations

import base64
from email.headerregistry import Address

from impart.intake.notify_settings import mail_address
from impart.intake.operator_text import one_line, shown

# An encoded word is at most 75 characters (RFC 2047): `=?utf-8?b?` and `?=` leave 63 for base64, that is 45
# bytes of UTF-8, and a word holds whole characters only.
_WORD_BYTES = 45
_LINE = 78  # folded lines stay within this, as the rest of the message's


class SiteWritten:
    """A header whose value the site wrote already encoded: kept and sent as written, never decoded.

    Used through the header registry (mail_message._HeaderClasses): `parse` and `fold` are the hooks
    email.headerregistry documents for a header class.
    """

    max_count = 1

    @classmethod
    def parse(cls, value, kwds) -> None:
        value = str(value)
        if not value.isascii() or not value.isprintable():
            # Only site-written text comes here: anything else is a mistake in the site, not an answer to send.
            raise ValueError(f"a site-written header must be printable ASCII on one line, not {value!r}")
        kwds["parse_tree"] = None
        kwds["decoded"] = value

    def fold(self, *, policy) -> str:
        lines, line = [], f"{self.name}:"
        for word in str(self).split(" "):
            if len(line) + 1 + len(word) > _LINE and not line.endswith(":"):
                lines.append(line)
                line = ""
            line += f" {word}"
        lines.append(line)
        return policy.linesep.join(lines) + policy.linesep


def encoded_words(text: str) -> str:
    """`text` as UTF-8 base64 encoded words separated by spaces (a reader joins them back without the spaces)."""
    words, chunk = [], b""
    for character in text:
        data = character.encode("utf-8", "replace")
        if len(chunk) + len(data) > _WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += data
    words.append(chunk)
    return " ".join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words if word)


def subject(site_text: str, answer, limit: int, *, missing: str) -> str:
    """The Subject value: the site's own `site_text`, then the answer on one line as encoded words (or `missing`,
    the site's words, when it is empty). For a SiteWritten header."""
    text = shown(one_line(answer, limit))
    return f"{site_text} {encoded_words(text) if text else missing}"


def address(value) -> Address | None:
    """An answer as the one plain address a header may carry, or None: no display name, no `=?`."""
    found = mail_address(value)
    return None if found is None or "=?" in value else found
