"""Sending the outbox: each channel's transport, and the sender that runs after the prospect has their answer.

The handler only records what is owed (see outbox.py); the sender wakes when a
proposal is stored, and every 30 s for retries and for entries another process
recorded. Under `impart serve` the sender is one idle-priority process
(impart/serve/sender_process.py); under gunicorn or the preview, a thread in each process.
A slow or dead mail server or webhook delays nobody's 303
(tests/intake/test_notify_delivery.py times it). Mail goes by `smtplib` (one session a
pass), the webhook by `impart.intake.webhook` (one kept-alive connection a pass).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from impart.intake.ack_ledger import AckLedger, Verdict
from impart.intake.mail_errors import mail_error
from impart.intake.mail_message import POLICY, acknowledgement_mail, operator_mail
from impart.intake.notify_settings import ACKNOWLEDGE, MAIL, WEBHOOK, NotifySettings, notify_settings
from impart.intake.outbox import Counts, Delivered, Ended, Gone, Outbox
from impart.intake.storage import STATE, ProposalStore
from impart.intake.webhook import TIMEOUT, ConnectionWentStale, DeliveryError, connect, post

log = logging.getLogger("impart.notify")

POLL_SECONDS = 30.0
# After a wake, the thread waits this long so that proposals arriving together go in one pass (one SMTP
# session, one webhook connection) rather than one pass each: under load, sending then costs the request
# threads less.
GATHER_SECONDS = 0.25


class Dispatcher:
    """`dispatcher(reference, channel)` sends one notification or raises DeliveryError (Gone if purged).

    One dispatcher serves one pass: it keeps one SMTP session and one webhook connection through it.
    """

    def __init__(
        self,
        settings: NotifySettings,
        store: ProposalStore,
        *,
        labels: Mapping[str, str],
        contact: str,
        ledger: AckLedger | None = None,
    ):
        self.settings = settings
        self.store = store
        self.ledger = ledger or AckLedger(store.root / STATE, settings.acknowledge_per_hour)
        self.labels = dict(labels)
        self.contact = contact
        self._smtp: smtplib.SMTP | None = None
        self._unreachable = ""  # why connecting or logging in to the mail server failed in this pass, if it did
        self._http = None  # the webhook's connection, kept alive through a pass
        self._refused_for_good = ""  # the 5xx answer the last mail's recipient or content got, if it did

    def __call__(self, reference: str, channel: str) -> None:
        try:
            record = self.store.load(reference)
        except KeyError:
            raise Gone(reference) from None
        settings = self.settings
        if channel == MAIL and settings.operators:
            message = operator_mail(record, to=settings.operators, mail_from=settings.mail_from, labels=self.labels)
            if settings.acknowledge and ACKNOWLEDGE in (record.get("notify") or ()):
                verdict = self._acknowledgement_verdict(record)
                if not verdict.allowed:
                    _add_line(message, f"No acknowledgement was sent to the prospect: {verdict.reason}.")
            self._mail(message, settings.operators, prospect=_prospect(record))
        elif channel == WEBHOOK and settings.webhook:
            self._post(record)
        elif channel == ACKNOWLEDGE and settings.acknowledge:
            verdict = self._acknowledgement_verdict(record)
            if not verdict.allowed:
                raise Ended(f"acknowledge: skipped: {verdict.reason}")
            message = acknowledgement_mail(record, mail_from=settings.mail_from, contact=self.contact)
            if message is None:
                raise Ended("acknowledge: the proposal has no usable mail address; nothing to send")
            try:
                self._mail(message, (str(message["To"]),), prospect=_prospect(record))
            except DeliveryError as error:
                if self._refused_for_good:
                    # The relay will never take this address: trying for 3 days would only keep /healthz
                    # and cron's `notify` alarmed. The operator's own mail keeps its retries. The error line
                    # already names the refusal without the address (it is the prospect's).
                    raise Ended(f"{error}; refused for good, so not retried") from None
                raise
        else:
            raise DeliveryError(f"{channel}: this channel is no longer set; set it again (see README, Notifications)")

    def _acknowledgement_verdict(self, record: dict) -> Verdict:
        fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
        return self.ledger.decide(record["reference"], fields.get("email"))

    def _post(self, record: dict) -> None:
        fresh = self._http is None
        if fresh:
            self._http = connect(self.settings.webhook)
        try:
            post(self.settings.webhook, self.settings.webhook_secret, record, connection=self._http)
        except ConnectionWentStale:
            self._http = None
            if fresh:
                raise
            self._post(record)  # the receiver closed the kept connection since the last post: once more, anew
        except DeliveryError:
            self._http = None  # a fresh connection for the next one, whatever state this one is in
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            # The system's CAs (SSL_CERT_FILE's, if set) or smtp_ca_file's, and the host name checked: never
            # unverified, and never falling back to clear text.
            context = ssl.create_default_context(cafile=s.smtp_ca_file or None)
            if s.smtp_tls == "tls":
                connection = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=TIMEOUT, context=context)
            else:
                connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT)
            try:
                if s.smtp_tls == "starttls":
                    connection.starttls(context=context)
                if s.smtp_user:
                    connection.login(s.smtp_user, s.smtp_password)
            except BaseException:
                connection.close()  # a refused login or handshake must not leave the socket open
                raise
            self._smtp = connection
        return self._smtp

    def _mail(self, message, to, *, prospect: str = "") -> None:
        if self._unreachable:
            # One try to connect and log in a pass: a wrong password tried once for each waiting notification
            # would get the account locked by the relay, and a dead server would cost its timeout each time.
            raise DeliveryError(self._unreachable)
        try:
            connection = self._connection()
        except (smtplib.SMTPException, OSError) as error:
            self._unreachable = self._explain(error)
            raise DeliveryError(self._unreachable) from None
        self._refused_for_good = ""
        try:
            # The envelope names the recipients: nothing in the message's headers can add one.
            data = message.as_bytes(policy=POLICY)  # flattened once, with CRLF, as SMTP wants it
            connection.sendmail(self.settings.mail_from, list(to), data)
        except (smtplib.SMTPException, OSError) as error:
            self._refused_for_good = _permanent_refusal(error)
            self.close()
            raise DeliveryError(self._explain(error, prospect)) from None

    def _explain(self, error: Exception, prospect: str = "") -> str:
        s = self.settings
        return mail_error(error, host=s.smtp_host, port=s.smtp_port, user=s.smtp_user, prospect=prospect)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def _prospect(record: dict) -> str:
    """The prospect's address as stored, kept out of every error line the log and the outbox show."""
    fields = record.get("fields") if isinstance(record.get("fields"), dict) else {}
    address = fields.get("email")
    return address if isinstance(address, str) and "@" in address else ""


def _permanent_refusal(error: Exception) -> str:
    """The server's 5xx answer to the recipient or the message ("" for none): the same mail would be refused
    again. A refused sender is the site's own setting (--mail-from) and is left to retry, as is anything at
    the connection."""
    answers = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
    elif isinstance(error, smtplib.SMTPDataError):
        answers = [(error.smtp_code, error.smtp_error)]
    if not answers or any(code < 500 for code, _ in answers):
        return ""
    code, text = answers[0]
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}"[:200]


def _add_line(message, line: str) -> None:
    """Add a line of the site's own text at the end of a mail's plain-text body."""
    message.set_content(message.get_content().rstrip("\n") + "\n\n" + line + "\n")


@dataclass
class Notifications:
    """The outbox of one proposals folder, what sends it, and the sending thread of this process."""

    settings: NotifySettings
    outbox: Outbox
    labels: dict = field(default_factory=dict)
    contact: str = ""
    poll: float = POLL_SECONDS
    _wake: threading.Event = field(init=False, default_factory=threading.Event)
    _started_in: int = field(init=False, default=0)
    _start_lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _closed: bool = field(init=False, default=False)
    _wake_fd: int | None = field(init=False, default=None)  # the sending process's pipe, under `impart serve`

    def __post_init__(self):
        self.outbox.channels = self.settings.channels
        self.outbox.on_enqueue = self.wake
        self.outbox.store.outbox = self.outbox  # each new proposal records and indexes what it owes

    def dispatcher(self) -> Dispatcher:
        return Dispatcher(self.settings, self.outbox.store, labels=self.labels, contact=self.contact)

    def send_now(self, *, force: bool = False, until: float | None = None) -> Delivered:
        """One pass over the outbox in this thread (what `impart proposals notify` and the thread run)."""
        dispatcher = self.dispatcher()
        try:
            return self.outbox.deliver(dispatcher, force=force, until=until)
        finally:
            dispatcher.close()

    def counts(self) -> Counts:
        return self.outbox.counts()

    def wake(self) -> None:
        """Have the sender look at the outbox now: the sending process where `impart serve` started one, else
        this process's thread, started on first use in each process (a thread does not survive fork(), so a
        pre-forked or gunicorn worker starts its own)."""
        if not self.settings.channels or self._closed:
            return
        if self._wake_fd is not None:
            try:
                os.write(self._wake_fd, b"!")
                return
            except BlockingIOError:
                return  # the pipe is full: the sender has wakes enough waiting
            except OSError:
                log.error("the sending process is gone; this process sends from a thread instead")
                self._wake_fd = None
        if self._started_in != os.getpid():
            with self._start_lock:
                if self._started_in != os.getpid():
                    self._wake = threading.Event()
                    threading.Thread(target=self._run, name="impart-notify", daemon=True).start()
                    self._started_in = os.getpid()
        self._wake.set()

    def _run(self) -> None:
        def woken(timeout: float) -> bool:
            was_woken = self._wake.wait(timeout)
            if was_woken:
                time.sleep(GATHER_SECONDS)
            self._wake.clear()
            return was_woken

        self.serve_outbox(woken)

    def serve_outbox(self, woken: Callable[[float], bool | None]) -> None:
        """Remake what a crash lost, then make a pass each time `woken(poll)` returns (woken or timed out),
        until it returns None or `close()` is called."""
        try:
            self.outbox.recover()
        except OSError as error:
            log.error("the outbox could not be checked after a restart: %s", error)
        while not self._closed:
            if woken(self.poll) is None or self._closed:
                break
            try:
                self.send_now()
            except Exception:  # the sender must outlive any one bad pass; the entries stay pending
                log.exception("the outbox pass failed; it is tried again in %ds", self.poll)

    def close(self) -> None:
        """Stop this process's sending thread after its current send (what is left stays pending)."""
        self._closed = True
        self._wake.set()


def notifications_for(
    store: ProposalStore,
    extra: Mapping,
    *,
    contact: str,
    labels: Mapping[str, str],
    overrides: Mapping | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Notifications:
    """The notifications of a proposals folder, set from mkdocs.yml's `extra`, then `overrides`, then the
    environment; raises NotifySettingsError for a setting that cannot work."""
    settings = notify_settings(extra, overrides, environ, contact=contact)
    outbox = Outbox(store)
    outbox.prepare()
    if settings.acknowledge:
        AckLedger(store.root / STATE, settings.acknowledge_per_hour).prepare()
    return Notifications(settings, outbox, labels=dict(labels), contact=contact)
