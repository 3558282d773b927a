"""`impart serve` facing the internet: a thousand trickling clients neither starve others nor stay for ever."""

from __future__ import annotations

import contextlib
import http.client
import resource
import socket
import time
from urllib.parse import urlencode

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.servers import free_port, running, serve_command

TRICKLERS = 1000
ANSWER_WITHIN = 2.0  # seconds, for /healthz and a submission while the tricklers hold their connections
REQUEST_TIMEOUT = 3  # the deadline the server is started with, short to keep the test short


@pytest.fixture
def descriptors():
    """Room in this process for the tricklers' sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = TRICKLERS + 200
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"this process may open {hard} files; the test needs {needed}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def timed(port: int, method: str, path: str, body: str = "", headers=None) -> tuple[int, float]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_WITHIN + 3)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def trickle(sockets: list[socket.socket], byte: bytes) -> int:
    """Send one byte on each socket; returns how many the server has closed."""
    closed = 0
    for sock in sockets:
        try:
            sock.send(byte)
        except OSError:
            closed += 1
    return closed


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""  # an orderly close, with nothing sent
    except BlockingIOError:
        return False
    except OSError:
        return True  # reset


@pytest.mark.load
def test_a_thousand_trickling_clients_neither_starve_others_nor_outlive_the_deadline(built_site, tmp_path, descriptors):
    port = free_port()
    command = serve_command(
        built_site.root, tmp_path / "proposals", port, "--request-timeout", str(REQUEST_TIMEOUT), "--threads", "4"
    )
    with running(command, port, log=tmp_path / "serve.log"), contextlib.ExitStack() as stack:
        sockets = []
        for _ in range(TRICKLERS):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            sock.send(b"G")  # each begins a request, and never finishes it
            sockets.append(sock)
        opened = time.monotonic()
        trickle(sockets, b"E")

        health, health_took = timed(port, "GET", "/healthz")
        body = urlencode(valid_submission())
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
        submitted, submit_took = timed(port, "POST", "/request-a-proposal/", body, headers)

        assert (health, submitted) == (200, 303)
        assert health_took < ANSWER_WITHIN and submit_took < ANSWER_WITHIN, (health_took, submit_took)
        assert time.monotonic() - opened < REQUEST_TIMEOUT, "the check must run while the tricklers are still held"

        # Trickling more is no use: each request's deadline runs from its first byte, not its last.
        for sock in sockets:
            sock.setblocking(False)
        deadline = opened + REQUEST_TIMEOUT + 4
        while time.monotonic() < deadline and not all(closed_by_server(s) for s in sockets[:: TRICKLERS // 20]):
            trickle(sockets, b"T")
            time.sleep(0.5)
        still_open = sum(not closed_by_server(s) for s in sockets)
        assert still_open == 0, f"{still_open} trickling connections outlived the {REQUEST_TIMEOUT}s deadline"
