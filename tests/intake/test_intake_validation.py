"""`validate()` with the real form definition from docs/request-a-proposal.md."""

from __future__ import annotations

import pytest

from impart.intake.definition import load_form
from impart.intake.validation import validate
from tests.helpers.form import valid_submission
from tests.helpers.site import PROJECT

FORM = load_form(PROJECT / "docs/request-a-proposal.md")


def test_a_valid_submission_gives_clean_values():
    outcome = validate(FORM, valid_submission())

    assert outcome.ok
    assert outcome.errors == {}
    assert outcome.values["consent"] is True
    assert outcome.values["name"] == "Ada Lovelace"
    assert "website" not in outcome.values
    assert outcome.came_from == "/field-notes/pilot-to-production/"
    assert not outcome.honeypot_filled


REQUIRED_MESSAGES = {
    "name": "Enter your name",
    "email": "Enter your work email address",
    "organisation": "Enter organisation",
    "use_case": "Describe what the system should do",
    "operator": "Name the person who will run the system day to day",
    "cost_line": "Select a budget band",
    "success_measure": "Write the success measure, as a number",
    "rollback": "Describe how you would switch the system off",
    "timeline": "Select when you want to start",
    "consent": "Tick the box so that we can reply to you",
}


def test_an_empty_submission_gets_each_required_message_in_the_form_order():
    outcome = validate(FORM, {})

    assert not outcome.ok
    assert outcome.errors == REQUIRED_MESSAGES
    assert list(outcome.errors) == list(REQUIRED_MESSAGES)
    assert "role" not in outcome.errors


@pytest.mark.parametrize("blank", ["", " ", "\n\t "])
@pytest.mark.parametrize("field", ["name", "use_case", "success_measure"])
def test_blank_answers_count_as_missing(field, blank):
    assert validate(FORM, valid_submission(**{field: blank})).errors == {field: REQUIRED_MESSAGES[field]}


def test_an_optional_field_may_be_left_empty():
    assert validate(FORM, valid_submission(role="")).ok


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("name", 120, "Your name must be 120 characters or fewer"),
        ("role", 120, "Your role must be 120 characters or fewer"),
        ("email", 254, "Work email must be 254 characters or fewer"),
        ("use_case", 4000, "What should the system do must be 4000 characters or fewer"),
        ("rollback", 2000, "How would you switch it off must be 2000 characters or fewer"),
    ],
)
def test_too_long_answers_are_refused_at_one_over_the_limit(field, limit, message):
    def value(length: int) -> str:
        if field == "email":  # a local part holds at most 64 characters: the rest of the length is domain
            domain = ("d" * 60 + ".") * 4
            return "a" * (length - len("@") - len(domain) - len("com")) + "@" + domain + "com"
        return "x" * length

    assert validate(FORM, valid_submission(**{field: value(limit)})).ok
    assert validate(FORM, valid_submission(**{field: value(limit + 1)})).errors == {field: message}


def test_length_is_counted_after_nfc_normalisation():
    decomposed = "e\u0301" * 120  # 240 code points as sent, 120 characters once composed
    outcome = validate(FORM, valid_submission(name=decomposed))

    assert outcome.ok
    assert outcome.values["name"] == "é" * 120


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("cost_line", "Under £25,000", True),
        ("cost_line", "Not decided yet", True),
        ("cost_line", "Under £25000", False),
        ("cost_line", "under £25,000", False),
        ("cost_line", "Under £25,000 ", False),
        ("cost_line", "Choose an answer", False),
        ("cost_line", "£1,000,000", False),
        ("timeline", "Later, or not sure yet", True),
        ("timeline", "Tomorrow", False),
    ],
)
def test_a_select_takes_only_its_options(field, value, ok):
    errors = validate(FORM, valid_submission(**{field: value})).errors
    if ok:
        assert errors == {}
    else:
        label = {"cost_line": "budget band", "timeline": "when do you want to start"}[field]
        assert errors == {field: f"Select one of the listed answers for {label}"}


EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("a@example.com", True),
        ("first.last+tag@mail.example.co.uk", True),
        (" a@example.com ", True),
        ("a@example", False),
        ("a.example.com", False),
        ("a@@example.com", False),
        ("a b@example.com", False),
        ("a@example..com", False),
        ("a@.example.com", False),
        ("@example.com", False),
        ("a@example.com.", False),
    ],
)
def test_email_format(email, ok):
    assert validate(FORM, valid_submission(email=email)).errors == ({} if ok else {"email": EMAIL_MESSAGE})


DIGIT_MESSAGE = 'Write the success measure as a number, for example "from 5 days to 2"'


@pytest.mark.parametrize(
    ("measure", "ok"),
    [
        ("from 5 days to 2", True),
        ("0", True),
        ("half the time by June 2027", True),
        ("much faster", False),
        ("from five days to two", False),
        ("٥ days", False),  # Arabic-Indic digits are not the digits the rule asks for
    ],
)
def test_the_success_measure_must_contain_a_digit(measure, ok):
    assert validate(FORM, valid_submission(success_measure=measure)).errors == (
        {} if ok else {"success_measure": DIGIT_MESSAGE}
    )


@pytest.mark.parametrize("value", ["on", "YES", "true", "1", " yes", "no"])
def test_a_checkbox_takes_only_yes(value):
    outcome = validate(FORM, valid_submission(consent=value))

    assert list(outcome.errors) == ["consent"]
    assert outcome.values["consent"] is False


def test_an_unticked_required_checkbox_is_refused():
    outcome = validate(FORM, valid_submission(consent=""))

    assert outcome.errors == {"consent": "Tick the box so that we can reply to you"}
    assert outcome.values["consent"] is False


@pytest.mark.parametrize(
    ("came_from", "kept"),
    [
        ("/field-notes/pilot-to-production/", True),
        ("/", True),
        ("/field-notes/a_b.c~d-e/", True),
        ("", False),
        ("field-notes/pilot-to-production/", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/field-notes/?q=1", False),
        ("/field-notes/#top", False),
        ("/<script>/", False),
        ("/field notes/", False),
        ("/" + "a" * 301, False),
        pytest.param("//evil.example/field-notes/", False, id="protocol-relative"),
        pytest.param("/field-notes/\n", False, id="trailing-newline"),
    ],
)
def test_from_is_kept_only_when_it_is_a_site_path(came_from, kept):
    outcome = validate(FORM, valid_submission(**{"from": came_from}))

    assert outcome.ok
    assert outcome.came_from == (came_from if kept else "")


@pytest.mark.parametrize(("website", "filled"), [("", False), ("   ", False), ("https://spam.example", True)])
def test_the_honeypot_is_noticed_and_never_kept(website, filled):
    outcome = validate(FORM, valid_submission(website=website))

    assert outcome.honeypot_filled is filled
    assert "website" not in outcome.values


def test_the_fingerprint_tells_submissions_apart():
    one = validate(FORM, valid_submission()).fingerprint(FORM.version)

    assert validate(FORM, valid_submission()).fingerprint(FORM.version) == one
    assert validate(FORM, valid_submission(name="Ada L.")).fingerprint(FORM.version) != one
    assert validate(FORM, valid_submission()).fingerprint(FORM.version + 1) != one
