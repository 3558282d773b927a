"""A date YAML reads but no calendar has is one front-matter error naming the key and its line, not a
ValueError from deep in the YAML loader (which gave a traceback in the build)."""

import pytest

from impart.content.front_matter import FrontMatterSyntaxError, split_front_matter

CASES = [
    ("title: A\ndate: 2026-13-01\n", 3, "date: 2026-13-01 is not a date (month must be in 1..12)"),
    ("title: A\ndate: 2026-02-30 10:00:00\n", 3, "date: 2026-02-30 10:00:00 is not a date (day is out of range"),
    (
        "title: A\ndate:\n  created: 2026-02-01\n  updated: 2026-04-31\nplaceholder: {arrives: 2026-13-01}\n"
        "updated: 2026-02-30\n",
        5,
        "date.updated: 2026-04-31 is not a date (day is out of range for month)",  # the first in the file
    ),
    ("title: A\ntags: [2026-02-01, 2026-00-10]\n", 3, "tags: 2026-00-10 is not a date (month must be in 1..12)"),
]


@pytest.mark.parametrize(("front_matter", "line", "start"), CASES)
def test_an_impossible_date_names_its_key_and_line(front_matter, line, start):
    with pytest.raises(FrontMatterSyntaxError) as raised:
        split_front_matter(f"---\n{front_matter}---\n\nBody.\n")
    assert str(raised.value).startswith(start), str(raised.value)
    assert str(raised.value).endswith("; write a real day as YYYY-MM-DD")
    assert raised.value.line == line


def test_a_real_date_is_read_as_one():
    meta, body = split_front_matter("---\ndate: 2028-02-29\n---\nBody.\n")
    assert str(meta["date"]) == "2028-02-29" and body == "Body.\n"
