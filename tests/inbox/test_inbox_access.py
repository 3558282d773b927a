"""Who gets into the inbox: nothing without a live session, nothing changed without the session's CSRF token.

Every URL of the inbox, asked without a session by GET or POST, is sent to the login page with an empty
body and only the security headers, whether or not what it names exists; a POST whose token is missing,
wrong or another session's changes no file.
"""

from __future__ import annotations

import csv
import io

import pytest

from impart.inbox.app import COOKIE, SECURITY_HEADERS
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

SECRET_ORGANISATION = "Confidential Widgets plc"


@pytest.fixture
def inbox(tmp_path):
    inbox = make_inbox(tmp_path, accounts=(("ada", PASSWORD), ("bob", OTHER_PASSWORD)))
    inbox.reference = save_proposal(inbox.proposals, inbox.clock.now - 600, organisation=SECRET_ORGANISATION)
    return inbox


def _urls(reference: str) -> list[tuple[str, str]]:
    gets = [
        "/inbox/",
        "/inbox/outbox",
        "/inbox/export.csv",
        f"/inbox/p/{reference}",
        "/inbox/p/20990101-000000-AAAAAA",
        "/inbox/no-such-page",
        f"/inbox/p/{reference}/mark",
        "/inbox/logout",
        "/inbox/?status=new&q=widgets",
    ]
    posts = [
        "/inbox/",
        "/inbox/logout",
        f"/inbox/p/{reference}/mark",
        "/inbox/outbox/retry",
        "/inbox/export.csv",
        "/inbox/p/20990101-000000-AAAAAA/mark",
        "/inbox/no-such-page",
    ]
    return [("GET", url) for url in gets] + [("POST", url) for url in posts]


def test_every_url_without_a_session_goes_to_login_and_leaks_nothing(inbox):
    client = inbox.client()
    before = files_of(inbox.proposals)
    answers = {}
    for method, url in _urls(inbox.reference):
        data = {"status": "won", "note": "x", "csrf": "guess"} if method == "POST" else None
        response = client.open(url, method=method, data=data, headers=SAME_ORIGIN)
        assert response.status_code == 303, (method, url)
        assert response.headers["Location"].startswith("/inbox/login"), (method, url)
        assert response.get_data() == b"", (method, url)
        names = {name for name, _ in response.headers} - {"Location", "Content-Type", "Content-Length"}
        assert names == set(SECURITY_HEADERS), (method, url, names)
        assert "Set-Cookie" not in response.headers
        answers[(method, url)] = response.headers["Location"]
    assert files_of(inbox.proposals) == before
    # A proposal that exists and one that does not are answered alike: the redirect tells nothing.
    assert answers[("GET", f"/inbox/p/{inbox.reference}")].replace(inbox.reference, "REF") == answers[
        ("GET", "/inbox/p/20990101-000000-AAAAAA")
    ].replace("20990101-000000-AAAAAA", "REF")
    assert all(location == "/inbox/login" for (method, _), location in answers.items() if method == "POST")


def test_the_login_page_and_stylesheet_are_all_there_is_without_a_session(inbox):
    client = inbox.client()
    page = client.get("/inbox/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert SECRET_ORGANISATION not in text and inbox.reference not in text
    assert 'name="csrf"' not in text  # no session, so no token to give away
    sheet = client.get("/inbox/inbox.css")
    assert sheet.status_code == 200 and sheet.mimetype == "text/css"


def test_a_login_returns_where_the_operator_was_going(inbox):
    client = inbox.client()
    first = client.get(f"/inbox/p/{inbox.reference}")
    assert first.headers["Location"] == f"/inbox/login?next=/inbox/p/{inbox.reference}"
    page = client.get(first.headers["Location"])
    assert f'name="next" value="/inbox/p/{inbox.reference}"' in page.get_data(as_text=True)
    response = login(client, next_path=f"/inbox/p/{inbox.reference}")
    assert response.status_code == 303 and response.headers["Location"] == f"/inbox/p/{inbox.reference}"
    assert SECRET_ORGANISATION in client.get(response.headers["Location"]).get_data(as_text=True)


def _logged_in(inbox, name="ada", password=PASSWORD):
    client = inbox.client()
    assert login(client, name, password).status_code == 303
    return client, csrf_of(client.get(f"/inbox/p/{inbox.reference}"))


@pytest.mark.parametrize(
    "token, headers",
    [
        (None, SAME_ORIGIN),
        ("", SAME_ORIGIN),
        ("wrong-token-of-the-right-length-000000000000", SAME_ORIGIN),
        ("RIGHT", {"Sec-Fetch-Site": "cross-site"}),
        ("RIGHT", {"Origin": "https://evil.example"}),
    ],
    ids=["no-token", "empty", "wrong", "cross-site", "other-origin"],
)
def test_a_post_without_the_right_token_changes_nothing(inbox, token, headers):
    client, csrf = _logged_in(inbox)
    before = files_of(inbox.proposals)
    data = {"status": "won", "note": "forged"}
    if token is not None:
        data["csrf"] = csrf if token == "RIGHT" else token
    response = client.post(f"/inbox/p/{inbox.reference}/mark", data=data, headers=headers)
    assert response.status_code == 403
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert files_of(inbox.proposals) == before
    # Nor does a logout go through: the session stays live.
    assert client.post("/inbox/logout", data=data, headers=headers).status_code == 403
    assert client.get("/inbox/").status_code == 200


def test_another_sessions_token_changes_nothing(inbox):
    ada, _ = _logged_in(inbox)
    _, bobs_token = _logged_in(inbox, "bob", OTHER_PASSWORD)
    before = files_of(inbox.proposals)
    response = ada.post(
        f"/inbox/p/{inbox.reference}/mark", data={"status": "won", "csrf": bobs_token}, headers=SAME_ORIGIN
    )
    assert response.status_code == 403
    assert files_of(inbox.proposals) == before


def test_the_right_token_marks_and_records_the_account(inbox):
    client, csrf = _logged_in(inbox, "bob", OTHER_PASSWORD)
    response = client.post(
        f"/inbox/p/{inbox.reference}/mark",
        data={"status": "in-review", "note": "rang them", "csrf": csrf},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 303
    record = inbox.app.store.load(inbox.reference)
    assert record["status"] == "in-review"
    assert record["history"][-1] | {"at": None} == {
        "at": None,
        "status": "in-review",
        "was": "new",
        "by": "bob",
        "note": "rang them",
    }


def _with_cookie(inbox, value):
    client = inbox.client()
    client.set_cookie(COOKIE, value, path="/")
    return client


def test_a_logged_out_cookie_is_refused(inbox):
    client, csrf = _logged_in(inbox)
    old = session_cookie(client)
    assert client.post("/inbox/logout", data={"csrf": csrf}, headers=SAME_ORIGIN).status_code == 303
    replay = _with_cookie(inbox, old)
    response = replay.get("/inbox/")
    assert response.status_code == 303 and response.headers["Location"].startswith("/inbox/login")
    before = files_of(inbox.proposals)
    posted = replay.post(f"/inbox/p/{inbox.reference}/mark", data={"status": "won", "csrf": csrf}, headers=SAME_ORIGIN)
    assert posted.status_code == 303 and files_of(inbox.proposals) == before


def test_an_idle_session_ends(inbox):
    client, _ = _logged_in(inbox)
    inbox.clock.now += 29 * 60
    assert client.get("/inbox/").status_code == 200  # used: the idle time starts again
    inbox.clock.now += 29 * 60
    assert client.get("/inbox/").status_code == 200
    inbox.clock.now += 31 * 60
    assert client.get("/inbox/").status_code == 303
    inbox.clock.now -= 31 * 60  # and it stays ended: the file is gone, not merely out of date
    assert client.get("/inbox/").status_code == 303


def test_a_session_ends_after_its_absolute_lifetime_however_used(inbox):
    client, _ = _logged_in(inbox)
    for _ in range(12 * 3):  # every 20 minutes for 12 hours
        inbox.clock.now += 20 * 60
        assert client.get("/inbox/").status_code == 200
    inbox.clock.now += 20 * 60
    assert client.get("/inbox/").status_code == 303


def test_a_removed_accounts_session_is_refused(inbox):
    client, _ = _logged_in(inbox, "bob", OTHER_PASSWORD)
    inbox.app.accounts.remove("bob")
    assert client.get("/inbox/").status_code == 303


def test_a_new_password_ends_the_logins_made_with_the_old(inbox):
    client, _ = _logged_in(inbox, "bob", OTHER_PASSWORD)
    other, _ = _logged_in(inbox)
    inbox.app.accounts.set_password("bob", "a brand new passphrase")
    assert client.get("/inbox/").status_code == 303
    assert other.get("/inbox/").status_code == 200  # another account's login is untouched
    assert login(inbox.client(), "bob", "a brand new passphrase").status_code == 303


def test_session_files_are_private_and_name_no_id(inbox):
    client, _ = _logged_in(inbox)
    folder = inbox.proposals / ".state" / "inbox" / "sessions"
    files = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert session_cookie(client) not in files[0].name and session_cookie(client) not in files[0].read_text()


@pytest.mark.parametrize(
    "value",
    ["", "x", "A" * 43, "../../etc/passwd", "A" * 4000, "é" * 43],
    ids=["empty", "short", "made-up", "path", "huge", "non-ascii"],
)
def test_a_cookie_that_names_no_session_is_refused(inbox, value):
    response = _with_cookie(inbox, value).get("/inbox/")
    assert response.status_code == 303 and response.headers["Location"].startswith("/inbox/login")


def test_a_session_of_another_inbox_is_refused(inbox, tmp_path):
    other = make_inbox(tmp_path / "other", accounts=(("ada", PASSWORD),))
    elsewhere = other.client()
    assert login(elsewhere).status_code == 303
    response = _with_cookie(inbox, session_cookie(elsewhere)).get("/inbox/")
    assert response.status_code == 303


def test_the_cookie_is_host_prefixed_httponly_strict_and_host_only(inbox):
    response = login(inbox.client())
    cookie = response.headers["Set-Cookie"]
    parts = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith("__Host-impart_inbox=")
    assert {"httponly", "path", "samesite", "secure"} <= parts  # Secure even on loopback: Chromium keeps it
    assert "Path=/;" in cookie and "SameSite=Strict" in cookie
    assert "domain" not in parts


def test_over_https_the_cookie_is_secure(inbox):
    client = inbox.client()
    response = client.post(
        "/inbox/login",
        data={"account": "ada", "password": PASSWORD},
        base_url="https://localhost",
        headers=SAME_ORIGIN,
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 303
    assert "; Secure" in response.headers["Set-Cookie"]


def test_plain_http_from_another_machine_is_refused_before_any_login(inbox):
    client = inbox.client()
    response = client.post(
        "/inbox/login",
        data={"account": "ada", "password": PASSWORD},
        base_url="http://impart.example",
        headers=SAME_ORIGIN,
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert "HTTPS" in response.get_data(as_text=True)


# -- a method the page does not take, and where a login returns to ----------------------------------------------


def test_a_method_not_allowed_says_which_are(inbox):
    client, _ = _logged_in(inbox)
    for method, path, allowed in [("GET", "/inbox/logout", {"POST"}), ("PUT", "/inbox/", {"GET", "HEAD"}),
                                  ("GET", f"/inbox/p/{inbox.reference}/mark", {"POST"}),
                                  ("DELETE", f"/inbox/p/{inbox.reference}", {"GET", "HEAD"})]:  # fmt: skip
        response = client.open(path, method=method)
        assert response.status_code == 405, (method, path)
        assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed, (method, path)


@pytest.mark.parametrize("path", ["/inbox/logout", "/inbox/outbox/retry", "/inbox/p/{ref}/mark"])
def test_a_page_that_only_takes_a_form_is_never_where_a_login_returns(inbox, path):
    path = path.format(ref=inbox.reference)
    client = inbox.client()
    first = client.get(path)
    assert first.status_code == 303 and first.headers["Location"] == "/inbox/login"  # nothing remembered
    response = login(client, next_path=path)  # nor taken from the form
    assert response.status_code == 303 and response.headers["Location"] == "/inbox/"
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_export_has_one_consent_column(inbox):
    save_proposal(inbox.proposals, inbox.clock.now - 60, organisation="Consenting Ltd", consent="yes")
    client, _ = _logged_in(inbox)
    body = client.get("/inbox/export.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0].count("consent") == 1
    row = next(r for r in rows if "Consenting Ltd" in r)
    assert row[rows[0].index("consent")] == "true"  # the value the handler checked
