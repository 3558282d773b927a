"""The inbox's pages do what the operator asks: the list pages, filters and searches; a mark that cannot be
made says why and writes nothing; the outbox shows a failed notification and sends it back to pending."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from impart.inbox.listing import PAGE_SIZE
from impart.intake.outbox import Outbox
from impart.intake.workflow import STATUSES, mark
from tests.helpers.inbox import SAME_ORIGIN, csrf_of, fail_for_good, files_of, login, make_inbox, save_proposal


@pytest.fixture
def inbox(tmp_path):
    return make_inbox(tmp_path)


def _client(inbox):
    client = inbox.client()
    assert login(client).status_code == 303
    return client


def _references(response) -> list[str]:
    tree = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [a.get_text() for a in tree.select("tbody a")]


def test_the_list_pages_newest_first(inbox):
    saved = [
        save_proposal(inbox.proposals, inbox.clock.now - 60 * n, organisation=f"Firm {n}") for n in range(PAGE_SIZE + 7)
    ]
    client = _client(inbox)
    first, second = client.get("/inbox/"), client.get("/inbox/?page=2")
    assert _references(first) == saved[:PAGE_SIZE]
    assert _references(second) == saved[PAGE_SIZE:]
    assert "page 1 of 2" in first.get_data(as_text=True)
    assert _references(client.get("/inbox/?page=99")) == saved[PAGE_SIZE:]  # past the end: the last page
    assert _references(client.get("/inbox/?page=-3")) == saved[:PAGE_SIZE]
    assert _references(client.get("/inbox/?page=x")) == saved[:PAGE_SIZE]


def test_the_list_filters_by_status_and_searches_the_answers(inbox):
    plain = save_proposal(inbox.proposals, inbox.clock.now - 300, use_case="Claims triage")
    wanted = save_proposal(inbox.proposals, inbox.clock.now - 200, use_case="Invoice MATCHING for the Heliotrope team")
    other = save_proposal(inbox.proposals, inbox.clock.now - 100, rollback="heliotrope is only in the rollback")
    mark(inbox.app.store, other, "spam", by="test")
    client = _client(inbox)
    assert _references(client.get("/inbox/?q=heliotrope")) == [other, wanted]
    assert _references(client.get("/inbox/?q=invoice+heliotrope")) == [wanted]  # every word, anywhere
    assert _references(client.get("/inbox/?status=spam")) == [other]
    assert _references(client.get("/inbox/?status=new&q=HELIOTROPE")) == [wanted]
    assert _references(client.get("/inbox/?status=no-such-status")) == [other, wanted, plain]
    assert "0 proposals" in client.get("/inbox/?q=absent-word").get_data(as_text=True)


def test_a_changed_file_is_read_again(inbox):
    reference = save_proposal(inbox.proposals, inbox.clock.now - 60)
    client = _client(inbox)
    assert _references(client.get("/inbox/?status=new")) == [reference]
    mark(inbox.app.store, reference, "won", by="cli")  # marked from the shell meanwhile
    assert _references(client.get("/inbox/?status=new")) == []
    assert _references(client.get("/inbox/?status=won")) == [reference]


@pytest.mark.parametrize(
    "form, says",
    [
        ({"status": "new"}, "is already new"),
        ({"status": "finished"}, "is not a status"),
        ({"status": ""}, "is not a status"),
        ({"status": "won", "note": "x" * 2001}, "over the limit of 2000"),
    ],
    ids=["same-status", "unknown", "empty", "note-too-long"],
)
def test_a_mark_that_cannot_be_made_says_why_and_writes_nothing(inbox, form, says):
    reference = save_proposal(inbox.proposals, inbox.clock.now - 60)
    client = _client(inbox)
    csrf = csrf_of(client.get(f"/inbox/p/{reference}"))
    before = files_of(inbox.proposals)
    response = client.post(f"/inbox/p/{reference}/mark", data={**form, "csrf": csrf}, headers=SAME_ORIGIN)
    assert response.status_code == 422
    tree = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert says in tree.find(role="alert").get_text() and "nothing was changed" in tree.find(role="alert").get_text()
    assert tree.title.get_text().startswith("Error: ")
    assert files_of(inbox.proposals) == before


def test_the_outbox_shows_a_failure_and_retries_it(inbox):
    reference = save_proposal(inbox.proposals, inbox.clock.now - 5 * 86400)
    fail_for_good(inbox.proposals, reference, error="mail via 127.0.0.1:2525: <b>refused</b> \u202e")
    client = _client(inbox)
    page = client.get("/inbox/outbox")
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text()
    assert "0 pending, 1 failed" in text and "<b>refused</b> \\u202e" in text
    shown = BeautifulSoup(client.get(f"/inbox/p/{reference}").get_data(as_text=True), "html.parser")
    assert "mail: failed after 1 attempt: mail via 127.0.0.1:2525" in shown.select_one(".notifications").get_text()
    csrf = csrf_of(page)
    assert client.post("/inbox/outbox/retry", data={"reference": reference}, headers=SAME_ORIGIN).status_code == 403
    assert Outbox(inbox.app.store).failed_names() == [f"{reference}.mail"]  # no token: nothing moved
    response = client.post("/inbox/outbox/retry", data={"reference": reference, "csrf": csrf}, headers=SAME_ORIGIN)
    assert response.status_code == 303 and response.headers["Location"] == "/inbox/outbox?retried=1"
    assert Outbox(inbox.app.store).failed_names() == []
    assert [(e.reference, e.state) for e in Outbox(inbox.app.store).entries()] == [(reference, "pending")]
    assert "1 failed notification sent back" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("now, suggested", [("new", "in-review"), ("in-review", "proposal-sent"), ("won", None)])
def test_the_mark_form_offers_every_other_status_and_suggests_the_next(inbox, now, suggested):
    reference = save_proposal(inbox.proposals, inbox.clock.now - 60)
    if now != "new":
        mark(inbox.app.store, reference, now, by="test")
    tree = BeautifulSoup(_client(inbox).get(f"/inbox/p/{reference}").get_data(as_text=True), "html.parser")
    options = tree.select("#new-status option")
    assert [o["value"] for o in options] == [s for s in STATUSES if s != now]
    chosen = [o["value"] for o in options if o.has_attr("selected")]
    assert chosen == ([suggested] if suggested else [])
