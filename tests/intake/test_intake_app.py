"""The proposal handler through werkzeug's test client, against the real form definition and a real build."""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import re
import shutil
import stat
import time

import pytest
from werkzeug.test import Client, EnvironBuilder

from impart.intake import storage
from impart.intake.definition import load_form
from impart.intake.storage import ProposalStore
from tests.helpers.form import valid_submission
from tests.helpers.handler import (
    ENDPOINT,
    JSON_ORIGIN,
    ORIGIN,
    THANKS,
    URLENCODED,
    StorageOs,
    expected_fields,
    fail_with,
    multipart,
    post,
    reference_from,
    soup,
    stored,
    urlencoded,
)
from tests.helpers.site import PROJECT, files_under

CONTACT = "proposals@impart.example"
FORM_VERSION = load_form(PROJECT / "docs/request-a-proposal.md").version
# Three wrong answers, and what the form says about each, in the form's order.
INVALID = {"email": "not-an-email", "success_measure": "much faster", "timeline": ""}
INVALID_MESSAGES = {
    "email": "Enter an email address in the correct format, like name@example.com",
    "success_measure": 'Write the success measure as a number, for example "from 5 days to 2"',
    "timeline": "Select when you want to start",
}


def textarea_value(page, name: str) -> str:
    """What a browser shows: HTML drops one newline right after <textarea>, and the form writes one there."""
    return page.select_one(f"textarea[name={name}]").get_text().removeprefix("\n")


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return Client(app)


# -- success -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_valid_submission_is_stored_then_redirected_to_the_thank_you_page(client, app, encoding):
    submitted = valid_submission()
    if encoding == "urlencoded":
        response = post(client, submitted)
    else:
        content_type, body = multipart(submitted.items())
        response = post(client, body=body, content_type=content_type)

    assert response.status_code == 303
    reference = reference_from(response)
    assert app.store.references() == [reference]
    assert app.store.load(reference)["fields"] == expected_fields(submitted)


def test_the_stored_record_has_the_server_reference_and_metadata(client, app, proposals):
    before = time.time()
    # Values that would be dangerous as a file name never become one.
    submitted = valid_submission(name="../../etc/passwd", organisation="x.json")
    reference = reference_from(post(client, submitted))
    after = time.time()

    assert [p.name for p in proposals.iterdir() if p.is_file()] == [f"{reference}.json"]
    record = app.store.load(reference)
    assert record["reference"] == reference
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["received"])
    received = dt.datetime.fromisoformat(record["received"].replace("Z", "+00:00"))
    assert int(before) <= received.timestamp() <= after
    assert received.strftime("%Y%m%d-%H%M%S") == reference[:15]
    assert record["form_version"] == FORM_VERSION
    assert record["from"] == "/field-notes/pilot-to-production/"
    assert record["consent"] is True
    assert record["status"] == "new"
    assert record["fields"] == expected_fields(submitted)


def test_json_clients_get_201_with_the_reference(client, app):
    response = post(client, headers=JSON_ORIGIN)

    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert set(response.json) == {"reference"}
    assert app.store.references() == [response.json["reference"]]


def test_json_clients_get_422_with_the_errors_by_field(client, proposals):
    response = post(client, valid_submission(**INVALID), headers=JSON_ORIGIN)

    assert response.status_code == 422
    assert response.mimetype == "application/json"
    assert response.json == {"errors": INVALID_MESSAGES}
    assert stored(proposals) == {}


# -- invalid values: the page again, with the answers kept ---------------------------


def test_invalid_values_re_render_the_page_with_answers_kept_and_errors_beside_fields(client, proposals):
    submitted = valid_submission(**INVALID, name='Ada "><script>alert(1)</script>', role="")
    response = post(client, submitted)

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    page = soup(response)
    assert page.title.string.startswith("Error: ")
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)

    summary = page.select_one("[data-impart-summary]")
    assert not summary.has_attr("hidden")
    assert summary.h2.get_text(strip=True) == "There is a problem"
    assert [a["href"] for a in summary.select("a")] == ["#email", "#success_measure", "#timeline"]

    for name, message in INVALID_MESSAGES.items():
        beside = page.select_one(f"#{name}-error")
        assert not beside.has_attr("hidden"), name
        assert beside.select_one("[data-impart-message]").get_text() == message
        control = page.select_one(f"[name={name}]")
        assert control["aria-invalid"] == "true", name
        assert f"{name}-error" in control["aria-describedby"].split(), name
    for name in ("name", "organisation", "use_case", "cost_line", "consent"):
        assert not page.select_one(f"[name={name}]").has_attr("aria-invalid"), name
        assert page.select_one(f"#{name}-error").has_attr("hidden"), name

    # Every answer is back in its control.
    for name in ("name", "email", "organisation", "role", "operator"):
        assert page.select_one(f"input[name={name}]")["value"] == submitted[name], name
    for name in ("use_case", "success_measure", "rollback"):
        assert textarea_value(page, name) == submitted[name], name
    assert page.select_one("select[name=cost_line] option[selected]")["value"] == submitted["cost_line"]
    assert page.select_one("select[name=timeline] option[selected]") is None
    assert page.select_one("input[name=consent]").has_attr("checked")
    assert page.select_one("input[name=from]")["value"] == submitted["from"]

    assert stored(proposals) == {}


# -- bad input: refused, with a page, and nothing written ------------------------------


def _body(**changes) -> bytes:
    return urlencoded(valid_submission(**changes))


def _without(name: str) -> bytes:
    return urlencoded({k: v for k, v in valid_submission().items() if k != name})


_MULTIPART_OK = list(valid_submission().items())
_TOO_BIG = "x" * (64 * 1024)  # over the answers' limit: the form comes back with them
_OVER_THE_BYTE_LIMIT = "x" * (256 * 1024)  # over what the handler reads at all

BAD_INPUT = [
    pytest.param(URLENCODED, _body(use_case=_TOO_BIG), 413, "Error: Request a Proposal", id="too-large"),
    pytest.param(*multipart([(k, _TOO_BIG if k == "rollback" else v) for k, v in _MULTIPART_OK]), 413,
                 "Error: Request a Proposal",
                 id="multipart-too-large"),
    pytest.param(URLENCODED, _body(use_case=_OVER_THE_BYTE_LIMIT), 413, "The form is too large",
                 id="over-the-byte-limit"),
    pytest.param("text/plain", _body(), 415, "The form was sent in a format we do not accept", id="text/plain"),
    pytest.param("application/json", json.dumps(valid_submission()).encode(), 415,
                 "The form was sent in a format we do not accept", id="json"),
    pytest.param(URLENCODED, _body() + b"&&", 400, "The form could not be read", id="empty-pair"),
    pytest.param(URLENCODED, _without("consent") + b"&consent", 400, "The form could not be read", id="no-equals"),
    pytest.param(URLENCODED, _without("name") + b"&name=%FF", 400, "The form could not be read", id="invalid-utf8"),
    pytest.param(URLENCODED, _without("name") + "&name=Zoë".encode(), 400, "The form could not be read",
                 id="raw-non-ascii"),
    pytest.param(URLENCODED, _body() + b"&name=Again", 400, "The form could not be read", id="field-twice"),
    pytest.param(URLENCODED, _body() + b"&from=%2F", 400, "The form could not be read", id="from-twice"),
    pytest.param(URLENCODED, _body() + b"&colour=red", 400, "Error: Request a Proposal", id="unknown-field"),
    pytest.param(*multipart(_MULTIPART_OK, files=[("attachment", "cv.txt", b"hello")]), 400,
                 "The form could not be read", id="file-part"),
    pytest.param(*multipart(_MULTIPART_OK, files=[("rollback", "plan.txt", b"hello")]), 400,
                 "The form could not be read", id="file-part-named-as-a-field"),
    pytest.param("multipart/form-data", multipart(_MULTIPART_OK)[1], 400, "The form could not be read",
                 id="no-boundary"),
    pytest.param(multipart(_MULTIPART_OK)[0], multipart(_MULTIPART_OK)[1][:-30], 400, "The form could not be read",
                 id="multipart-truncated"),
    pytest.param(*multipart([*_MULTIPART_OK, ("name", "Again")]), 400, "The form could not be read",
                 id="multipart-field-twice"),
    pytest.param(*multipart([*_MULTIPART_OK, ("colour", "red")]), 400, "Error: Request a Proposal",
                 id="multipart-unknown-field"),
    pytest.param(*multipart([*_MULTIPART_OK[1:], ("name", b"\xff\xfe")]), 400, "The form could not be read",
                 id="multipart-invalid-utf8"),
]  # fmt: skip


@pytest.mark.parametrize(("content_type", "body", "status", "title"), BAD_INPUT)
def test_bad_input_is_refused_with_a_page_and_nothing_is_written(client, proposals, content_type, body, status, title):
    before = stored(proposals)
    response = post(client, body=body, content_type=content_type)

    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert soup(response).title.get_text().startswith(title)
    assert stored(proposals) == before == {}


def _chunked_environ(body: bytes) -> dict:
    environ = EnvironBuilder(
        path=ENDPOINT, method="POST", headers=ORIGIN, content_type=URLENCODED, data=body
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    environ["wsgi.input"] = io.BytesIO(body)
    return environ


def call(app, environ) -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], body


def test_a_chunked_body_over_the_limit_is_refused_without_content_length(app, proposals):
    body = _body(use_case=_OVER_THE_BYTE_LIMIT)
    assert len(body) > 256 * 1024
    status, _, page = call(app, _chunked_environ(body))

    assert status.startswith("413 ")
    assert b"The form is too large" in page
    assert stored(proposals) == {}


def test_a_chunked_body_under_the_limit_is_read_and_stored(app):
    status, headers, _ = call(app, _chunked_environ(_body()))

    assert status.startswith("303 ")
    assert app.store.references() == [headers["Location"].split("?ref=", 1)[1]]


def test_a_smaller_configured_limit_is_enforced(make_app, proposals):
    client = Client(make_app(max_body=1024))
    assert post(client, valid_submission(use_case="x" * 1100)).status_code == 413
    assert stored(proposals) == {}
    assert post(client).status_code == 303


# -- where the POST came from ----------------------------------------------------------

OTHER_ORIGIN = "https://forms.impart.example"
ORIGINS = [
    pytest.param({"Sec-Fetch-Site": "same-origin"}, (), 303, id="sec-fetch-same-origin"),
    pytest.param({"Origin": "http://localhost"}, (), 303, id="exact-origin"),
    pytest.param({"Referer": "http://localhost/request-a-proposal/"}, (), 303, id="referer-only"),
    pytest.param({"Origin": OTHER_ORIGIN}, (OTHER_ORIGIN,), 303, id="allowed-origin"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, (), 403, id="sec-fetch-cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site", "Referer": "http://localhost/"}, (), 403, id="sec-fetch-same-site"),
    pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, (), 403, id="cross-site-origin"),
    pytest.param({"Origin": "https://evil.example"}, (), 403, id="other-host"),
    pytest.param({"Origin": "http://localhost:8080"}, (), 403, id="other-port"),
    pytest.param({"Origin": "https://localhost"}, (), 403, id="other-scheme"),
    pytest.param({"Origin": "http://localhost.evil.example"}, (), 403, id="prefix-trick"),
    pytest.param({"Origin": "null"}, (), 403, id="null-origin"),
    pytest.param({"Origin": "https://evil.example", "Referer": "http://localhost/"}, (), 403, id="origin-wins"),
    pytest.param({"Origin": "https://forms.impart.example.evil.example"}, (OTHER_ORIGIN,), 403,
                 id="allowed-origin-prefix-trick"),
    pytest.param({"Referer": "https://evil.example/request-a-proposal/"}, (), 403, id="other-referer"),
    pytest.param({"Referer": "http://localhost.evil.example/"}, (), 403, id="referer-prefix-trick"),
    pytest.param({}, (), 403, id="no-origin-headers"),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "allowed", "status"), ORIGINS)
def test_only_posts_from_the_site_or_an_allowed_origin_are_taken(make_app, proposals, headers, allowed, status):
    app = make_app(allowed_origins=allowed)
    response = post(Client(app), headers=headers)

    assert response.status_code == status
    if status == 303:
        assert app.store.references() == [reference_from(response)]
    else:
        assert soup(response).title.get_text().startswith("This request did not come from our form")
        assert stored(proposals) == {}


# -- rate limit, methods -------------------------------------------------------------------


def test_over_the_rate_limit_a_client_gets_429_with_retry_after(make_app, proposals):
    client = Client(make_app(rate_limit=(2, 600)))
    for n in range(2):
        assert post(client, valid_submission(name=f"Ada {n}")).status_code == 303
    before = stored(proposals)

    refused = post(client, valid_submission(name="Ada 3"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert soup(refused).title.get_text().startswith("Too many requests")
    assert stored(proposals) == before

    # The limit is per client: another address is still served.
    other = post(client, valid_submission(name="Ada 3"), environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 303
    assert len(stored(proposals)) == 3


@pytest.mark.parametrize(
    ("rate", "unit", "per_unit"),
    [((2, 600), "minutes", 60), ((3, 60), "seconds", 1), ((2, 36000), "hours", 3600)],
    ids=["minutes", "seconds", "hours"],
)
def test_the_429_page_says_when_to_try_again_as_retry_after_does(make_app, proposals, rate, unit, per_unit):
    client = Client(make_app(rate_limit=rate))
    for n in range(rate[0]):
        assert post(client, valid_submission(name=f"Ada {n}")).status_code == 303
    before = stored(proposals)

    refused = post(client, valid_submission(name="Ada again"))

    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    # The limiter's own answer: one more submission every SECONDS/COUNT, less the moments the test took.
    assert rate[1] / rate[0] - 5 <= retry_after <= rate[1] / rate[0]
    text = " ".join(soup(refused).get_text().split())
    said = re.search(rf"send the form again in (?:about )?(\d+) {unit}\.", text)
    assert said, text
    assert int(said.group(1)) == -(-retry_after // per_unit)  # rounded up: waiting that long is enough
    assert stored(proposals) == before


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", ENDPOINT, {"GET", "HEAD", "POST"}),
        ("DELETE", ENDPOINT, {"GET", "HEAD", "POST"}),
        ("PATCH", ENDPOINT, {"GET", "HEAD", "POST"}),
        ("POST", THANKS, {"GET", "HEAD"}),
        ("POST", "/healthz", {"GET", "HEAD"}),
    ],
)
def test_other_methods_get_405_with_allow(client, proposals, method, path, allowed):
    response = client.open(path, method=method, data=_body(), content_type=URLENCODED, headers=ORIGIN)

    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    assert stored(proposals) == {}


# -- honeypot, duplicates, permissions ----------------------------------------------------


@pytest.mark.parametrize("headers", [ORIGIN, JSON_ORIGIN], ids=["html", "json"])
def test_a_filled_honeypot_looks_like_success_but_is_quarantined(client, app, proposals, headers):
    response = post(client, valid_submission(website="https://spam.example"), headers=headers)

    if headers is ORIGIN:
        assert response.status_code == 303
        reference = reference_from(response)
    else:
        assert response.status_code == 201
        reference = response.json["reference"]
    assert app.store.references() == []
    assert app.store.references(app.store.quarantine_dir) == [reference]
    assert list(stored(proposals)) == [f"quarantine/{reference}.json"]
    record = app.store.load(reference, app.store.quarantine_dir)
    assert record["reason"] == "honeypot filled"
    assert record["status"] == "quarantined"


def test_the_same_submission_again_gets_the_same_reference_and_no_second_file(make_app, proposals):
    # A retry is not a new request: it neither writes again nor spends the rate limit.
    client = Client(make_app(rate_limit=(1, 600)))
    first = reference_from(post(client))
    again = post(client)

    assert again.status_code == 303
    assert reference_from(again) == first
    assert list(stored(proposals)) == [f"{first}.json"]


def test_duplicates_are_recognised_for_ten_minutes(app, proposals):
    client = Client(app)
    first = reference_from(post(client))
    now = time.time()

    app.store.clock = lambda: now + 9 * 60
    assert reference_from(post(client)) == first
    assert len(stored(proposals)) == 1

    app.store.clock = lambda: now + 11 * 60
    later = reference_from(post(client))
    assert later != first
    assert sorted(stored(proposals)) == sorted([f"{first}.json", f"{later}.json"])


def test_files_are_0600_and_folders_0700(client, app, proposals):
    post(client)
    post(client, valid_submission(website="spam"))

    for folder in (proposals, app.store.quarantine_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = [proposals / name for name in stored(proposals)]
    assert len(files) == 2
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_proposals_folder_is_tightened_to_0700(make_app, proposals):
    proposals.mkdir()
    proposals.chmod(0o755)
    make_app()

    assert stat.S_IMODE(proposals.stat().st_mode) == 0o700


# -- storage failures ---------------------------------------------------------------------


def _open_failing_under(root, code):
    def fake_open(path, *args, **kwargs):
        if str(path).startswith(str(root)):
            raise OSError(code, os.strerror(code))
        return os.open(path, *args, **kwargs)

    return fake_open


STORAGE_FAILURES = [
    pytest.param("fsync", errno.ENOSPC, id="fsync-ENOSPC"),
    pytest.param("link", errno.ENOSPC, id="link-ENOSPC"),
    pytest.param("write", errno.EIO, id="write-EIO"),
    pytest.param("open", errno.EROFS, id="open-EROFS"),
]


@pytest.mark.parametrize(("call_name", "code"), STORAGE_FAILURES)
def test_a_storage_failure_answers_503_with_the_answers_kept_and_nothing_half_written(
    client, proposals, monkeypatch, call_name, code
):
    failing = _open_failing_under(proposals, code) if call_name == "open" else fail_with(code)
    monkeypatch.setattr(storage, "os", StorageOs(**{call_name: failing}))
    submitted = valid_submission(name="Ada Lovelace ✓")
    response = post(client, submitted)

    assert response.status_code == 503
    assert 1 <= int(response.headers["Retry-After"])
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert "nothing was stored" in page.select_one("[data-impart-problem]").get_text()
    assert CONTACT in page.select_one("[data-impart-problem]").get_text()
    assert page.select_one("input[name=name]")["value"] == submitted["name"]
    assert textarea_value(page, "use_case") == submitted["use_case"]
    monkeypatch.undo()
    leftovers = [p for p in files_under(proposals) if p.suffix == ".json" or p.name.startswith(".tmp-")]
    assert leftovers == []
    assert stored(proposals) == {}


def test_a_storage_failure_answers_json_clients_with_503(client, proposals, monkeypatch):
    monkeypatch.setattr(storage, "os", StorageOs(fsync=fail_with(errno.ENOSPC)))
    response = post(client, headers=JSON_ORIGIN)

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert CONTACT in response.json["error"]
    monkeypatch.undo()
    assert stored(proposals) == {}


def test_a_missing_proposals_folder_answers_503_and_health_says_so(client, proposals):
    shutil.rmtree(proposals)
    response = post(client)

    assert response.status_code == 503
    assert CONTACT in response.get_data(as_text=True)
    assert not proposals.exists() or stored(proposals) == {}
    assert client.get("/healthz").status_code == 503


def test_a_failed_folder_fsync_then_a_retry_leaves_one_proposal(client, app, monkeypatch):
    def fsync_failing_on_folders(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return os.fsync(fd)

    monkeypatch.setattr(storage, "os", StorageOs(fsync=fsync_failing_on_folders))
    first = post(client)
    monkeypatch.undo()
    retry = post(client)

    assert {first.status_code, retry.status_code} <= {303, 503}
    assert retry.status_code == 303
    assert len(app.store.references()) == 1


# -- health and the thank-you page ---------------------------------------------------------


def test_health_is_200_while_the_folder_is_writable(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "outbox": {"pending": 0, "failed": 0, "oldest_pending_seconds": 0}}


@pytest.mark.parametrize("how", ["writable-false", "open-EROFS"])
def test_health_is_503_when_the_folder_is_not_writable(client, proposals, monkeypatch, how):
    if how == "writable-false":
        monkeypatch.setattr(ProposalStore, "writable", lambda self: False)
    else:
        monkeypatch.setattr(storage, "os", StorageOs(open=_open_failing_under(proposals, errno.EROFS)))
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json["status"] != "ok"


def test_the_thank_you_page_shows_the_reference(client):
    reference = reference_from(post(client))
    response = client.get(f"{THANKS}?ref={reference}")

    assert response.status_code == 200
    block = soup(response).select_one("[data-impart-reference]")
    assert not block.has_attr("hidden")
    assert block.select_one("[data-impart-reference-value]").get_text() == reference


@pytest.mark.parametrize(
    "ref",
    ["<script>alert(1)</script>", "20261127-164910-ABCDE0", "../../etc/passwd", "20261127-164910-abcdef", ""],
)
def test_the_thank_you_page_does_not_echo_an_invalid_reference(client, ref):
    response = client.get(THANKS, query_string={"ref": ref})

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    if ref:
        assert ref not in text
    assert "alert(1)" not in text
    block = soup(response).select_one("[data-impart-reference]")
    assert block.has_attr("hidden")
    assert block.select_one("[data-impart-reference-value]").get_text() == ""
