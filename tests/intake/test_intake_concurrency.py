"""Many submissions at once, in threads and through a real `impart serve` process."""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from werkzeug.test import Client

from impart.intake.app import create_app
from impart.intake.storage import REFERENCE
from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT

THREADS = 16
EACH = 10
START_SECONDS = 15


@pytest.mark.load
def test_many_threads_at_once_store_every_acknowledged_submission_once(built_site, tmp_path):
    proposals = tmp_path / "proposals"
    app = create_app(PROJECT, origins=LOCAL, site_dir=built_site.root, proposals_dir=proposals, rate_limit=None)
    start = threading.Barrier(THREADS, timeout=30)

    def worker(thread: int) -> list[str]:
        client = Client(app)
        start.wait()
        references = []
        for n in range(EACH):
            response = post(client, valid_submission(name=f"Sender {thread}-{n}"))
            assert response.status_code == 303, response.status
            references.append(reference_from(response))
        return references

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(worker, t) for t in range(THREADS)]
        acknowledged = [ref for future in futures for ref in future.result(timeout=60)]

    assert len(acknowledged) == THREADS * EACH
    assert len(set(acknowledged)) == len(acknowledged)
    files = sorted(p.name for p in proposals.glob("*.json"))
    assert files == sorted(f"{ref}.json" for ref in acknowledged)
    assert not list(proposals.rglob(".tmp-*"))
    names = {app.store.load(ref)["fields"]["name"] for ref in acknowledged}
    assert names == {f"Sender {t}-{n}" for t in range(THREADS) for n in range(EACH)}


@pytest.fixture
def server(built_site, tmp_path):
    """`impart serve` on a free loopback port, always stopped afterwards; yields (port, proposals folder)."""
    port = free_port()
    proposals = tmp_path / "proposals"
    with running(
        serve_command(built_site.root, proposals, port), port, log=tmp_path / "serve.log", seconds=START_SECONDS
    ):
        yield port, proposals


def request(port: int, method: str, path: str, body: bytes | None = None, headers=None):
    """One request, redirects not followed; returns (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_impart_serve_serves_the_site_and_stores_a_proposal(server):
    port, proposals = server

    status, _, body = request(port, "GET", "/")
    assert status == 200
    assert b"<html" in body.lower()

    submission = urlencode(valid_submission()).encode("ascii")
    headers = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded"}
    status, answer, _ = request(port, "POST", "/request-a-proposal/", submission, headers)
    assert status == 303
    location = answer["Location"]
    assert location.startswith("/request-a-proposal/thanks/?ref="), location
    reference = location.split("?ref=", 1)[1]
    assert REFERENCE.match(reference)
    assert (proposals / f"{reference}.json").is_file()
    assert json.loads((proposals / f"{reference}.json").read_text(encoding="utf-8"))["reference"] == reference

    status, _, body = request(port, "GET", f"/request-a-proposal/thanks/?ref={reference}")
    assert status == 200
    assert reference.encode() in body

    status, _, body = request(port, "GET", "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "outbox": {"pending": 0, "failed": 0, "oldest_pending_seconds": 0}}


def test_impart_serve_refuses_a_cross_origin_post(server):
    port, proposals = server
    submission = urlencode(valid_submission()).encode("ascii")
    headers = {"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}

    status, _, _ = request(port, "POST", "/request-a-proposal/", submission, headers)
    assert status == 403
    assert not list(proposals.glob("*.json"))


@pytest.mark.load
def test_impart_serve_in_two_worker_processes_stores_each_proposal_once_and_stops_cleanly(built_site, tmp_path):
    port = free_port()
    proposals = tmp_path / "proposals"
    command = serve_command(built_site.root, proposals, port, "--workers", "2", "--rate-limit", "1000/60")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
    with running(command, port, log=tmp_path / "serve.log", seconds=START_SECONDS):

        def submit(i):
            status, answer, _ = request(
                port, "POST", "/request-a-proposal/", urlencode(valid_submission(name=f"Worker {i}")).encode(), headers
            )
            return status, answer.get("Location", "")

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(submit, range(24)))
    assert {status for status, _ in answers} == {303}
    references = [location.split("?ref=", 1)[1] for _, location in answers]
    assert all(REFERENCE.match(reference) for reference in references)
    assert len(set(references)) == 24
    assert sorted(p.stem for p in proposals.glob("*.json")) == sorted(references)
    with pytest.raises(OSError):  # no worker outlives the server
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
    # Each worker's log writer flushed before it stopped: one line per request, naming its reference.
    logged = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert sorted(line.rsplit(" ", 1)[1] for line in logged.splitlines() if " 303 " in line) == sorted(references)
