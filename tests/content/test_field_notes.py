"""The front-matter schema, checked directly: one table of mistakes and their messages."""

from __future__ import annotations

import datetime as dt

import pytest

from impart.content.field_notes import CallToAction, parse_note, remove_title_heading

AUTHORS = {"impart": "Impart Editorial"}
CATEGORIES = ("Field notes", "Operations")
GOOD = {
    "title": "A good note",
    "description": "x" * 60,
    "date": dt.date(2026, 4, 26),
    "authors": ["impart"],
    "categories": ["Field notes"],
}


def parse(meta, body=""):
    return parse_note(meta, body, "posts/n.md", AUTHORS, CATEGORIES, "authors.yml")


def test_a_good_note_parses():
    note, problems = parse(GOOD)
    assert problems == []
    assert note.created == dt.date(2026, 4, 26)
    assert note.author_names == ("Impart Editorial",)
    assert note.category == "Field notes"
    assert note.cta is None


MISTAKES = [
    ({"title": None}, "title", "'title' is missing"),
    ({"description": "x" * 301}, "description", "'description' is 301 characters"),
    ({"description": 5}, "description", "'description' must be text"),
    ({"date": "26 April"}, "date", "'date' must be a date like 2026-04-26, not '26 April'"),
    ({"date": {"updated": dt.date(2026, 5, 1)}}, "date.created", "'date.created' must be a date"),
    (
        {"date": {"created": dt.date(2026, 5, 1), "edited": dt.date(2026, 5, 2)}},
        "date",
        "'date.edited' is not a date field",
    ),
    ({"authors": []}, "authors", "'authors' must be a list of author keys"),
    ({"categories": []}, "categories", "'categories' lists 0 categories"),
    ({"readtime": 0}, "readtime", "'readtime' must be a whole number"),
    ({"readtime": True}, "readtime", "'readtime' must be a whole number"),
    ({"cta": "yes"}, "cta", "'cta' must be false, or a lead and a label"),
    ({"cta": {"lead": "Hi"}}, "cta", "'cta' must be false, or a lead and a label"),
    ({"authors": ["impart", "impart"]}, "authors", "'authors' names 'impart' more than once; list each author once"),
    ({"slug": "short"}, "slug", "'slug' is not used on this site: a note's address is its file name here"),
    ({"links": ["a.md"]}, "links", "'links' is not used on this site: field notes show no sidebar"),
    ({"pin": True}, "pin", "'pin' is not used on this site: listings here are newest first"),
    ({"tags": ["ops"]}, "tags", "'tags' is not used on this site: the site has no tags"),
]


@pytest.mark.parametrize(("change", "key", "message"), MISTAKES, ids=[m[2] for m in MISTAKES])
def test_each_mistake_names_file_key_and_fix(change, key, message):
    meta = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    note, problems = parse(meta)
    assert note is None
    assert [p.key for p in problems] == [key]
    assert str(problems[0]).startswith(f"posts/n.md: {message}")


@pytest.mark.parametrize(
    ("slug", "fix"),
    [
        ("Night Shift Handover", "; rename the file posts/night-shift-handover.md and remove this line"),
        ("/blog/2026/keys/", "; rename the file posts/keys.md and remove this line"),
        ("n", ", and this file's name gives that address already; remove this line"),
    ],
)
def test_a_slug_is_refused_with_the_file_name_that_gives_its_address(slug, fix):
    note, problems = parse({**GOOD, "slug": slug})
    assert note is None
    assert [str(p) for p in problems] == [
        f"posts/n.md: 'slug' is not used on this site: a note's address is its file name here (post_url_format){fix}"
    ]


def test_title_may_come_from_the_first_heading():
    meta = {k: v for k, v in GOOD.items() if k != "title"}
    note, problems = parse(meta, "Intro.\n\n# The real title\n\nBody.\n")
    assert problems == []
    assert (note.title, note.title_from_h1) == ("The real title", True)
    assert remove_title_heading("# The real title\n\nBody.\n").strip() == "Body."


def test_cta_may_be_off_or_its_own():
    assert parse({**GOOD, "cta": False})[0].cta is False
    own = parse({**GOOD, "cta": {"lead": "Stuck?", "label": "Ask us"}})[0].cta
    assert own == CallToAction(lead="Stuck?", label="Ask us")


def test_unknown_key_is_a_warning_not_an_error():
    note, problems = parse({**GOOD, "catgories": ["x"]})
    assert note is not None
    assert [(p.severity, p.key) for p in problems] == [("warning", "catgories")]
    assert "did you mean 'categories'?" in problems[0].message


def test_a_title_and_a_heading_is_an_error_naming_the_line_to_remove():
    body = "```sh\n# a shell comment, not a heading\n```\n\n# The same title again\n\nBody.\n"
    note, problems = parse_note(GOOD, body, "posts/n.md", AUTHORS, CATEGORIES, "authors.yml", first_line=8)
    assert note is None
    assert [str(p) for p in problems] == [
        "posts/n.md:12: the note has both 'title:' and the heading '# The same title again', two headlines; "
        "remove this '# ' line (the page prints title: as its headline)"
    ]


def test_a_colon_in_an_unquoted_value_says_to_quote_it():
    from impart.content.front_matter import FrontMatterSyntaxError, split_front_matter

    with pytest.raises(FrontMatterSyntaxError) as raised:
        split_front_matter("---\ntitle: T\ndescription: Four numbers: the review\n---\nBody\n")
    assert str(raised.value) == (
        "the front matter is not valid YAML; "
        "a value with ': ' in it goes in quotes, e.g. description: \"Four numbers: the review\""
    )
    assert raised.value.line == 3  # the file's line: impart check prints it as file:3


def test_a_byte_order_mark_is_part_of_neither_the_front_matter_nor_the_body():
    from impart.content.front_matter import split_front_matter

    assert split_front_matter("\ufeff---\ntitle: T\n---\nBody\n") == ({"title": "T"}, "Body\n")
    assert split_front_matter("---\ntitle: T\n---\nBody\n") == ({"title": "T"}, "Body\n")
