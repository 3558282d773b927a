"""The article page's anatomy, read from a real build with an HTML parser."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urljoin, urlparse

import pytest

from impart.content.readtime import WORDS_PER_MINUTE
from impart.content.typography import typeset_text
from tests.helpers.notes import POSTS, front_matter, note_url, published

MONTHS = "January February March April May June July August September October November December".split()


def prose_words(markdown: str) -> int:
    """Words of the Markdown body, code fences left out: computed apart from impart.content.readtime."""
    without_code = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", without_code))


def test_the_site_has_at_least_five_notes():
    assert len(POSTS) >= 5


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_article_anatomy(built_site, post):
    meta, body = front_matter(post)
    page = built_site.html(note_url(post))

    skip = page.find("a", string=re.compile("Skip to main content"))
    assert skip is not None and skip["href"].startswith("#")
    main = page.find("main")
    target = main.find(id=skip["href"][1:])
    assert target is not None, "the skip link's target is not inside <main>"

    h1s = page.find_all("h1")
    assert [h.get_text(strip=True) for h in h1s] == [meta["title"]]

    article = h1s[0].find_parent("article")
    standfirst = h1s[0].find_next("p")
    assert "impart-standfirst" in standfirst["class"]
    assert standfirst.get_text(strip=True) == typeset_text(" ".join(meta["description"].split()))

    byline = article.find("p", class_="impart-byline")
    date = published(meta)
    minutes = meta.get("readtime") or max(1, math.ceil(prose_words(body) / WORDS_PER_MINUTE))
    day = f"{date.day} {MONTHS[date.month - 1]} {date.year}"
    expected = f"Impart Editorial · {meta['categories'][0]} · {day} · {minutes} min read"
    assert " ".join(byline.get_text().split()) == expected
    assert byline.find("time")["datetime"] == date.isoformat()
    assert standfirst.find_next("p") is byline, "the byline must follow the standfirst"


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_call_to_action_carries_the_note(built_site, post):
    page = built_site.html(note_url(post))
    cta = page.find("aside", class_="impart-cta")
    assert cta is not None
    assert cta.find("p").get_text(strip=True)
    button = cta.find("a")
    assert button.get_text(strip=True) == "Request a Proposal"
    resolved = urlparse(urljoin(f"https://impart.example{note_url(post)}", button["href"]))
    assert resolved.path == "/request-a-proposal/"
    assert parse_qs(resolved.query) == {"from": [note_url(post)]}
    assert built_site.path(resolved.path).is_file(), "the call to action leads to a page that was not built"
    body = page.find(class_="impart-note__body")
    assert body.find_next("aside", class_="impart-cta") is cta, "the call to action must come after the body"
