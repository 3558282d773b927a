"""A real `impart serve`: killed with SIGKILL under load, and run as two worker processes; no loss, no duplicate."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from impart.intake.webhook import verify
from tests.helpers.form import valid_submission
from tests.helpers.mail_and_webhook import SECRET, mail_server, wait_until, webhook_receiver
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, impart

OPERATOR = "ops@impart.example"
LOAD_THREADS = 6
LOAD_SECONDS = 1.5


def notify_flags(smtp_port: int, hook_port: int) -> list[str]:
    return [
        "--notify-email", OPERATOR, "--mail-from", "site@impart.example",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port),
        "--notify-webhook", f"http://127.0.0.1:{hook_port}/hooks/proposals",
    ]  # fmt: skip


def load(port: int, seconds: float, stop: threading.Event | None = None) -> list[str]:
    """Valid, distinct proposals from several threads until `seconds` pass or `stop`; the references answered 303."""
    acknowledged, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(thread: int):
        for n in range(10_000):
            if time.monotonic() > deadline or (stop and stop.is_set()):
                return
            body = urlencode(valid_submission(name=f"Load {thread}-{n}")).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("POST", "/request-a-proposal/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this request was never acknowledged
            finally:
                connection.close()
            if response.status == 303:
                with lock:
                    acknowledged.append(response.headers["Location"].rsplit("=", 1)[1])

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return acknowledged


def pending_entries(proposals) -> list[str]:
    """The notifications still owed. A kill can leave a `.tmp-` file of an entry being written: no entry
    (the outbox reads past it, and recover() remakes the entry from the proposal and removes the file)."""
    folder = proposals / ".state/outbox/pending"
    return sorted(name for name in os.listdir(folder) if not name.startswith(".tmp-")) if folder.exists() else []


def delivered_once(smtp, hook, references) -> tuple[Counter, Counter]:
    mails = Counter(str(mail.message["Subject"]).split()[2] for mail in smtp.received)
    hooks = Counter(d.headers["impart-delivery"] for d in hook.accepted())
    return mails, hooks


@pytest.mark.load
def test_kill_9_under_load_then_restart_and_notify_notifies_every_acknowledged_proposal_once(
    built_site, tmp_path, monkeypatch
):
    monkeypatch.setenv("IMPART_WEBHOOK_SECRET", SECRET)
    proposals = tmp_path / "proposals"
    smtp_port, hook_port = free_port(), free_port()
    flags = notify_flags(smtp_port, hook_port)
    port = free_port()
    command = serve_command(built_site.root, proposals, port, "--rate-limit", "100000/60", *flags)

    # The receivers are down while the server takes the load and is killed: nothing is sent before the kill,
    # so every notification owed crosses the crash.
    with running(command, port, log=tmp_path / "first.log") as server:
        stop = threading.Event()
        killer = threading.Timer(LOAD_SECONDS / 2, lambda: (os.kill(server.pid, signal.SIGKILL), stop.set()))
        killer.start()
        acknowledged = load(port, LOAD_SECONDS, stop)
        killer.join()
        assert server.wait(timeout=10) == -signal.SIGKILL
    assert len(acknowledged) >= 5, "the load did not get going before the kill"
    stored = {path.stem for path in proposals.glob("*.json")}
    assert set(acknowledged) <= stored
    # The kill can also fall between storing a proposal and indexing what it owes: make that so for a few.
    for reference in sorted(stored)[:3]:
        for entry in (proposals / ".state/outbox/pending").glob(f"{reference}.*"):
            entry.unlink()

    with mail_server(smtp_port) as smtp, webhook_receiver(hook_port) as hook:
        port = free_port()
        command = serve_command(built_site.root, proposals, port, *flags)
        with running(command, port, log=tmp_path / "second.log"):
            notify = impart("proposals", "notify", "--proposals", str(proposals), *flags, cwd=PROJECT)
            assert notify.returncode == 0, notify.stdout + notify.stderr
            assert wait_until(lambda: len(smtp.received) >= len(stored) and len(hook.accepted()) >= len(stored), 60)
            assert wait_until(lambda: not pending_entries(proposals), 60), pending_entries(proposals)
            time.sleep(0.5)  # a duplicate, from the restarted server's sender, would have arrived by now
            mails, hooks = delivered_once(smtp, hook, stored)

    assert set(mails) == set(hooks) == stored  # every stored proposal, so every acknowledged one
    assert set(mails.values()) == {1} and set(hooks.values()) == {1}
    assert all(
        verify(SECRET.encode(), d.headers["impart-signature"], d.headers["impart-delivery"], d.body)
        for d in hook.accepted()
    )
    outbox = json.loads(impart("proposals", "outbox", "--json", "--proposals", str(proposals), cwd=PROJECT).stdout)
    assert outbox == []


@pytest.mark.parametrize("workers", [2])
@pytest.mark.load
def test_two_worker_processes_and_a_cron_notify_send_each_notification_once(built_site, tmp_path, monkeypatch, workers):
    monkeypatch.setenv("IMPART_WEBHOOK_SECRET", SECRET)
    proposals = tmp_path / "proposals"
    with mail_server() as smtp, webhook_receiver() as hook:
        flags = notify_flags(smtp.port, hook.port)
        port = free_port()
        command = serve_command(
            built_site.root, proposals, port, "--rate-limit", "100000/60", "--workers", str(workers), *flags
        )
        with running(command, port, log=tmp_path / "serve.log") as server:
            # Sending is one child process that runs only on CPU left idle; the workers are scheduled as usual.
            assert wait_until(lambda: len(_children(server.pid)) == workers, seconds=10)
            policies = sorted(os.sched_getscheduler(child) for child in _children(server.pid))
            assert policies == sorted([os.SCHED_OTHER] * (workers - 1) + [os.SCHED_IDLE])
            acknowledged = load(port, 1.0)
            # A cron run at the same moment is a third sender over the same outbox.
            notify = impart("proposals", "notify", "--proposals", str(proposals), *flags, cwd=PROJECT)
            assert notify.returncode == 0, notify.stderr
            stored = {path.stem for path in proposals.glob("*.json")}
            assert wait_until(lambda: len(smtp.received) >= len(stored) and len(hook.accepted()) >= len(stored), 60)
            assert wait_until(lambda: not pending_entries(proposals), 60), pending_entries(proposals)
            time.sleep(0.5)
            mails, hooks = delivered_once(smtp, hook, stored)
            status, body = _get(port, "/healthz")

    assert len(acknowledged) >= 10
    assert set(acknowledged) == stored
    assert set(mails) == set(hooks) == stored
    assert set(mails.values()) == {1} and set(hooks.values()) == {1}
    assert status == 200 and json.loads(body)["outbox"] == {"pending": 0, "failed": 0, "oldest_pending_seconds": 0}


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(pid):  # after the name: the state, then the parent's pid
            found.append(int(stat.parent.name))
    return found
