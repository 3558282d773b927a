"""Backups of a real `impart serve` taking submissions and sending mail, restored into a fresh folder and served
again with a real mail server: nothing acknowledged is lost, nothing delivered is delivered again."""

from __future__ import annotations

import http.client
import json
import re
import tarfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.helpers.form import valid_submission
from tests.helpers.mail_and_webhook import mail_server, wait_until
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, impart

THREADS = 4
PAUSE = 0.05  # between one thread's posts: enough proposals to race the backup, few enough to send in seconds
REFERENCE = re.compile(r"\d{8}-\d{6}-[A-HJ-NP-Z2-9]{6}")
OUTBOX = "proposals/.state/outbox"


def mail_flags(smtp_port: int) -> list[str]:
    return [
        "--notify-email", "ops@impart.example", "--mail-from", "site@impart.example",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port),
    ]  # fmt: skip


class Load:
    """Distinct valid proposals posted from several threads until stopped; each 303's reference and when it came."""

    def __init__(self, port: int):
        self.port, self.answered, self.lock, self.stop = port, [], threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._post, args=(n,)) for n in range(THREADS)]

    def _post(self, thread: int) -> None:
        for n in range(100_000):
            if self.stop.is_set():
                return
            body = urlencode(valid_submission(name=f"Backup {thread}-{n}")).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{self.port}"}
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("POST", "/request-a-proposal/", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            if response.status == 303:
                with self.lock:
                    self.answered.append(response.headers["Location"].rsplit("=", 1)[1])
            self.stop.wait(PAUSE)

    def acknowledged(self) -> set[str]:
        with self.lock:
            return set(self.answered)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def mailed(smtp) -> Counter:
    """How many mails each proposal got, by the reference in the Subject."""
    with smtp.lock:
        subjects = [str(mail.message["Subject"]) for mail in smtp.received]
    return Counter(REFERENCE.search(subject).group(0) for subject in subjects)


def outbox_of(archive: Path) -> dict[str, set[str]]:
    """state -> the proposals with a mail entry in that state, as the archive holds them."""
    states: dict[str, set[str]] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for name in tar.getnames():
            if name.startswith(OUTBOX + "/") and name.endswith(".mail"):
                state, entry = name.split("/")[3:5]
                states.setdefault(state, set()).add(entry.removesuffix(".mail"))
    return states


def proposals_in(archive: Path) -> set[str]:
    with tarfile.open(archive, "r:gz") as tar:
        return {
            m.name[len("proposals/") : -len(".json")] for m in tar if re.fullmatch(r"proposals/[^/]+\.json", m.name)
        }


@pytest.mark.load
def test_backups_under_load_restore_to_every_acknowledged_proposal_and_send_each_owed_mail_once(built_site, tmp_path):
    proposals, backups = tmp_path / "proposals", tmp_path / "backups"
    backups.mkdir()
    taken = []  # (archive, acknowledged before it began, mails delivered before it began)
    port = free_port()
    with mail_server() as before_smtp:
        command = serve_command(built_site.root, proposals, port, "--rate-limit", "100000/60",
                                *mail_flags(before_smtp.port))  # fmt: skip
        with running(command, port, log=tmp_path / "serving.log"), Load(port) as load:
            # Two backups at least, and more (up to eight) until one catches mail both owed and sent: whether
            # a mail is still owed at the moment of a backup depends on how quickly this machine sends.
            for n in range(8):
                assert wait_until(lambda n=n: len(load.acknowledged()) >= 10 * (n + 1), 30)
                acknowledged, delivered = load.acknowledged(), set(mailed(before_smtp))
                archive = backups / f"backup-{n}.tar.gz"
                made = impart("proposals", "backup", str(archive), "--proposals", str(proposals), cwd=PROJECT)
                assert (made.returncode, made.stderr) == (0, ""), made.stderr
                taken.append((archive, acknowledged, delivered))
                if n >= 1 and {"pending", "sent"} <= set(outbox_of(archive)):
                    break
            refused = impart("proposals", "restore", str(archive), "--replace", "--proposals", str(proposals),
                             cwd=PROJECT)  # fmt: skip
            assert refused.returncode == 2 and "impart serve is using this folder" in refused.stderr
        delivered_in_all = mailed(before_smtp)
    assert set(delivered_in_all.values()) == {1}  # the serving itself sent each mail once

    for archive, acknowledged, delivered in taken:
        states = outbox_of(archive)
        assert acknowledged <= proposals_in(archive)  # nothing acknowledged before the backup is missing
        assert delivered <= states.get("sent", set())  # and every mail delivered before it is recorded as sent
        assert not states.get("sent", set()) & states.get("pending", set())

    # The last backup, restored into a fresh folder and served with a fresh mail server.
    archive, acknowledged, delivered = taken[-1]
    states = outbox_of(archive)
    assert states.get("pending") and states.get("sent"), f"none of {len(taken)} backups caught mail owed and sent"
    restored = tmp_path / "restored" / "proposals"
    result = impart("proposals", "restore", str(archive), "--proposals", str(restored), cwd=PROJECT)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    with mail_server() as after_smtp:
        port = free_port()
        command = serve_command(built_site.root, restored, port, *mail_flags(after_smtp.port))
        with running(command, port, log=tmp_path / "restored.log"):
            owed = states["pending"]
            assert wait_until(lambda: set(mailed(after_smtp)) >= owed, 90), (len(owed), len(after_smtp.received))
            time.sleep(1.0)  # a second mail of any, or a mail already sent, would have arrived by now
            after = mailed(after_smtp)
    outbox = json.loads(impart("proposals", "outbox", "--json", "--proposals", str(restored), cwd=PROJECT).stdout)

    assert acknowledged <= {path.stem for path in restored.glob("*.json")}
    assert set(after) == owed and set(after.values()) == {1}  # every pending mail exactly once
    assert not set(after) & delivered  # none delivered before the backup is delivered again
    assert set(after) | states["sent"] == proposals_in(archive)  # every proposal's mail: sent, or sent now
    assert outbox == []
