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

from .conftest import free_port

SECRET = "test-signing-secret"


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    raw: bytes


@dataclass
class MailServer:
    port: int
    received: list[Mail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.received.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.original_content))
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(mail.message["Subject"]) for mail in self.received]


@contextlib.contextmanager
def mail_server(port: int | None = None):
    """aiosmtpd on 127.0.0.1 for the length of the block; yields a MailServer that collects what arrives."""
    server = MailServer(port or free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port, decode_data=False)
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
