"""A damaged outbox entry is set aside, named once, and stops nothing.

Each damage an attacker or a bad copy can leave in `.state/outbox/pending/`
(`[]`, a string where a number goes, 1e400, "inf", a symbolic link, a huge
file, bytes that are not JSON) is put in front of the real sender pass,
`impart proposals outbox`, `impart proposals notify` and /healthz, with a
real webhook receiver on 127.0.0.1. The other proposal's notification goes
out in the same pass, the damaged one is logged once, listed, and its
proposal still notified once from a fresh entry.
"""

from __future__ import annotations

import json
import logging

import pytest
from werkzeug.test import Client

from impart.intake.notifier import notifications_for
from impart.intake.storage import ProposalStore
from tests.helpers.form import LOCAL
from tests.helpers.mail_and_webhook import SECRET, wait_until, webhook_receiver
from tests.helpers.site import PROJECT
from tests.helpers.workflow import NOV, run

DAMAGES = {
    "a JSON list": b"[]",
    "a string where a count goes": b'{"attempts": "three", "next_attempt": 0}',
    "1e400": b'{"attempts": 1, "next_attempt": 1e400}',
    "a count of 1e400": b'{"attempts": 1e400}',
    '"inf"': b'{"attempts": 1, "next_attempt": "inf"}',
    "not JSON": b"\xff\xfe{",
    "a symbolic link": None,
    "a huge file": b"{" + b" " * (8 * 1024 * 1024) + b"}",
}
REASONS = {
    "a JSON list": "a JSON list, not an object",
    "a string where a count goes": 'attempts is "three", not a count',
    "1e400": "next_attempt is inf, not a time",
    "a count of 1e400": "attempts is inf, not a count",
    '"inf"': 'next_attempt is "inf", not a time',
    "not JSON": "not JSON",
    "a symbolic link": "a symbolic link, not an entry",
    "a huge file": "8388610 bytes, more than an entry holds",
}


@pytest.fixture
def outbox_with_damage(tmp_path, request):
    """Two proposals owing a webhook; the first one's entry damaged as the test's parameter says."""
    damage = request.param
    folder = tmp_path / "proposals"
    with webhook_receiver() as hook:
        secret = tmp_path / "secret"
        secret.write_text(SECRET)
        overrides = {"webhook": hook.url, "webhook_secret_file": str(secret)}
        store = ProposalStore(folder, clock=lambda: NOV)
        store.prepare()
        notifications = notifications_for(store, {}, contact="site@impart.example", labels={}, overrides=overrides)
        notifications.outbox.on_enqueue = None  # the test runs each pass itself
        values = {"name": "Ada", "organisation": "Engines Ltd", "email": "a@example.com"}
        damaged, sound = (
            store.save(values, version=1, came_from="/field-notes/x/", fingerprint=f"damage-{n}").reference
            for n in range(2)
        )
        entry = notifications.outbox.pending_dir / f"{damaged}.webhook"
        if DAMAGES[damage] is None:
            elsewhere = tmp_path / "elsewhere.json"
            elsewhere.write_text('{"attempts": 0}')
            entry.unlink()
            entry.symlink_to(elsewhere)
        else:
            entry.write_bytes(DAMAGES[damage])
        yield notifications, hook, damaged, sound, damage, overrides
        notifications.close()


@pytest.mark.parametrize("outbox_with_damage", list(DAMAGES), indirect=True)
def test_a_damaged_entry_stops_no_pass_and_is_logged_once(outbox_with_damage, caplog):
    notifications, hook, damaged, sound, _, _ = outbox_with_damage
    with caplog.at_level(logging.INFO, logger="impart.notify"):
        first = notifications.send_now(force=True)
        second = notifications.send_now(force=True)
    assert (first.sent, first.damaged) == (1, 1)  # the sound one went in the pass that met the damage
    assert (second.sent, second.damaged) == (1, 0)  # the damaged one's proposal, from a fresh entry
    assert wait_until(lambda: len(hook.accepted()) == 2, seconds=5)
    assert sorted(d.headers["impart-delivery"] for d in hook.accepted()) == sorted([damaged, sound])
    logged = [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert len(logged) == 1 and logged[0].startswith(f"notification {damaged}.webhook: outbox entry damaged (")
    assert (notifications.outbox.damaged_dir / f"{damaged}.webhook").is_symlink() or (
        notifications.outbox.damaged_dir / f"{damaged}.webhook"
    ).is_file()


@pytest.mark.parametrize("outbox_with_damage", list(DAMAGES), indirect=True)
def test_outbox_and_notify_name_the_damage_without_a_traceback(outbox_with_damage, capsys):
    notifications, hook, damaged, sound, damage, overrides = outbox_with_damage
    folder = str(notifications.outbox.store.root)
    code, out, err = run(capsys, "outbox", "--proposals", folder)
    assert code == 0 and err == ""
    row = next(line for line in out.splitlines() if line.startswith(damaged))
    assert " damaged " in row and REASONS[damage][:40] in row
    assert "1 damaged entry, not sent as they stand;" in out

    code, out, err = run(capsys, "outbox", "--json", "--proposals", folder)
    listed = {(e["reference"], e["state"]): e for e in json.loads(out)}
    assert code == 0 and listed[(damaged, "damaged")]["last_error"].startswith(REASONS[damage])
    assert (sound, "pending") in listed

    notify = ["notify", "--notify-webhook", overrides["webhook"], "--webhook-secret-file",
              overrides["webhook_secret_file"], "--proposals", folder]  # fmt: skip
    code, out, err = run(capsys, *notify)
    assert code == 0 and "Traceback" not in err
    assert out.startswith("sent 1,") and f"1 damaged outbox entry set aside ({damaged}.webhook)" in out
    assert [d.headers["impart-delivery"] for d in hook.accepted()] == [sound]


@pytest.mark.parametrize("outbox_with_damage", ["a symbolic link", "a huge file"], indirect=True)
def test_healthz_names_a_damaged_entry(outbox_with_damage, tmp_path):
    from impart.intake.app import create_app

    notifications, _, damaged, _, _, overrides = outbox_with_damage
    notifications.send_now(force=True)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>")
    app = create_app(PROJECT, origins=LOCAL, site_dir=site, proposals_dir=notifications.outbox.store.root,
                     rate_limit=None, notify=overrides)  # fmt: skip
    try:
        answer = Client(app).get("/healthz", headers={"Host": "localhost"})
    finally:
        app.notifications.close()
    assert answer.status_code == 200
    assert answer.json["outbox"]["damaged"] == [f"{damaged}.webhook"]
