"""The login throttle under simultaneous tries, against an account's name alone, and over days of spraying.

Tries sent at once from one address are checked no more often than tries sent one after another (through
the app in threads, and through a real two-worker `impart serve`); someone
who knows an account's name cannot keep its operator out from an address the account logs in from; the
throttle's files stay bounded by the last day's tries.
"""

from __future__ import annotations

import http.client
import shutil
import threading
from urllib.parse import urlencode

import pytest

from impart.inbox import login_throttle
from impart.inbox.accounts import N
from impart.inbox.login_throttle import FREE, KNOWN_PER_ACCOUNT, LoginThrottle
from tests.helpers.inbox import PASSWORD, SAME_ORIGIN, Clock, login, make_inbox, write_accounts
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import copy_site

GUESSER = "198.51.100.7"
OFFICE = "192.0.2.50"


def _login_from(inbox, address, password, account="ada"):
    return inbox.client().post(
        "/inbox/login", data={"account": account, "password": password}, headers=SAME_ORIGIN,
        base_url="https://localhost",
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def _at_once(inbox, count, address=GUESSER) -> list[int]:
    """`count` wrong logins from `address`, released together from a barrier; their statuses."""
    start = threading.Barrier(count)
    statuses: list[int] = []

    def guess(n):
        start.wait(timeout=30)
        statuses.append(_login_from(inbox, address, f"simultaneous wrong guess {n}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == count
    return statuses


def test_forty_simultaneous_wrong_logins_get_only_the_free_checks(tmp_path):
    inbox = make_inbox(tmp_path, cost=N)  # a check's real window
    statuses = _at_once(inbox, 40)
    assert statuses.count(403) == FREE  # checked, and wrong
    assert statuses.count(429) == 40 - FREE  # never checked


def test_a_burst_after_the_delay_gets_one_check(tmp_path):
    inbox = make_inbox(tmp_path, cost=N)  # a check's real window
    for n in range(FREE):
        assert _login_from(inbox, GUESSER, f"wrong {n}").status_code == 403
    waiting = _login_from(inbox, GUESSER, "wrong again")
    assert waiting.status_code == 429
    inbox.clock.now += int(waiting.headers["Retry-After"])
    statuses = _at_once(inbox, 20)
    assert statuses.count(403) == 1 and statuses.count(429) == 19


# -- an account's name is not a key to lock its operator out --------------------------------------------------


@pytest.mark.parametrize("spread", ["one-address", "many-addresses"])
def test_guessing_an_account_does_not_lock_out_its_operator_from_an_address_it_used(tmp_path, spread):
    inbox = make_inbox(tmp_path)
    assert _login_from(inbox, OFFICE, PASSWORD).status_code == 303  # the operator, at work, some day before
    inbox.clock.now += 3600
    for n in range(60):
        address = GUESSER if spread == "one-address" else f"10.{n // 250}.{n % 250}.9"
        _login_from(inbox, address, f"wrong guess {n}")
    # The guessing limit holds everywhere else, the right password included...
    assert _login_from(inbox, "203.0.113.99", PASSWORD).status_code == 429
    assert _login_from(inbox, "203.0.113.99", "another wrong guess").status_code == 429
    # ...and the operator logs in from the office at once.
    assert _login_from(inbox, OFFICE, PASSWORD).status_code == 303
    # A wrong password from the office is still counted for the office, as any address's is.
    statuses = [_login_from(inbox, OFFICE, f"office typo {n}").status_code for n in range(FREE + 2)]
    assert statuses == [403] * FREE + [429] * 2


def test_an_account_remembers_only_its_newest_addresses(tmp_path):
    inbox = make_inbox(tmp_path)
    for n in range(KNOWN_PER_ACCOUNT + 1):  # the first, OFFICE, is the oldest and is forgotten
        inbox.clock.now += 60
        assert _login_from(inbox, OFFICE if n == 0 else f"192.0.2.{n + 100}", PASSWORD).status_code == 303
    for n in range(FREE):
        _login_from(inbox, f"10.1.1.{n + 1}", f"wrong guess {n}")
    assert _login_from(inbox, OFFICE, PASSWORD).status_code == 429
    assert _login_from(inbox, f"192.0.2.{KNOWN_PER_ACCOUNT + 100}", PASSWORD).status_code == 303
    known = [p for p in (inbox.proposals / ".state" / "inbox" / "logins").iterdir() if p.name.startswith("known-")]
    assert len(known) == 1 and OFFICE.encode() not in known[0].read_bytes()  # kept hashed


# -- the throttle's files stay bounded ----------------------------------------------------------------------


def _files(inbox):
    return [p for p in (inbox.proposals / ".state" / "inbox" / "logins").iterdir() if not p.name.startswith(".")]


def test_names_sprayed_from_many_addresses_are_swept_by_the_next_login_days_later(tmp_path):
    inbox = make_inbox(tmp_path)
    for n in range(30):
        assert _login_from(inbox, f"10.2.{n}.1", "wrong password 123", account=f"sprayed{n}").status_code == 403
    assert len(_files(inbox)) == 60  # each name and each address
    inbox.clock.now += 3 * 24 * 3600
    assert login(inbox.client()).status_code == 303  # a success, no failure: the sweep must not wait for one
    assert len(_files(inbox)) == 1  # the account's known addresses, nothing of the spray


def test_a_restarted_server_sweeps_on_its_first_try(tmp_path):
    clock = Clock()
    folder = tmp_path / "logins"
    first = LoginThrottle(folder, clock=clock)
    for n in range(20):
        assert first.attempt(f"10.3.{n}.1", f"name{n}") == 0
    assert len(list(folder.iterdir())) == 41  # 20 names, 20 addresses and the lock
    clock.now += 2 * 24 * 3600
    restarted = LoginThrottle(folder, clock=clock)
    assert restarted.attempt("10.4.0.1", "someone") == 0
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        [restarted._address("10.4.0.1").name, restarted._account("someone").name]
    )


def test_a_day_of_names_sprayed_from_many_addresses_stays_under_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(login_throttle, "MAX_COUNTS", 50)
    clock = Clock()
    folder = tmp_path / "logins"
    throttle = LoginThrottle(folder, clock=clock)
    for n in range(FREE):  # one guesser, held back: its count must outlive every sweep
        throttle.attempt(GUESSER, f"guessed{n}")
    assert throttle.attempt(GUESSER, "one more") > 0
    for batch in range(10):  # 400 names from 400 addresses, over ten minutes
        clock.now += 61
        for n in range(40):
            assert throttle.attempt(f"10.5.{batch}.{n + 1}", f"sprayed{batch}-{n}") == 0
        assert len([p for p in folder.iterdir() if not p.name.startswith(".")]) <= 50 + 2 * 40 + FREE + 1
    assert throttle._read(throttle._address(GUESSER))[0] == FREE  # its count kept: its next delay will grow
    assert throttle.attempt(GUESSER, "after the delay") == 0 and throttle.attempt(GUESSER, "at once") > 0


@pytest.mark.load
def test_simultaneous_wrong_logins_across_two_worker_processes_get_only_the_free_checks(built_site, tmp_path):
    project = copy_site(tmp_path / "project")
    write_accounts(project / "inbox-accounts.json", (("ada", PASSWORD),), cost=N)
    site = tmp_path / "site"
    shutil.copytree(built_site.root, site)
    port = free_port()
    command = serve_command(site, tmp_path / "proposals", port, "--inbox", "--workers", "2", "--threads", "8",
                            "--rate-limit", "1000/60", config=project / "mkdocs.yml")  # fmt: skip
    start = threading.Barrier(40)
    statuses: list[int] = []

    def guess(n):
        body = urlencode({"account": "ada", "password": f"simultaneous wrong guess {n}"})
        start.wait(timeout=30)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # a new one: either worker
        try:
            connection.request("POST", "/inbox/login", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})  # fmt: skip
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        finally:
            connection.close()

    with running(command, port):
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert len(statuses) == 40
    assert statuses.count(403) == FREE and statuses.count(429) == 40 - FREE
