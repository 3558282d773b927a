"""A hostile battery against the inbox: what a prospect can type, what an attacker can send.

Answers holding HTML, script, bidirectional overrides and control characters are shown inert (as text,
with the CLI's visible escapes); references carrying path tricks reach no file; 200 wrong passwords,
from one address or from many, are slowed to a handful of checks and the right one waits its turn too
(except from an address the account has logged in from);
an id chosen before the login is never a logged-in one; every page refuses to be framed; the login's
return address never leaves the inbox.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from impart.inbox.app import COOKIE
from impart.inbox.login_throttle import FREE
from impart.intake.workflow import mark
from tests.helpers.inbox import (
    OTHER_PASSWORD,
    PASSWORD,
    SAME_ORIGIN,
    csrf_of,
    files_of,
    login,
    make_inbox,
    save_proposal,
    session_cookie,
)

HOSTILE = {
    "organisation": '<img src=x onerror="alert(1)">Evil & Co',
    "use_case": "<script>alert('inbox')</script>\nline two",
    "operator": "\u202eeman lanif\u202c and \u2066isolated\u2069",
    "cost_line": "bell\x07 escape\x1b[31m red \x9b2J csi\x00nul",
    "rollback": '"><a href="javascript:alert(1)">click</a>',
}
RAW_UNSAFE = ["\u202e", "\u202c", "\u2066", "\u2069", "\x07", "\x1b", "\x9b", "\x00"]


@pytest.fixture
def inbox(tmp_path):
    inbox = make_inbox(tmp_path, accounts=(("ada", PASSWORD), ("bob", OTHER_PASSWORD)))
    inbox.reference = save_proposal(
        inbox.proposals, inbox.clock.now - 60, came_from='/field-notes/"><script>x()</script>/', **HOSTILE
    )
    return inbox


def _logged_in(inbox, name="ada", password=PASSWORD):
    client = inbox.client()
    assert login(client, name, password).status_code == 303
    return client


# -- what a prospect typed ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["proposal", "list", "search"])
def test_hostile_answers_are_shown_inert(inbox, page):
    url = {
        "proposal": f"/inbox/p/{inbox.reference}",
        "list": "/inbox/",
        "search": "/inbox/?q=%3Cimg",
    }[page]
    response = _logged_in(inbox).get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tree = BeautifulSoup(html, "html.parser")
    assert tree.find("script") is None and tree.find("img") is None
    assert not [a for a in tree.find_all("a") if "javascript" in (a.get("href") or "")]
    assert not [tag for tag in tree.find_all(True) if any(name.startswith("on") for name in tag.attrs)]
    for character in RAW_UNSAFE:
        assert character not in html, repr(character)
    text = tree.get_text()
    assert '<img src=x onerror="alert(1)">Evil & Co' in text  # the answer, as typed, as text
    if page == "proposal":
        assert "<script>alert('inbox')</script>" in text
        assert "\\u202eeman lanif\\u202c and \\u2066isolated\\u2069" in text  # the CLI's escapes
        assert "bell\\x07 escape\\x1b[31m red \\x9b2J csi\\x00nul" in text
        assert '"><a href="javascript:alert(1)">click</a>' in text


def test_a_hostile_note_or_marker_in_the_history_is_shown_inert(inbox):
    mark(inbox.app.store, inbox.reference, "in-review", "<script>alert(2)</script>\u202eton", by="<b>eve</b>")
    html = _logged_in(inbox).get(f"/inbox/p/{inbox.reference}").get_data(as_text=True)
    tree = BeautifulSoup(html, "html.parser")
    assert tree.find("script") is None and tree.find("b") is None and "\u202e" not in html
    history = tree.select_one(".history").get_text()
    assert "<script>alert(2)</script>\\u202eton" in history and "by <b>eve</b>" in history


def test_the_export_escapes_as_the_cli_does(inbox):
    body = _logged_in(inbox).get("/inbox/export.csv").get_data(as_text=True)
    for character in RAW_UNSAFE:
        assert character not in body, repr(character)
    assert "\\u202eeman lanif" in body


def test_a_hostile_account_name_is_shown_inert_on_the_login_page(inbox):
    client = inbox.client()
    response = login(client, "<script>alert(1)</script>\u202e", "wrong password here")
    assert response.status_code == 403
    tree = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert tree.find("script") is None
    assert tree.find("input", id="account")["value"] == "<script>alert(1)</script>\u202e"


# -- references that try to leave the folder ---------------------------------------------------------------

TRICKS = [
    "../inbox-accounts",
    "..%2Finbox-accounts",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%2F20261201-000000-AAAAAA",
    "20261201-000000-AAAAAA%00",
    "20261201-000000-AAAAAA%2F..",
    "%00",
    "x" * 10_000,
    "20261201-000000-aaaaaa",
    "quarantine%2F20261201-000000-AAAAAA",
    ".state",
]


@pytest.mark.parametrize("trick", TRICKS, ids=range(len(TRICKS)))
def test_path_tricks_on_a_reference_reach_no_file(inbox, tmp_path, trick):
    # A file named like a proposal, beside the folder: the tricks aim at it.
    (tmp_path / "20261201-000000-AAAAAA.json").write_text('{"fields": {"secret": "TOPSECRET"}}')
    client = _logged_in(inbox)
    csrf = csrf_of(client.get(f"/inbox/p/{inbox.reference}"))
    before = files_of(inbox.proposals), files_of(tmp_path)
    shown = client.get(f"/inbox/p/{trick}")
    assert shown.status_code == 404
    assert "TOPSECRET" not in shown.get_data(as_text=True)
    assert "users" not in shown.get_data(as_text=True)
    marked = client.post(f"/inbox/p/{trick}/mark", data={"status": "won", "csrf": csrf}, headers=SAME_ORIGIN)
    assert marked.status_code == 404
    assert (files_of(inbox.proposals), files_of(tmp_path)) == before


# -- password guessing ---------------------------------------------------------------------------------


def _tries(inbox, client, count, *, address=lambda n: "198.51.100.7", account=lambda n: "ada"):
    answers = []
    for n in range(count):
        response = login(client, account(n), f"wrong guess number {n}", headers={**SAME_ORIGIN})
        answers.append(response)
    return answers


def _login_over_https(client, address, password, account="ada"):
    return client.post(
        "/inbox/login", data={"account": account, "password": password}, headers=SAME_ORIGIN,
        base_url="https://localhost", environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


@pytest.mark.parametrize("spread", ["one-address", "many-addresses"])
def test_two_hundred_wrong_passwords_are_throttled(inbox, caplog, spread):
    client = inbox.client()
    office = "192.0.2.50"  # where ada logged in from before the guessing began
    assert _login_over_https(client, office, PASSWORD).status_code == 303
    inbox.clock.now += 3600
    caplog.set_level(logging.INFO, logger="impart.inbox")
    statuses = []
    for n in range(200):
        address = "198.51.100.7" if spread == "one-address" else f"10.{n // 250}.{n % 250}.{n % 7 + 1}"
        response = _login_over_https(client, address, f"wrong guess {n}")
        statuses.append(response.status_code)
        assert "Set-Cookie" not in response.headers
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert "try again in" in response.get_data(as_text=True)
    assert statuses.count(403) == FREE  # only these were checked at all
    assert statuses.count(429) == 200 - FREE
    # The right password waits its turn too from anywhere the account has not logged in from: a guesser
    # cannot tell it from a wrong one.
    address = "198.51.100.7" if spread == "one-address" else "10.9.9.9"
    right = _login_over_https(client, address, PASSWORD)
    assert right.status_code == 429 and "Set-Cookie" not in right.headers
    # From the office it does not: knowing the account's name is no way to lock its operator out.
    at_office = _login_over_https(client, office, PASSWORD)
    assert at_office.status_code == 303 and COOKIE in at_office.headers["Set-Cookie"]
    inbox.clock.now += int(right.headers["Retry-After"])
    after = _login_over_https(client, address, PASSWORD)
    assert after.status_code == 303 and COOKIE in after.headers["Set-Cookie"]
    # Every try is logged with the account and the address, never with a password.
    lines = [record.getMessage() for record in caplog.records]
    assert sum("inbox login failed: account ada from" in line for line in lines) == FREE
    assert sum("inbox login refused, throttled" in line for line in lines) == 200 - FREE + 1
    assert sum("inbox login: account ada from" in line for line in lines) == 2
    assert not [line for line in lines if "wrong guess" in line or PASSWORD in line]


def test_delays_grow_with_each_failure(inbox):
    client = inbox.client()
    waits = []
    for n in range(FREE + 4):
        response = login(client, "ada", f"wrong {n}")
        if response.status_code == 429:
            wait = int(response.headers["Retry-After"])
            inbox.clock.now += wait
            waits.append(wait)
            assert login(client, "ada", f"wrong again {n}").status_code == 403
    assert waits == sorted(waits) and len(set(waits)) == len(waits) > 1


def test_spraying_accounts_from_one_address_is_throttled(inbox):
    client = inbox.client()
    statuses = [login(client, f"user{n}", "wrong password 123").status_code for n in range(30)]
    assert statuses.count(403) == FREE and statuses.count(429) == 30 - FREE


def test_counts_a_day_old_are_forgotten_so_tried_names_cannot_pile_up(inbox):
    client = inbox.client()
    for n in range(FREE):
        login(client, f"sprayed{n}", "wrong password 123")
    folder = inbox.proposals / ".state" / "inbox" / "logins"

    def counts():
        return [p for p in folder.iterdir() if not p.name.startswith(".")]  # not the lock

    assert len(counts()) == FREE + 1  # each name tried, and the one address
    inbox.clock.now += 24 * 3600 + 120
    login(client, "ada", "one more wrong password")
    assert len(counts()) == 2  # only the last try's address and name are left
    assert login(client).status_code == 303


# -- session fixation ----------------------------------------------------------------------------------


def test_an_id_set_before_the_login_is_never_a_logged_in_one(inbox):
    planted = "P" * 43
    client = inbox.client()
    client.set_cookie(COOKIE, planted, path="/")
    assert login(client).status_code == 303
    assert session_cookie(client) not in (planted, None)
    attacker = inbox.client()
    attacker.set_cookie(COOKIE, planted, path="/")
    assert attacker.get("/inbox/").status_code == 303


def test_a_real_session_planted_in_a_victims_browser_ends_at_the_victims_login(inbox):
    attacker = _logged_in(inbox, "bob", OTHER_PASSWORD)
    planted = session_cookie(attacker)
    victim = inbox.client()
    victim.set_cookie(COOKIE, planted, path="/")
    assert login(victim).status_code == 303
    assert session_cookie(victim) != planted
    assert attacker.get("/inbox/").status_code == 303  # the planted id ended with the new login
    assert "(ada)" in victim.get("/inbox/").get_data(as_text=True)


# -- framing ---------------------------------------------------------------------------------------------


def test_no_inbox_answer_can_be_framed(inbox):
    client = inbox.client()
    answers = [client.get("/inbox/login"), client.get("/inbox/"), client.get("/inbox/inbox.css")]
    answers.append(login(client, "ada", "a wrong password"))
    client = _logged_in(inbox)
    csrf = csrf_of(client.get(f"/inbox/p/{inbox.reference}"))
    answers += [
        client.get("/inbox/"),
        client.get(f"/inbox/p/{inbox.reference}"),
        client.get("/inbox/outbox"),
        client.get("/inbox/export.csv"),
        client.get("/inbox/nothing-here"),
        client.post(f"/inbox/p/{inbox.reference}/mark", data={"status": "won"}, headers=SAME_ORIGIN),
        client.post(f"/inbox/p/{inbox.reference}/mark", data={"status": "new", "csrf": csrf}, headers=SAME_ORIGIN),
    ]
    for response in answers:
        assert response.headers["X-Frame-Options"] == "DENY", response.status
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


# -- where a login returns to -----------------------------------------------------------------------------

REDIRECTS = [
    "//evil.example",
    "//evil.example/inbox/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/inbox/",
    "http:evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/inbox//evil.example",
    "/inbox/..//evil.example",
    "/inbox/../../evil",
    "/inbox/\\evil.example",
    "/inbox/%5C%5Cevil.example",
    "/inbox/@evil.example",
    "javascript:alert(1)",
    "\t//evil.example",
    " /inbox/",
    "/inbox/\r\nSet-Cookie: x=1",
    "/inbox/%0d%0aSet-Cookie:x=1",
    "/other-page/",
    "/inbox/login",
]


@pytest.mark.parametrize("target", REDIRECTS, ids=range(len(REDIRECTS)))
def test_the_login_never_returns_outside_the_inbox(inbox, target):
    client = inbox.client()
    page = client.get("/inbox/login", query_string={"next": target})
    hidden = BeautifulSoup(page.get_data(as_text=True), "html.parser").find("input", attrs={"name": "next"})["value"]
    response = login(client, next_path=target)
    assert response.status_code == 303
    location = response.headers["Location"]
    for where in (hidden, location):
        parts = urlsplit(where)
        assert not parts.scheme and not parts.netloc, where
        assert where.startswith("/inbox/") and "//" not in where and "\\" not in where, where
        assert "\r" not in where and "\n" not in where and "evil" not in where, where


# -- bodies too large to read ------------------------------------------------------------------------------


def test_an_oversized_form_is_refused_and_changes_nothing(inbox):
    client = _logged_in(inbox)
    csrf = csrf_of(client.get(f"/inbox/p/{inbox.reference}"))
    before = files_of(inbox.proposals)
    huge = {"status": "won", "csrf": csrf, "note": "x" * 100_000}
    response = client.post(f"/inbox/p/{inbox.reference}/mark", data=huge, headers=SAME_ORIGIN)
    assert response.status_code == 413 and "Nothing was changed" in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert files_of(inbox.proposals) == before
    login_response = login(inbox.client(), "ada", "p" * 100_000)
    assert login_response.status_code == 413 and "Set-Cookie" not in login_response.headers


def test_a_login_sent_with_two_session_cookies_ends_both_and_expires_the_tossed_one(inbox):
    attacker = _logged_in(inbox, "bob", OTHER_PASSWORD)
    planted = session_cookie(attacker)
    victim = inbox.client()
    victim.set_cookie(COOKIE, "G" * 43, path="/")
    victim.set_cookie(COOKIE, planted, path="/inbox/")  # tossed: sent first, on a deeper path
    response = login(victim)
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert f"{COOKIE}=; Path=/inbox/;" in " ".join(cookies) and cookies[-1].startswith(f"{COOKIE}=")
    assert victim.get_cookie(COOKIE, path="/inbox/") is None  # the tossed one is gone from the browser
    assert attacker.get("/inbox/").status_code == 303  # and its session ended with the victim's login
    assert "(ada)" in victim.get("/inbox/").get_data(as_text=True)
