"""What a failed mail means to the operator: one line naming the mail server, what went wrong and what to check.

It is the `last_error` that `impart proposals outbox` shows, so it must say what to do, not only what
smtplib raised: a refused login points at IMPART_SMTP_USER / IMPART_SMTP_PASSWORD, a certificate the
system does not trust at --smtp-ca-file, a TLS mode that does not fit the port at --smtp-tls.
tests/intake/test_notify_tls.py proves the login and certificate cases against a real server.

The line goes to the log and to the outbox, so it carries no answer: the prospect's address, when the
relay refuses it (or echoes it in any reply), is written as "the prospect's address", and the hint for
that refusal names what the operator can change, not --notify-email, which is not the cause.
tests/intake/test_notify_log_privacy.py proves it against a real server that refuses the address.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl

_PROSPECT = "the prospect's address"
# A reply's codes, `550 5.1.1`, without its words, which often repeat the refused address.
_CODES = re.compile(r"\d\.\d{1,3}\.\d{1,3}\b")
_TLS_FITS_PORT = "check --smtp-tls fits the port (starttls on 587, tls on 465)"


def _reply(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
    return f"{error.smtp_code} {' '.join(str(text).split())}".strip()


def _codes(code: int, reply) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    enhanced = _CODES.match(text.strip())
    return f"{code} {enhanced.group()}" if enhanced else str(code)


def mail_error(error: Exception, *, host: str, port: int, user: str, prospect: str = "") -> str:
    """One line for the outbox and the log: `mail via HOST:PORT: what happened; what to check`.

    `prospect` is the prospect's address when the mail carries it (the acknowledgement's recipient, the
    notification's Reply-To): it never appears in the line.
    """
    line = _explained(error, host=host, port=port, user=user, prospect=prospect)
    if prospect:
        line = re.sub(re.escape(prospect), _PROSPECT, line, flags=re.IGNORECASE)
    return line


def _explained(error: Exception, *, host: str, port: int, user: str, prospect: str) -> str:
    where = f"mail via {host}:{port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"{where}: the server refused the login as {user!r} ({error.smtp_code}); "
            "check IMPART_SMTP_USER and IMPART_SMTP_PASSWORD"
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or error.reason or "certificate verify failed"
        return (
            f"{where}: the server's certificate is not trusted (certificate verify failed: {reason}); "
            "nothing was sent; check --smtp-host is the name on it, or if its CA is private, give --smtp-ca-file"
        )
    if isinstance(error, ssl.SSLError):
        return f"{where}: the TLS handshake failed ({error.reason or error}); {_TLS_FITS_PORT}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(error):
            return f"{where}: the server does not offer STARTTLS; {_TLS_FITS_PORT}"
        if "AUTH" in str(error):
            return (
                f"{where}: the server offers no login on this connection; "
                "use --smtp-tls starttls or tls, or unset IMPART_SMTP_USER if it needs none"
            )
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"{where}: the server refused the sender {error.sender!r} ({_reply(error)}); check --mail-from"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        if prospect and prospect.lower() in (address.lower() for address in error.recipients):
            code, reply = next(iter(error.recipients.values()))
            return (
                f"{where}: the server refused {_PROSPECT} ({_codes(code, reply)}), so the acknowledgement "
                "cannot go; if it refuses every address outside your own domain, check it lets --mail-from "
                "(or IMPART_SMTP_USER's login) send out, else the prospect gave an address that does not take mail"
            )
        refused = ", ".join(sorted(error.recipients))
        return f"{where}: the server refused the recipient(s) {refused}; check --notify-email"
    if isinstance(error, ConnectionRefusedError):
        return f"{where}: Connection refused; check --smtp-host and --smtp-port, and that the server runs"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{where}: no answer within the time allowed; check the server and {_TLS_FITS_PORT}"
    if isinstance(error, socket.gaierror):
        return f"{where}: the host name does not resolve ({error.strerror}); check --smtp-host"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{where}: the server answered {_reply(error)}"
    return f"{where}: {error.__class__.__name__}: {' '.join(str(error).split())}"
