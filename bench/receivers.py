"""Receivers for bench/intake.py's notifications: aiosmtpd and an HTTP webhook receiver, on 127.0.0.1.

    python bench/receivers.py SMTP_PORT WEBHOOK_PORT

Counts every mail and every webhook by the proposal's reference; on SIGTERM prints one JSON line
{"mails": N, "webhooks": N, "mail_duplicates": N, "webhook_duplicates": N} and exits.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

mails: Counter = Counter()
webhooks: Counter = Counter()
lock = threading.Lock()


class Mails:
    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        subject = next(
            (line for line in envelope.original_content.split(b"\r\n") if line.startswith(b"Subject: ")), b""
        )
        words = subject.split(b" ")  # Subject: Proposal request REF from ...
        with lock:
            mails[words[3] if len(words) > 3 else b"?"] += 1
        return "250 Message accepted"


class Webhooks(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            webhooks[self.headers.get("Impart-Delivery", "?")] += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> int:
    smtp_port, hook_port = int(sys.argv[1]), int(sys.argv[2])
    # They stand for a mail server and a webhook receiver on other machines: here they take only the CPU
    # the servers under test leave, and bench/intake.py prints how much they used.
    os.nice(19)
    controller = Controller(Mails(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    server = ThreadingHTTPServer(("127.0.0.1", hook_port), Webhooks)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait(3600)  # bounded: the bench stops it long before
    controller.stop()
    server.shutdown()
    with lock:
        summary = {
            "mails": sum(mails.values()),
            "webhooks": sum(webhooks.values()),
            "mail_duplicates": sum(n - 1 for n in mails.values() if n > 1),
            "webhook_duplicates": sum(n - 1 for n in webhooks.values() if n > 1),
        }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
