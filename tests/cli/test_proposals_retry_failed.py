"""`impart proposals notify --retry-failed [REF ...]`: a notification failed for good is sent again, exactly once.

A proposal's mail fails for good through the real sender (a mail server that is not there, past the 3-day
window); the operator sees it in `impart proposals outbox`, retries it while the server is still down (it
goes back to failed, exit 1), then once it is up: one mail, however many retry runs, two of them at once
included. A reference that cannot be retried is one line naming it, exit 2, and nothing is written.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
from werkzeug.test import Client

from impart.intake.app import create_app
from impart.intake.notifier import Dispatcher
from impart.intake.notify_settings import notify_settings
from impart.intake.outbox import RETRY_WINDOW, Outbox
from impart.intake.storage import ProposalStore
from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.handler import post, reference_from
from tests.helpers.mail_and_webhook import mail_server
from tests.helpers.servers import free_port
from tests.helpers.site import PROJECT, impart, run_env

OPERATOR = "ops@impart.example"
SENDER = "site@impart.example"


@pytest.fixture
def failed_for_good(make_app, tmp_path):
    """A stored proposal whose mail has failed for good, and the port its mail server will listen on."""
    port = free_port()
    app = make_app(notify={"email": [OPERATOR], "mail_from": SENDER, "smtp_host": "127.0.0.1", "smtp_port": port})
    app.notifications.close()  # this test's passes are its own
    reference = reference_from(post(Client(app), valid_submission()))
    later = Outbox(app.store, clock=lambda: time.time() + RETRY_WINDOW + 60)  # the 3 days have gone by
    dispatcher = app.notifications.dispatcher()
    try:
        assert later.deliver(dispatcher, force=True).failed == 1  # nothing listens on the port
    finally:
        dispatcher.close()
    return tmp_path / "proposals", reference, port


def notify_options(folder, port) -> list[str]:
    return ["--notify-email", OPERATOR, "--mail-from", SENDER, "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
            "--proposals", str(folder)]  # fmt: skip


def outbox(folder) -> list[dict]:
    listing = impart("proposals", "outbox", "--json", "--proposals", str(folder), cwd=PROJECT)
    assert listing.returncode == 0, listing.stderr
    return json.loads(listing.stdout)


def test_a_failed_notification_is_sent_again_exactly_once(failed_for_good):
    folder, reference, port = failed_for_good
    [entry] = outbox(folder)
    assert (entry["reference"], entry["state"]) == (reference, "failed")
    shown = impart("proposals", "outbox", "--proposals", str(folder), cwd=PROJECT).stdout
    assert "notify --retry-failed [REF ...] sends the failed again" in shown

    plain = impart("proposals", "notify", *notify_options(folder, port), cwd=PROJECT)
    assert plain.returncode == 0 and outbox(folder)[0]["state"] == "failed"  # notify alone leaves failed ones be

    with mail_server(port) as smtp:
        command = [sys.executable, "-m", "impart", "proposals", "notify", "--retry-failed", reference.lower()]
        runs = [
            subprocess.Popen([*command, *notify_options(folder, port)], cwd=PROJECT, env=run_env(), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]  # fmt: skip
        results = [(run.wait(timeout=60), *run.communicate()) for run in runs]
        again = impart("proposals", "notify", "--retry-failed", *notify_options(folder, port), cwd=PROJECT)
        time.sleep(0.2)  # a second copy would arrive by now
        subjects = smtp.subjects()

    assert subjects == [f"Proposal request {reference} from Analytical Engines Ltd"]
    for code, _, stderr in results:
        # A run that checks after the other took it says "none of its notifications has failed".
        assert code in (0, 2), stderr
    assert sum(int(n) for _, stdout, _ in results for n in re.findall(r"^sent (\d+),", stdout, re.M)) == 1
    assert again.returncode == 0 and "sent 0," in again.stdout
    assert outbox(folder) == []  # nothing pending, nothing failed
    assert (folder / ".state" / "outbox" / "sent" / f"{reference}.mail").exists()


def test_past_the_window_a_retried_notification_that_fails_again_is_failed_again(failed_for_good, built_site):
    folder, reference, port = failed_for_good
    later = Outbox(ProposalStore(folder), clock=lambda: time.time() + RETRY_WINDOW + 120)
    assert later.retry_failed(later.failed_names()) == 1
    assert [(e.state, e.attempts) for e in later.entries()] == [("pending", 1)]
    assert later.retry_failed([f"{reference}.mail"]) == 0  # taken already: nothing to move
    settings = notify_settings({}, {"email": [OPERATOR], "mail_from": SENDER, "smtp_host": "127.0.0.1",
                                    "smtp_port": port}, {})  # fmt: skip
    dispatcher = Dispatcher(settings, later.store, labels={}, contact=SENDER)
    try:
        assert later.deliver(dispatcher, force=True).failed == 1  # still nothing on the port
    finally:
        dispatcher.close()
    assert [(e.state, e.attempts) for e in later.entries()] == [("failed", 2)]


def tree(folder) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def test_retry_failed_while_the_server_is_still_down_exits_1_and_keeps_it_then_sends_it_once(failed_for_good):
    folder, reference, port = failed_for_good
    still_down = impart("proposals", "notify", "--retry-failed", *notify_options(folder, port), cwd=PROJECT)
    assert still_down.returncode == 1
    assert still_down.stdout.startswith("1 failed notification(s) moved back to pending")
    [entry] = outbox(folder)
    # This proposal is minutes old in truth: inside the window, it waits for its next try like any other.
    assert (entry["state"], entry["attempts"]) == ("pending", 2)
    assert "Connection refused; check --smtp-host and --smtp-port" in entry["last_error"]
    with mail_server(port) as smtp:
        result = impart("proposals", "notify", *notify_options(folder, port), cwd=PROJECT)
        time.sleep(0.2)
    assert result.returncode == 0 and result.stdout.startswith("sent 1,"), result.stderr
    assert [reference in subject for subject in smtp.subjects()] == [True]


BAD = [
    ("20261130", "20261130: not a reference (like 20261130-120000-ABCDEF); see impart proposals outbox"),
    ("20261130\x1b[2J", "20261130\\x1b[2J: not a reference"),
    ("20200101-000000-ABCDEF", "20200101-000000-ABCDEF: no proposal with this reference in "),
    ("pending", ": none of its notifications has failed; impart proposals outbox lists those that have"),
]


@pytest.mark.parametrize(("given", "error"), BAD, ids=["short", "control", "unknown", "not-failed"])
def test_a_reference_that_cannot_be_retried_exits_2_and_writes_nothing(built_site, failed_for_good, given, error):
    folder, reference, port = failed_for_good
    if given == "pending":  # a second proposal, whose mail is pending, not failed
        app = create_app(PROJECT, site_dir=built_site.root, proposals_dir=folder, origins=LOCAL, rate_limit=None)
        given = reference_from(post(Client(app), valid_submission(name="Another")))
        Outbox(app.store).enqueue(given, ["mail"])
    before = tree(folder)
    with mail_server(port) as smtp:
        result = impart("proposals", "notify", "--retry-failed", reference, given, *notify_options(folder, port),
                        cwd=PROJECT)  # fmt: skip
        time.sleep(0.1)
    assert result.returncode == 2
    assert error in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stdout == "" and smtp.received == []
    assert tree(folder) == before
