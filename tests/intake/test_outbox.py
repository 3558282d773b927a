"""The outbox's promises, one by one: recorded with the proposal, claimed once, retried on schedule, recovered."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time

import pytest

from impart.intake.outbox import BACKOFF, RETRY_WINDOW, Gone, Outbox, next_delay
from impart.intake.storage import ProposalStore, received_at
from impart.intake.webhook import DeliveryError

CHANNELS = ("mail", "webhook")


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_outbox(tmp_path, clock=time.time) -> Outbox:
    store = ProposalStore(tmp_path / "proposals", clock=clock)
    store.prepare()
    outbox = Outbox(store, CHANNELS, clock=clock)
    outbox.prepare()
    store.outbox = outbox
    return outbox


def save(outbox: Outbox, name: str = "Ada") -> str:
    return outbox.store.save({"name": name}, version=1, came_from="", fingerprint=f"fp-{name}").reference


def test_a_stored_proposal_lists_its_channels_in_its_own_file_and_is_indexed(tmp_path):
    outbox = make_outbox(tmp_path)
    reference = save(outbox)
    assert json.loads((outbox.store.root / f"{reference}.json").read_text())["notify"] == list(CHANNELS)
    assert sorted(p.name for p in outbox.pending_dir.iterdir()) == [f"{reference}.mail", f"{reference}.webhook"]


def test_a_duplicate_submission_and_a_quarantined_one_owe_nothing_more(tmp_path):
    outbox = make_outbox(tmp_path)
    save(outbox)
    save(outbox)  # the same fingerprint within the window: the first one's reference
    outbox.store.quarantine({"name": "spam"}, version=1, came_from="", reason="honeypot filled")
    assert len(list(outbox.pending_dir.iterdir())) == 2


def test_each_entry_is_sent_once_and_then_marked_sent(tmp_path):
    outbox = make_outbox(tmp_path)
    reference = save(outbox)
    sent = []
    done = outbox.deliver(lambda ref, channel: sent.append((ref, channel)))
    again = outbox.deliver(lambda ref, channel: sent.append((ref, channel)), force=True)
    assert sorted(sent) == [(reference, "mail"), (reference, "webhook")]
    assert (done.sent, again.sent) == (2, 0)
    assert outbox.was_sent(reference, "mail") and outbox.was_sent(reference, "webhook")


def test_an_entry_whose_sent_marker_exists_is_dropped_unsent(tmp_path):
    """A crash after the marker and before the entry went: the restart must not send it again."""
    outbox = make_outbox(tmp_path)
    reference = save(outbox)
    (outbox.sent_dir / f"{reference}.mail").write_text("{}")
    sent = []
    done = outbox.deliver(lambda ref, channel: sent.append(channel), force=True)
    assert sent == ["webhook"] and done.dropped == 1


def test_threads_racing_over_the_same_entries_send_each_once(tmp_path):
    outbox = make_outbox(tmp_path)
    references = [save(outbox, f"P{n}") for n in range(20)]
    sent, lock = [], threading.Lock()
    start = threading.Barrier(4)

    def send(reference, channel):
        time.sleep(0.002)  # hold the claim a moment, as a real send does
        with lock:
            sent.append((reference, channel))

    def worker():
        start.wait()
        outbox.deliver(send, force=True)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(sent) == sorted((ref, channel) for ref in references for channel in CHANNELS)


def _deliver_in_a_process(root: str, log: str, start) -> None:
    store = ProposalStore(root)
    outbox = Outbox(store, CHANNELS)
    start.wait()

    def send(reference, channel):
        time.sleep(0.002)
        with open(log, "a") as out:  # O_APPEND: each line lands whole
            out.write(f"{reference}.{channel}\n")

    outbox.deliver(send, force=True)


def test_two_processes_over_the_same_outbox_send_each_once(tmp_path):
    outbox = make_outbox(tmp_path)
    references = [save(outbox, f"P{n}") for n in range(20)]
    log = tmp_path / "sent.log"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    processes = [
        context.Process(target=_deliver_in_a_process, args=(str(outbox.store.root), str(log), start)) for _ in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    lines = log.read_text().split()
    assert sorted(lines) == sorted(f"{ref}.{channel}" for ref in references for channel in CHANNELS)


def test_a_failed_send_is_retried_on_the_schedule_then_failed_after_three_days(tmp_path):
    clock = Clock(time.time())
    outbox = make_outbox(tmp_path, clock)
    outbox.channels = ("mail",)
    reference = save(outbox)
    born = received_at(reference)

    def fail(ref, channel):
        raise DeliveryError("mail via 127.0.0.1:25: ConnectionRefusedError")

    delays, state = [], "pending"
    for _ in range(40):
        done = outbox.deliver(fail)
        entries = outbox.entries()
        if not entries or entries[0].state == "failed":
            state = "failed" if entries else "gone"
            break
        [entry] = entries
        delays.append(round(entry.next_attempt - clock.now))
        assert outbox.deliver(fail).retried == 0, "nothing is tried before its next attempt"
        clock.now = entry.next_attempt
    assert delays[:5] == [60, 300, 1800, 7200, 21600]
    assert set(delays[4:]) == {21600}
    assert state == "failed" and done.failed == 1
    assert clock.now + BACKOFF[-1] > born + RETRY_WINDOW >= clock.now
    [failed] = outbox.entries()
    assert failed.last_error == "mail via 127.0.0.1:25: ConnectionRefusedError" and failed.attempts == len(delays) + 1
    assert outbox.counts().failed == 1 and outbox.counts().pending == 0


@pytest.mark.parametrize(("attempts", "delay"), [(1, 60), (2, 300), (3, 1800), (4, 7200), (5, 21600), (12, 21600)])
def test_the_backoff(attempts, delay):
    assert next_delay(attempts) == delay


def test_a_purged_proposal_s_entry_is_dropped(tmp_path):
    outbox = make_outbox(tmp_path)
    reference = save(outbox)
    (outbox.store.root / f"{reference}.json").unlink()

    def send(ref, channel):
        outbox.store.load(ref)  # raises KeyError, as the dispatcher's load does

    def dispatcher(ref, channel):
        try:
            send(ref, channel)
        except KeyError:
            raise Gone(ref) from None

    done = outbox.deliver(dispatcher, force=True)
    assert done.dropped == 2 and outbox.entries() == []


def test_recovery_remakes_entries_a_crash_lost_and_never_those_already_sent_or_failed(tmp_path):
    outbox = make_outbox(tmp_path)
    lost, sent, failed = (save(outbox, name) for name in ("Lost", "Sent", "Failed"))
    for path in outbox.pending_dir.iterdir():
        path.unlink()  # as if the process died between storing and indexing
    for channel in CHANNELS:
        (outbox.sent_dir / f"{sent}.{channel}").write_text("{}")
        (outbox.failed_dir / f"{failed}.{channel}").write_text("{}")
    assert outbox.recover() == 2
    assert sorted(p.name for p in outbox.pending_dir.iterdir()) == [f"{lost}.mail", f"{lost}.webhook"]
    assert outbox.recover() == 0


def test_counts_name_the_oldest_pending_from_the_reference(tmp_path):
    clock = Clock(time.time())
    outbox = make_outbox(tmp_path, clock)
    save(outbox)
    clock.now += 90
    save(outbox, "Later")
    counts = outbox.counts()
    assert (counts.pending, counts.failed) == (4, 0)
    assert 89 <= counts.oldest_pending_seconds <= 91


def test_forget_drops_every_record_of_a_purged_proposal(tmp_path):
    outbox = make_outbox(tmp_path)
    kept, gone = save(outbox, "Kept"), save(outbox, "Gone")
    outbox.deliver(lambda ref, channel: None)
    save(outbox, "Pending")
    outbox.forget([gone])
    assert not any(
        p.name.startswith(gone) for folder in (outbox.pending_dir, outbox.sent_dir) for p in folder.iterdir()
    )
    assert outbox.was_sent(kept, "mail")


def test_a_pass_over_a_waiting_backlog_opens_none_of_the_entries_not_yet_due(tmp_path, monkeypatch):
    """With the mail server down for hours, each new proposal's pass must not reopen the whole backlog."""
    outbox = make_outbox(tmp_path)
    for n in range(30):
        save(outbox, f"P{n}")

    def fail(ref, channel):
        raise DeliveryError("down")

    assert outbox.deliver(fail).retried == 60
    claimed = []
    real_claim = outbox._claim
    monkeypatch.setattr(outbox, "_claim", lambda name: claimed.append(name) or real_claim(name))
    fresh = save(outbox, "Fresh")
    outbox.deliver(fail)
    assert sorted(claimed) == [f"{fresh}.mail", f"{fresh}.webhook"]


def test_recovery_sweeps_a_temp_file_a_crash_left_mid_reschedule_and_keeps_a_fresh_one(tmp_path):
    import os

    outbox = make_outbox(tmp_path)
    old, fresh = outbox.pending_dir / ".tmp-0a1b2c", outbox.pending_dir / ".tmp-3d4e5f"
    old.write_text("{}")
    fresh.write_text("{}")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    outbox.recover()
    assert not old.exists() and fresh.exists()


def test_a_file_named_like_a_proposal_with_a_date_no_clock_makes_stops_nothing(tmp_path):
    # The reference pattern admits month 13: such a file, copied into the folder, is no proposal of the store's.
    outbox = make_outbox(tmp_path)
    reference = save(outbox)
    (outbox.store.root / "20261399-120000-AAAAAA.json").write_text('{"notify": ["mail"]}')
    (outbox.pending_dir / "20261399-120000-AAAAAA.mail").write_text("{}")
    assert outbox.recover() == 0  # it raised ValueError, which stopped the sending thread
    assert outbox.counts().pending == 2  # the real proposal's two entries, nothing of the other
    assert [entry.reference for entry in outbox.entries()] == [reference, reference]
