"""Requests made to break the handler: the honeypot, one-line fields, limits, media types, framing, IPv6 clients,
and /healthz; each refused or bounded, and nothing written when refused."""

from __future__ import annotations

import logging

import pytest
from werkzeug.test import Client, EnvironBuilder

from impart.intake.app import MAX_ANSWERS, MAX_BODY
from impart.intake.definition import load_form
from tests.helpers.form import valid_submission
from tests.helpers.handler import ENDPOINT, ORIGIN, URLENCODED, multipart, soup, stored, urlencoded
from tests.helpers.site import PROJECT

FORM = load_form(PROJECT / "docs/request-a-proposal.md")


@pytest.fixture
def client(make_app):
    return Client(make_app())


def post(client, fields, **kw):
    return client.post(ENDPOINT, data=urlencoded(fields), content_type=URLENCODED, headers=ORIGIN, **kw)


# -- the honeypot's answers are checked like anyone's ------------------------------------------------------

BOT = valid_submission(website="https://spam.example")
HONEYPOT_WITH_BAD_ANSWERS = [
    pytest.param({"name": "N" * 20000}, "name", id="20000-character-name"),
    pytest.param({"email": "nope"}, "email", id="invalid-email"),
    pytest.param({"organisation": "Acme\x01\x1b[2J"}, "organisation", id="control-characters"),
    pytest.param({"success_measure": "much faster"}, "success_measure", id="no-number"),
]


@pytest.mark.parametrize(("changes", "field"), HONEYPOT_WITH_BAD_ANSWERS)
def test_a_filled_honeypot_with_invalid_answers_is_refused_like_any_and_nothing_is_kept(
    client, proposals, changes, field
):
    response = post(client, {**BOT, **changes})

    assert response.status_code == 422
    assert soup(response).select_one(f"#{field}-error") is not None
    assert stored(proposals) == {}  # neither a proposal nor a quarantined one


def test_a_filled_honeypot_with_valid_answers_is_still_quarantined(client, proposals):
    assert post(client, BOT).status_code == 303
    assert [name.split("/")[0] for name in stored(proposals)] == ["quarantine"]


# -- one-line fields ----------------------------------------------------------------------------------------

LINE_BREAKS = [
    pytest.param("name", "Ada\nLovelace", id="name-newline"),
    pytest.param("name", "Ada\r\nLovelace", id="name-crlf"),
    pytest.param("organisation", "Analytical\u2028Engines", id="organisation-line-separator"),
    pytest.param("email", "a@example.com\nBcc: b@example.com", id="email-header-injection"),
    pytest.param("operator", "Priya Shah\n", id="operator-trailing-newline"),
]


@pytest.mark.parametrize(("field", "value"), LINE_BREAKS)
def test_one_line_fields_refuse_line_breaks(client, proposals, field, value):
    response = post(client, valid_submission(**{field: value}))

    assert response.status_code == 422
    assert "must be on one line" in soup(response).select_one(f"#{field}-error").get_text()
    assert stored(proposals) == {}


def test_one_line_fields_are_stored_trimmed_and_text_areas_as_typed(make_app):
    app = make_app()
    use_case = "  Indented first line.\nSecond line.  "
    answers = valid_submission(name="  Ada Lovelace\t", organisation=" Analytical Engines Ltd ", use_case=use_case)
    response = post(Client(app), answers)

    assert response.status_code == 303
    fields = app.store.load(app.store.references()[0])["fields"]
    assert (fields["name"], fields["organisation"]) == ("Ada Lovelace", "Analytical Engines Ltd")
    assert fields["use_case"] == use_case


# -- the limit counts answers, not their encoding -------------------------------------------------------------


def at_every_limit(letter: str) -> dict[str, str]:
    """The real form with every text field at its max_length, written in `letter`'s script."""
    answers = valid_submission()
    for f in FORM.visible_fields:
        if f.type in ("text", "textarea", "tel"):
            answers[f.name] = ("1" if "contains_digit" in f.rules else "") + letter * f.max_length
            answers[f.name] = answers[f.name][: f.max_length]
    # An address is the one answer kept to ASCII (the site mails no other: see rules.TYPE_CHECKS), with at most
    # 64 characters before the @: at its limit, the rest is domain.
    email = next(f for f in FORM.visible_fields if f.name == "email")
    domain = ("d" * 60 + ".") * 4 + "com"
    answers["email"] = "a" * (email.max_length - len("@") - len(domain)) + "@" + domain
    return answers


@pytest.mark.parametrize("letter", ["e", "é", "Ж", "界", "𝔸", "😀"])
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_form_at_every_fields_limit_is_accepted_in_any_script(make_app, letter, encoding):
    app = make_app()
    answers = at_every_limit(letter)
    if encoding == "urlencoded":
        content_type, body = URLENCODED, urlencoded(answers)
    else:
        content_type, body = multipart(list(answers.items()))
    assert len(body) <= MAX_BODY

    response = Client(app).post(ENDPOINT, data=body, content_type=content_type, headers=ORIGIN)

    assert response.status_code == 303, soup(response).select_one(".impart-error-summary")
    assert app.store.load(app.store.references()[0])["fields"]["use_case"] == answers["use_case"]


def test_answers_over_the_limit_get_the_form_back_with_them_not_a_bare_413(client, proposals):
    long_text = "界" * 22000  # 66,000 bytes of UTF-8, and 198,000 once URL-encoded: under the byte limit
    answers = valid_submission(use_case=long_text, name="Ada Lovelace")
    body = urlencoded(answers)
    assert len(body) < MAX_BODY and len(long_text.encode()) > MAX_ANSWERS

    response = client.post(ENDPOINT, data=body, content_type=URLENCODED, headers=ORIGIN)

    assert response.status_code == 413
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one("textarea[name=use_case]").get_text().removeprefix("\n") == long_text
    assert page.select_one("input[name=name]")["value"] == "Ada Lovelace"
    assert stored(proposals) == {}


# -- media types, framing, headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["APPLICATION/X-WWW-FORM-URLENCODED", "Application/x-www-form-urlencoded; Charset=UTF-8", "multipart"],
)
def test_media_types_compare_without_case(make_app, content_type):
    app = make_app()
    if content_type == "multipart":
        kind, body = multipart(list(valid_submission().items()))
        content_type = kind.replace("multipart/form-data", "Multipart/Form-Data")
    else:
        body = urlencoded(valid_submission())

    response = Client(app).post(ENDPOINT, data=body, content_type=content_type, headers=ORIGIN)

    assert response.status_code == 303
    assert len(app.store.references()) == 1


def test_both_framing_headers_are_refused_by_the_app_too(make_app, proposals):
    """For servers that pass both on; `impart serve` refuses them itself, and closes (serve/test_serve_framing.py)."""
    app = make_app()
    environ = EnvironBuilder(
        path=ENDPOINT, method="POST", data=urlencoded(valid_submission()), content_type=URLENCODED, headers=ORIGIN
    ).get_environ()
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"

    response = Client(app).open(environ)

    assert response.status_code == 400
    assert "Content-Length and Transfer-Encoding" in soup(response).get_text()
    assert stored(proposals) == {}


@pytest.mark.parametrize(
    ("method", "path", "fields"),
    [
        ("GET", "/request-a-proposal/", None),
        ("GET", "/request-a-proposal/thanks/?ref=20261127-164437-ABCDEF", None),
        ("GET", "/request-a-proposal/nowhere", None),
        ("POST", "/request-a-proposal/", valid_submission(email="nope")),
    ],
    ids=["form", "thanks", "not-found", "invalid"],
)
def test_the_handlers_pages_cannot_be_framed(client, method, path, fields):
    data = urlencoded(fields) if fields else None
    response = client.open(path, method=method, data=data, content_type=URLENCODED, headers=ORIGIN)

    assert response.mimetype == "text/html"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# -- /healthz -----------------------------------------------------------------------------------------------


def test_health_probes_the_folder_at_most_once_a_second_and_logs_only_trouble(make_app, caplog):
    app = make_app()
    probes = []
    writable = app.store.writable
    app.store.writable = lambda: probes.append(1) or writable()
    client = Client(app)

    with caplog.at_level(logging.INFO, logger="impart.intake"):
        statuses = [client.get("/healthz").status_code for _ in range(20)]

    assert statuses == [200] * 20
    assert len(probes) == 1
    assert [r for r in caplog.records if "/healthz" in r.getMessage()] == []
