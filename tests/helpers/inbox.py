"""The inbox through werkzeug's client: an inbox over a proposals folder, accounts, logins and CSRF tokens."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from werkzeug.test import Client

from impart.inbox.accounts import Accounts
from impart.inbox.app import COOKIE, InboxApp, create_inbox
from impart.intake.storage import ProposalStore

PASSWORD = "correct horse battery"
OTHER_PASSWORD = "another long passphrase"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
_fingerprints = itertools.count()
# scrypt's N for the tests' accounts: a login checks them by the same path in 2 ms rather than 90, for the
# tests whose subject is the inbox, not the hash. A name with no account still costs the real N, and the tests
# that time a login or race the throttle through a check's window make their accounts at the real `N`.
CHEAP = 2**10


class Clock:
    """A clock a test moves by hand, starting at a fixed time (27 November 2026, 16:44:37 UTC)."""

    def __init__(self, now: float = 1796143477.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Inbox:
    app: InboxApp
    proposals: Path
    clock: Clock

    def client(self) -> Client:
        """A client on this machine (werkzeug's own names no address; a request may give another)."""
        app = self.app

        def from_loopback(environ, start_response):
            return app({"REMOTE_ADDR": "127.0.0.1", **environ}, start_response)

        return Client(from_loopback)


def make_inbox(
    tmp_path: Path, *, accounts=(("ada", PASSWORD),), clock: Clock | None = None, cost: int = CHEAP, **options
) -> Inbox:
    """An inbox over `tmp_path/proposals`, with `accounts` made in `tmp_path/inbox-accounts.json`."""
    clock = clock or Clock()
    write_accounts(tmp_path / "inbox-accounts.json", accounts, cost=cost)
    app = create_inbox(tmp_path, proposals_dir=tmp_path / "proposals", clock=clock, **options)
    return Inbox(app, tmp_path / "proposals", clock)


_made: dict[tuple, bytes] = {}


def write_accounts(path: Path, accounts, *, cost: int = CHEAP) -> None:
    """The accounts file holding `accounts` (name, password) at scrypt's N=`cost`, each hashed once per test
    session."""
    key = (tuple(accounts), cost)
    if key not in _made:
        made = Path(path).with_name(".made-accounts.json")
        for name, password in accounts:
            Accounts(made, cost=cost).add(name, password, now=Clock().now)
        _made[key] = made.read_bytes() if accounts else b'{"users": {}}'
        made.unlink(missing_ok=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(_made[key])
    Path(path).chmod(0o600)


def save_proposal(folder: Path, now: float, *, came_from: str = "/field-notes/x/", **fields) -> str:
    """Store one proposal received at `now`, with `fields` as its answers; returns its reference."""
    store = ProposalStore(folder, clock=lambda: now)
    store.prepare()
    answers = {"organisation": "Analytical Engines Ltd", "name": "Ada Lovelace", **fields}
    saved = store.save(answers, version=1, came_from=came_from, fingerprint=f"inbox-test-{next(_fingerprints)}")
    return saved.reference


def login(client: Client, name: str = "ada", password: str = PASSWORD, *, next_path: str = "", headers=None):
    data = {"account": name, "password": password}
    if next_path:
        data["next"] = next_path
    return client.post("/inbox/login", data=data, headers=SAME_ORIGIN if headers is None else headers)


def csrf_of(response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def session_cookie(client: Client) -> str | None:
    cookie = client.get_cookie(COOKIE, path="/")
    return cookie.value if cookie else None


def files_of(folder: Path) -> dict[str, bytes]:
    """Every proposal file (not the handler's .state/), to show that nothing changed."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).glob("*.json"))}


def fail_for_good(folder: Path, reference: str, channel: str = "mail", error: str = "mail via 127.0.0.1:2525: refused"):
    """Make `reference` owe a notification on `channel` and have it fail for good (its 3 days gone by)."""
    import json

    from impart.intake.outbox import RETRY_WINDOW, Outbox
    from impart.intake.storage import received_at

    path = Path(folder) / f"{reference}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, "notify": [channel]}), encoding="utf-8")
    later = Outbox(ProposalStore(Path(folder)), clock=lambda: received_at(reference) + RETRY_WINDOW + 60)
    later.prepare()
    later.enqueue(reference, [channel])

    def refuse(reference: str, channel: str) -> None:
        raise RuntimeError(error)

    assert later.deliver(refuse, force=True).failed == 1
