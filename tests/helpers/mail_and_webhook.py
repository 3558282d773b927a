"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP webhook receiver."""

from __future__ import annotations

import contextlib
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers.servers import free_port

SECRET = "test-signing-secret"


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    raw: bytes
    over_tls: bool = False  # the session was encrypted (STARTTLS or implicit TLS) when the mail came
    login: str | None = None  # who the session had logged in as, if anyone


def _over_tls(server, session) -> bool:
    """Whether the session is encrypted: aiosmtpd sets `session.ssl` after STARTTLS only, so implicit TLS is
    read from the transport."""
    return session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None


@dataclass
class Login:
    """One AUTH attempt the server saw."""

    mechanism: str
    login: str
    password: str
    over_tls: bool


@dataclass
class MailServer:
    port: int
    received: list[Mail] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)
    credentials: tuple[str, str] | None = None  # the one login the server accepts, when it asks for one
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        mail = Mail(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.original_content)
        mail.over_tls, mail.login = _over_tls(server, session), login
        with self.lock:
            self.received.append(mail)
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):  # aiosmtpd's authenticator
        seen = Login(mechanism, auth_data.login.decode(), auth_data.password.decode(), _over_tls(server, session))
        with self.lock:
            self.logins.append(seen)
        accepted = (seen.login, seen.password) == self.credentials
        return AuthResult(success=accepted, handled=False, auth_data=auth_data if accepted else None)

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(mail.message["Subject"]) for mail in self.received]


class _Controller(Controller):
    """aiosmtpd's controller, which on stopping also drops the sessions still open: a sender that has not yet
    said QUIT to a TLS session is otherwise left to the garbage collector, whose ResourceWarning then fails
    whichever later test it lands in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = []

    def factory(self):
        session = super().factory()
        self.sessions.append(session)
        return session

    def cancel_tasks(self, stop_loop: bool = True):  # stop() runs it on the server's loop
        for session in self.sessions:
            if session.transport is not None:
                session.transport.abort()  # closes the socket at once; a TLS close would wait for the peer
        super().cancel_tasks(stop_loop)


@contextlib.contextmanager
def mail_server(port: int | None = None, *, starttls=None, implicit_tls=None, credentials=None, **smtp_options):
    """aiosmtpd on 127.0.0.1 for the length of the block; yields a MailServer that collects what arrives.

    `starttls`: an ssl.SSLContext the server offers STARTTLS with (and then requires before MAIL and AUTH);
    `implicit_tls`: one it speaks TLS with from the first byte (port 465's way); `credentials`: the
    (user, password) it then requires. `smtp_options` go to aiosmtpd's SMTP as they are.
    """
    server = MailServer(port or free_port(), credentials=credentials)
    options = {"decode_data": False}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True, auth_require_tls=True)
    if credentials is not None:
        options.update(authenticator=server.authenticate, auth_required=True)
    if implicit_tls is not None:
        # The whole session is TLS, but aiosmtpd counts only STARTTLS as such: it offers AUTH only when told
        # not to require TLS for it (and then warns if AUTH is required, so it is left optional).
        options.update(ssl_context=implicit_tls, auth_require_tls=False, auth_required=False)
    options.update(smtp_options)
    controller = _Controller(server, hostname="127.0.0.1", port=server.port, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class Delivery:
    headers: dict
    body: bytes
    status: int


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        hook = self.server.hook
        with hook.lock:
            status = hook.statuses.pop(0) if hook.statuses else 200
            hook.deliveries.append(Delivery({k.lower(): v for k, v in self.headers.items()}, body, status))
        if hook.delay:
            time.sleep(hook.delay)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # quiet: the tests read the deliveries instead
        pass


@dataclass
class WebhookReceiver:
    port: int
    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once they run out
    deliveries: list[Delivery] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/proposals"

    def accepted(self) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if 200 <= d.status < 300]


@contextlib.contextmanager
def webhook_receiver(port: int | None = None, statuses=()):
    """An HTTP server on 127.0.0.1 that records each POST and answers `statuses` in turn, then 200."""
    hook = WebhookReceiver(port or free_port(), statuses=list(statuses))
    server = ThreadingHTTPServer(("127.0.0.1", hook.port), _Receiver)
    server.daemon_threads = True
    server.hook = hook
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def wait_until(condition, seconds: float = 20, step: float = 0.05) -> bool:
    """Poll `condition` until true or `seconds` pass; returns whether it came true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
