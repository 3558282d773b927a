"""What follows a note ("More field notes", previous and next) and the front page's choice of notes.

The rules on small tables (impart.content.related_notes), then the real build's pages against
the notes' own front matter.
"""

from __future__ import annotations

import datetime as dt

import pytest

from impart.content.related_notes import NoteRef, categories_in_order, front_page, more_notes, neighbours
from tests.helpers.notes import POSTS, front_matter, note_url, published


def ref(key: str, category: str, day: str, indicative: bool = False) -> NoteRef:
    return NoteRef(key=key, category=category, date=dt.date.fromisoformat(day), indicative=indicative, item=key)


NOTES = [
    ref("a", "Ops", "2026-01-01"),
    ref("b", "Ops", "2026-02-01"),
    ref("c", "Measure", "2026-03-01"),
    ref("d", "Ops", "2026-04-01", indicative=True),
    ref("e", "Measure", "2026-05-01"),
    ref("f", "Field", "2026-06-01"),
]


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        ("a", ["b", "f", "e"]),  # its one real Ops sibling, then the latest; the indicative Ops note is not picked
        ("b", ["a", "f", "e"]),
        ("c", ["e", "f", "b"]),  # same category first, then the latest of the rest
        ("f", ["e", "c", "b"]),  # no sibling: the latest, never itself
        ("d", ["b", "a", "f"]),  # an indicative note still leads to its category's real notes
    ],
)
def test_more_notes_same_category_first_then_latest_never_itself_placeholders_last(current, expected):
    this = next(n for n in NOTES if n.key == current)
    assert [n.key for n in more_notes(this, NOTES)] == expected


def test_placeholders_come_last_when_there_is_room_for_them():
    few = [NOTES[0], NOTES[3], NOTES[4]]
    assert [n.key for n in more_notes(few[0], few)] == ["e", "d"]


@pytest.mark.parametrize(
    ("current", "previous", "following"),
    [("a", None, "b"), ("c", "b", "d"), ("f", "e", None)],
)
def test_previous_and_next_by_date(current, previous, following):
    this = next(n for n in NOTES if n.key == current)
    before, after = neighbours(this, NOTES)
    assert (before and before.key, after and after.key) == (previous, following)


def test_front_page_leads_with_the_latest_real_note():
    lead, rest = front_page(NOTES, 4)
    assert lead.key == "f"
    assert [n.key for n in rest] == ["e", "c", "b"]
    assert front_page([], 4) == (None, [])


# -- the built pages -----------------------------------------------------------------


def notes_meta():
    found = []
    for post in POSTS:
        meta, _ = front_matter(post)
        found.append((note_url(post), meta["categories"][0], published(meta), "placeholder" in meta, meta["title"]))
    return found


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_each_note_ends_with_more_notes_and_its_neighbours(built_site, post):
    url = note_url(post)
    everything = notes_meta()
    this = next(n for n in everything if n[0] == url)
    page = built_site.html(url)

    by_date = sorted(everything, key=lambda n: (n[2], n[0]))
    at = by_date.index(this)
    neighbours_ = {by_date[i][0] for i in (at - 1, at + 1) if 0 <= i < len(by_date)}
    more = page.find("section", class_="impart-more")
    titles = [a.get_text(strip=True) for a in more.select(".impart-summary__title a")]
    # More field notes never repeats the previous and next note linked just below it.
    others = [n for n in everything if n[0] != url and n[0] not in neighbours_]
    others.sort(key=lambda n: n[2], reverse=True)
    others.sort(key=lambda n: (n[3], n[1] != this[1]))
    assert titles == [n[4] for n in others[:3]]
    assert this[4] not in titles
    assert more.find_previous(class_="impart-cta") is not None or "cta: false" in post.read_text()

    pager = page.find("nav", class_="impart-pager")
    previous = pager.find("a", rel="prev")
    following = pager.find("a", rel="next")
    if at > 0:
        assert previous.find(class_="impart-pager__title").get_text(strip=True) == by_date[at - 1][4]
    else:
        assert previous is None
    if at + 1 < len(by_date):
        assert following.find(class_="impart-pager__title").get_text(strip=True) == by_date[at + 1][4]
    else:
        assert following is None


def test_categories_once_each_in_the_configured_order():
    from types import SimpleNamespace as Thing

    ops, measure = Thing(title="Ops"), Thing(title="Measure")
    pages = [Thing(categories=[measure]), Thing(categories=[ops]), Thing(categories=[measure])]
    assert categories_in_order(pages, ["Field", "Ops", "Measure"]) == [ops, measure]
