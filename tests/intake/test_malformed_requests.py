"""Requests the handler must read exactly or refuse: cross-origin reading, reserved names, malformed multipart,
a dedupe record that fails, state files that must not grow, a form that changed under the prospect."""

from __future__ import annotations

import errno
import time

import pytest
from werkzeug.test import Client

from impart.intake import storage
from impart.intake.app import create_app
from impart.intake.definition import FormDefinitionError, parse_form
from impart.intake.settings import intake_settings
from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.site import PROJECT

OTHER = "https://www.impart.example"


@pytest.fixture
def app(built_site, tmp_path):
    return create_app(
        PROJECT,
        origins=LOCAL,
        site_dir=built_site.root,
        proposals_dir=tmp_path / "proposals",
        rate_limit=None,
        allowed_origins=[OTHER],
    )


def test_an_allowed_origin_may_read_the_answer_and_others_may_not(app):
    client = Client(app)
    allowed = client.post(
        "/request-a-proposal/", data=valid_submission(), headers={"Origin": OTHER, "Accept": "application/json"}
    )
    assert allowed.status_code == 201
    assert allowed.headers["Access-Control-Allow-Origin"] == OTHER
    assert "Origin" in allowed.headers["Vary"]
    own = client.post("/request-a-proposal/", data=valid_submission(name="Own"), headers={"Origin": "http://localhost"})
    assert own.status_code == 303 and "Access-Control-Allow-Origin" not in own.headers
    foreign = client.post("/request-a-proposal/", data=valid_submission(), headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign.headers


@pytest.mark.parametrize("name", ["action", "elements", "method", "length", "dataset", "from"])
def test_names_that_would_hide_the_forms_own_properties_are_refused(name):
    raw = {"version": 1, "fields": [{"name": name, "label": "X", "type": "text"}]}
    with pytest.raises(FormDefinitionError, match=f"form field '{name}': the name is reserved"):
        parse_form(raw, "docs/request-a-proposal.md")


@pytest.mark.parametrize("value", ["off", "OFF", " off "])
def test_autocomplete_off_on_an_answer_is_refused_as_back_would_empty_it(value):
    raw = {"version": 1, "fields": [{"name": "operator", "label": "X", "type": "text", "autocomplete": value}]}
    with pytest.raises(FormDefinitionError, match="form field 'operator': autocomplete \"off\" empties this answer"):
        parse_form(raw, "docs/request-a-proposal.md")


MALFORMED = [
    ("multipart/form-data; boundary*=UTF-8''%E2%82%AC", b"--x--\r\n", "boundary is not plain text"),
    (
        "multipart/form-data; boundary=x",
        b"--x\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--x--\r\n",
        "a part has no field name",
    ),
]


@pytest.mark.parametrize(("content_type", "body", "message"), MALFORMED, ids=["rfc2231 boundary", "nameless part"])
def test_malformed_multipart_is_a_400_and_writes_nothing(app, tmp_path, content_type, body, message):
    response = Client(app).post(
        "/request-a-proposal/", data=body, content_type=content_type, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert list((tmp_path / "proposals").glob("*.json")) == []


def test_a_stored_proposal_is_acknowledged_even_if_its_dedupe_record_fails(app, tmp_path, monkeypatch):
    real_pwrite = storage.os.pwrite

    def failing_pwrite(fd, data, offset):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "pwrite", failing_pwrite)
    response = Client(app).post("/request-a-proposal/", data=valid_submission(), headers={"Origin": "http://localhost"})
    monkeypatch.setattr(storage.os, "pwrite", real_pwrite)
    assert response.status_code == 303
    reference = response.headers["Location"].split("ref=")[1]
    assert [p.name for p in (tmp_path / "proposals").glob("*.json")] == [f"{reference}.json"]


def test_a_site_under_a_path_finds_its_built_pages():
    settings = intake_settings({}, "https://impart.example/impart/")
    assert settings.path == "/impart/request-a-proposal/"
    assert settings.in_site(settings.path) == "request-a-proposal/"
    assert settings.in_site(settings.thanks) == "request-a-proposal/thanks/"


def test_state_files_do_not_grow_without_bound(tmp_path):
    from impart.intake.rate_limit import RateLimited, RateLimiter
    from impart.intake.storage import ProposalStore

    now = [time.time()]  # dedupe records are aged by their files' real modification time
    store = ProposalStore(tmp_path / "p", clock=lambda: now[0])
    store.prepare()
    for i in range(3):
        store.save({"name": str(i)}, version=1, came_from="", fingerprint=f"fp{i}")
    assert len(list(store.dedupe_dir.iterdir())) == 3
    now[0] += store.dedupe_window + 1
    assert store.prune_dedupe_records() == 3 and list(store.dedupe_dir.iterdir()) == []

    limiter = RateLimiter(tmp_path / "rate", 1, 60, clock=lambda: now[0])
    limiter.admit("a")
    limiter.admit("b")
    with pytest.raises(RateLimited):
        limiter.admit("a")
    assert limiter.prune() == 0, "both buckets are still empty"
    now[0] += 61
    assert limiter.prune() == 2 and list((tmp_path / "rate").iterdir()) == []
    limiter.admit("a")  # a forgotten client starts afresh


def test_a_refused_submission_leaves_no_dedupe_record(built_site, tmp_path):
    app = create_app(
        PROJECT, origins=LOCAL, site_dir=built_site.root, proposals_dir=tmp_path / "proposals", rate_limit=(1, 600)
    )
    client = Client(app)
    headers = {"Origin": "http://localhost"}
    assert client.post("/request-a-proposal/", data=valid_submission(name="One"), headers=headers).status_code == 303
    for i in range(5):
        assert (
            client.post("/request-a-proposal/", data=valid_submission(name=f"N{i}"), headers=headers).status_code == 429
        )
    assert len(list((tmp_path / "proposals/.state/dedupe").iterdir())) == 1


def test_a_form_that_changed_under_the_prospect_comes_back_with_the_answers(app, tmp_path):
    submitted = valid_submission(name="Kept Answers")
    submitted["budget"] = submitted.pop("cost_line")  # a field renamed since the page was opened
    response = Client(app).post("/request-a-proposal/", data=submitted, headers={"Origin": "http://localhost"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form has changed since the page was opened" in page
    assert 'value="Kept Answers"' in page and "<title>Error: " in page
    assert list((tmp_path / "proposals").glob("*.json")) == []
