"""`impart serve` refuses a request with two framings (Content-Length and Transfer-Encoding) and closes."""

from __future__ import annotations

import socket
from urllib.parse import urlencode

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.servers import free_port, running, serve_command


@pytest.fixture(scope="module")
def server(built_site, tmp_path_factory):
    port = free_port()
    proposals = tmp_path_factory.mktemp("framing") / "proposals"
    with running(serve_command(built_site.root, proposals, port), port):
        yield port, proposals


def exchange(port: int, request: bytes) -> tuple[bytes, bool]:
    """What the server answers, and whether it then closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                return answer, True
            answer += chunk
        sock.settimeout(2)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
            return answer, True
        except TimeoutError:
            return answer, False


def smuggling(version: str, port: int) -> bytes:
    body = urlencode(valid_submission()).encode()
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    head = (
        f"POST /request-a-proposal/ {version}\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + chunked


@pytest.mark.parametrize("version", ["HTTP/1.1", "HTTP/1.0"])
def test_content_length_with_transfer_encoding_is_400_and_closed(server, version):
    port, proposals = server

    answer, closed = exchange(port, smuggling(version, port))

    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == b"400", answer[:200]
    assert closed
    assert not list(proposals.glob("*.json"))


def test_a_chunked_request_alone_is_taken(server):
    port, proposals = server
    request = smuggling("HTTP/1.1", port).replace(b"Content-Length", b"X-Length")

    answer, _ = exchange(port, request)

    assert answer.startswith(b"HTTP/1.1 303 ")
    assert len(list(proposals.glob("*.json"))) == 1
