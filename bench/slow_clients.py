"""Slow clients against `impart serve`: seconds to answer /healthz and a submission while N connections trickle.

    .venv/bin/python bench/slow_clients.py [--site site] [--clients 500,1000,2000]

Each of N connections sends the first byte of a request and nothing more; then
one client asks for /healthz and posts a valid proposal, each timed. Side by
side: `impart serve` as it ships (connection limit 4,000, a 20 s deadline per
request) and as waitress ran it before (a limit of 1,000 connections and no
deadline). Only 127.0.0.1; every wait is bounded (5 s a request). A benchmark:
it prints figures and never fails on them. Needs a built site (`make build`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_model, free_port  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
ANSWER_WAIT = 5.0
SERVERS = {
    "as shipped": [],
    "as before": ["--connection-limit", "1000", "--request-timeout", "1000000"],
}


def timed(port: int, method: str, path: str, body: str = "", headers=None) -> str:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_WAIT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return f"{time.monotonic() - started:.2f} s ({response.status})"
    except OSError:
        return f"none in {ANSWER_WAIT:g} s"
    finally:
        connection.close()


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"impart serve did not start on 127.0.0.1:{port}")


def measure(site: Path, clients: int, options: list[str]) -> tuple[str, str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as proposals:
        command = [sys.executable, "-m", "impart", "--config", str(PROJECT / "mkdocs.yml"), "serve", "--site",
                   str(site), "--proposals", proposals, "--port", str(port), *options]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(port, process)
            with contextlib.ExitStack() as stack:
                for _ in range(clients):
                    sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
                    sock.send(b"G")
                health = timed(port, "GET", "/healthz")
                body = urllib.parse.urlencode(
                    {
                        "name": "Ada Lovelace", "email": "a@example.com", "organisation": "Engines Ltd",
                        "use_case": "Claims questions.", "operator": "Priya Shah", "cost_line": "Under £25,000",
                        "success_measure": "2 days instead of 5", "rollback": "The shared inbox.",
                        "timeline": "Within a month", "consent": "yes", "from": "/",
                    }
                )  # fmt: skip
                headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
                return health, timed(port, "POST", "/request-a-proposal/", body, headers)
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(PROJECT / "site"), help="the built site (default: site)")
    parser.add_argument("--clients", default="500,1000,2000", help="numbers of trickling connections")
    args = parser.parse_args()
    site = Path(args.site)
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site}: no built site here; run make build first, or pass --site DIR")
    counts = [int(n) for n in args.clients.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, max(counts) + 256)), hard))
    machine = f"{os.cpu_count()} cores · {cpu_model()} · Python {platform.python_version()}"
    print(f"{dt.date.today()} · {platform.node()} · {machine} · load {os.getloadavg()[0]:.2f}")
    print(f"{'trickling':>9}  {'server':10}  {'/healthz':>16}  {'a submission':>16}")
    for count in counts:
        for name, options in SERVERS.items():
            health, submission = measure(site, count, options)
            print(f"{count:>9}  {name:10}  {health:>16}  {submission:>16}", flush=True)


if __name__ == "__main__":
    main()
