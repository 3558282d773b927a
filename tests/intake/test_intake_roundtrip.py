"""Hostile values go through the handler and come back from the store exactly as typed (NFC, CRLF read as LF)."""

from __future__ import annotations

import unicodedata

import pytest
from werkzeug.test import Client

from impart.intake.app import create_app
from tests.helpers.form import LOCAL, valid_submission
from tests.helpers.handler import JSON_ORIGIN, expected_fields, multipart, post, stored
from tests.helpers.site import PROJECT

HOSTILE = {
    "newlines": ("use_case", "line one\nline two\n\n  indented line four\n"),
    "crlf": ("rollback", "first\r\nsecond\r\n"),
    "yaml-document-marker": ("organisation", "---"),
    "yaml-document": ("use_case", "---\nkey: value\n...\n"),
    "yaml-python-tag": ("use_case", "!!python/object:os.system"),
    "yaml-octal": ("role", "0o17"),
    "yaml-bool": ("operator", "true"),
    "yaml-null": ("name", "null"),
    "tilde": ("role", "~"),
    "emoji": ("rollback", "🚀 ship it 👩🏽‍💻"),
    "hebrew": ("operator", "שלום עולם"),
    "arabic": ("organisation", "مرحبا بالعالم"),
    "mixed-direction": ("use_case", "Claims \u202bשלום\u202c then مرحبا 42"),
    "decomposed-accent": ("name", "Rene\u0301e"),
    "tab-and-spaces": ("rollback", "\tleading tab and trailing spaces   "),
    "html": ("use_case", '<script>alert("x")</script> & "quotes" \'too\''),
    "json-ish": ("organisation", '{"reference": "20000101-000000-AAAAAA"}'),
    "digit-with-hostile": ("success_measure", "0o17 → 42 🚀\r\nnull"),
    "backslashes": ("use_case", "C:\\Users\\ada\\n not a newline \\u0000"),
}


def stored_form(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))


@pytest.fixture
def app(built_site, tmp_path):
    return create_app(
        PROJECT, origins=LOCAL, site_dir=built_site.root, proposals_dir=tmp_path / "proposals", rate_limit=None
    )


def submit(app, submitted: dict[str, str], encoding: str):
    client = Client(app)
    if encoding == "urlencoded":
        return post(client, submitted, headers=JSON_ORIGIN)
    content_type, body = multipart(submitted.items())
    return post(client, body=body, content_type=content_type, headers=JSON_ORIGIN)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize(("field", "value"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_value_round_trips_exactly(app, encoding, field, value):
    submitted = valid_submission(**{field: value})
    response = submit(app, submitted, encoding)

    assert response.status_code == 201, response.get_data(as_text=True)
    record = app.store.load(response.json["reference"])
    assert record["fields"][field] == stored_form(value)
    assert record["fields"] == expected_fields({k: stored_form(v) for k, v in submitted.items()})


def test_all_hostile_values_at_once_round_trip(app):
    submitted = valid_submission(
        name="Rene\u0301e null",
        organisation="---",
        role="0o17",
        use_case="!!python/object:os.system\r\n---\nkey: value",
        operator="true שלום مرحبا",
        success_measure="🚀 from 5 days to 2",
        rollback="null\n~\n",
    )
    response = submit(app, submitted, "urlencoded")

    assert response.status_code == 201
    fields = app.store.load(response.json["reference"])["fields"]
    assert fields["name"] == "Renée null"
    assert fields["use_case"] == "!!python/object:os.system\n---\nkey: value"
    assert fields == expected_fields({k: stored_form(v) for k, v in submitted.items()})


CONTROL = {
    "nul": "\x00",
    "escape": "\x1b[31m",
    "delete": "\x7f",
    "lone-cr": "a\rb",
    "trailing-cr": "abc\r",
    "backspace": "\x08",
    "vertical-tab": "\x0b",
    "form-feed": "\x0c",
    "c1-next-line": "\x85",
}


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize("value", list(CONTROL.values()), ids=list(CONTROL))
def test_control_characters_are_refused_on_their_field_and_nothing_is_written(app, tmp_path, encoding, value):
    submitted = valid_submission(operator=f"Priya {value} Shah")
    response = submit(app, submitted, encoding)

    assert response.status_code == 422
    assert list(response.json["errors"]) == ["operator"]
    assert "control character" in response.json["errors"]["operator"]
    assert stored(tmp_path / "proposals") == {}


def test_a_control_character_gets_the_page_back_with_the_error(app, tmp_path):
    response = post(Client(app), valid_submission(name="Ada\x00"))

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert '<a href="#name">' in text
    assert "contains a control character" in text
    assert stored(tmp_path / "proposals") == {}
