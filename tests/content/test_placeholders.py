"""Placeholder notices: arrivals, notice text, deadlines and the site-wide switch."""

from __future__ import annotations

import datetime as dt

import pytest

from impart.content.placeholders import (
    Arrival,
    PlaceholderError,
    notice_for,
    parse_arrival,
    parse_placeholder,
    placeholder_settings,
)


@pytest.mark.parametrize(
    ("value", "arrival", "text", "deadline"),
    [
        ("2026-05", Arrival(2026, 5), "May 2026", dt.date(2026, 5, 31)),
        ("2028-02", Arrival(2028, 2), "February 2028", dt.date(2028, 2, 29)),
        (dt.date(2026, 5, 6), Arrival(2026, 5, 6), "6 May 2026", dt.date(2026, 5, 6)),
        ("2026-05-06", Arrival(2026, 5, 6), "6 May 2026", dt.date(2026, 5, 6)),
    ],
)
def test_arrival_is_a_month_or_a_day(value, arrival, text, deadline):
    parsed = parse_arrival(value)
    assert parsed == arrival
    assert parsed.text == text
    assert parsed.deadline == deadline


@pytest.mark.parametrize("value", ["soon", "2026-13", "2026-02-30", "May 2026", 2026, None, "26-05"])
def test_arrival_that_is_not_a_month_or_date_is_refused(value):
    with pytest.raises(PlaceholderError, match=r"'placeholder\.arrives' must be a month or a date, e\.g\. arrives"):
        parse_arrival(value)


def test_notice_text_and_default_label():
    notice = parse_placeholder({"arrives": "2026-05"})
    assert notice.text == "Indicative editorial // Real content arrives May 2026"
    own = parse_placeholder({"arrives": dt.date(2026, 5, 6), "label": "Draft outline"})
    assert own.text == "Draft outline // Real content arrives 6 May 2026"


def test_month_promise_holds_to_the_end_of_the_month():
    notice = parse_placeholder({"arrives": "2026-05"})
    assert notice.days_left(dt.date(2026, 5, 31)) == 0
    assert not notice.is_overdue(dt.date(2026, 5, 31))
    assert notice.is_overdue(dt.date(2026, 6, 1))
    assert notice.days_left(dt.date(2026, 6, 3)) == -3


@pytest.mark.parametrize(
    ("value", "key", "message"),
    [
        ("2026-05", "placeholder", "'placeholder' must be a mapping"),
        ({}, "placeholder.arrives", "'placeholder.arrives' is missing"),
        ({"arrives": "2026-05", "when": 1}, "placeholder.when", "'placeholder.when' is not a placeholder key"),
        ({"arrives": "2026-05", "label": ""}, "placeholder.label", "'placeholder.label' must be text"),
    ],
)
def test_malformed_placeholder_names_the_key(value, key, message):
    with pytest.raises(PlaceholderError) as caught:
        parse_placeholder(value)
    assert caught.value.key == key
    assert str(caught.value).startswith(message)


def test_arrival_before_the_notes_own_date_is_refused():
    settings = placeholder_settings({})
    with pytest.raises(PlaceholderError, match=r"\(2026-03\) is before the note's date \(2026-04-26\)"):
        notice_for({"placeholder": {"arrives": "2026-03"}}, settings, dt.date(2026, 4, 26))
    assert notice_for({"placeholder": {"arrives": "2026-04"}}, settings, dt.date(2026, 4, 26)) is not None


def test_site_wide_switch_marks_every_page_unless_it_opts_out():
    settings = placeholder_settings({"placeholders": {"site_wide": {"arrives": "2027-01"}}})
    assert notice_for({}, settings).arrival == Arrival(2027, 1)
    assert notice_for({"placeholder": False}, settings) is None
    assert notice_for({"placeholder": {"arrives": "2027-03"}}, settings).arrival == Arrival(2027, 3)
    assert notice_for({}, placeholder_settings({})) is None
