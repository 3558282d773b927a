"""Feeds, sitemap, robots.txt and social metadata: one source of truth for dates and authors."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import feedparser
import pytest
from bs4 import BeautifulSoup

from impart.content.typography import typeset_text
from tests.helpers.notes import POSTS, front_matter, note_url, published

SITE = "https://impart.example"
LONDON = ZoneInfo("Europe/London")


def dates(meta):
    created = published(meta)
    updated = meta["date"].get("updated") if isinstance(meta["date"], dict) else None
    return created, updated or created


def indexable_posts():
    return [p for p in POSTS if "placeholder" not in front_matter(p)[0]]


def newest_first(posts):
    return sorted(posts, key=lambda p: dates(front_matter(p)[0])[0], reverse=True)


@pytest.fixture(scope="module")
def rss(built_site):
    return feedparser.parse((built_site.root / "feed_rss_created.xml").read_bytes())


@pytest.fixture(scope="module")
def json_feed(built_site):
    return json.loads((built_site.root / "feed_json_created.json").read_text(encoding="utf-8"))


def test_feeds_list_exactly_the_indexable_notes_newest_first(rss, json_feed):
    assert rss.bozo == 0, rss.bozo_exception
    assert rss.version == "rss20"
    expected = [f"{SITE}{note_url(p)}" for p in newest_first(indexable_posts())]
    assert [entry.link for entry in rss.entries] == expected
    assert json_feed["version"].startswith("https://jsonfeed.org/version/")
    assert [item["url"] for item in json_feed["items"]] == expected


def test_feed_items_carry_title_standfirst_author_category_and_date(rss, json_feed):
    by_url = {item["url"]: item for item in json_feed["items"]}
    for entry, post in zip(rss.entries, newest_first(indexable_posts()), strict=True):
        meta, _ = front_matter(post)
        created, updated = dates(meta)
        assert entry.title == meta["title"]
        assert entry.summary == typeset_text(" ".join(meta["description"].split()))
        assert entry.author == "Impart Editorial"
        assert [t.term for t in entry.tags] == meta["categories"]
        assert dt.datetime(*entry.published_parsed[:6], tzinfo=dt.UTC).astimezone(LONDON).date() == created
        item = by_url[entry.link]
        assert item["title"] == meta["title"]
        assert item["content_html"] == entry.summary
        assert [a["name"] for a in item["authors"]] == ["Impart Editorial"]
        assert item["tags"] == meta["categories"]
        assert dt.datetime.fromisoformat(item["date_published"]).date() == created
        assert dt.datetime.fromisoformat(item["date_modified"]).date() == updated


def metadata_of(page: BeautifulSoup) -> dict:
    og = {}
    for tag in page.find_all("meta", attrs={"property": True}):
        og.setdefault(tag["property"], []).append(tag["content"])
    scripts = page.find_all("script", attrs={"type": "application/ld+json"})
    assert len(scripts) == 1
    return {"og": og, "ld": json.loads(scripts[0].string)}


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_every_date_and_author_agrees(built_site, json_feed, post):
    meta, _ = front_matter(post)
    created, updated = dates(meta)
    page = built_site.html(note_url(post))
    found = metadata_of(page)
    og, ld = found["og"], found["ld"]
    byline = page.find("article").find(class_="impart-byline")

    assert byline.find("time")["datetime"] == created.isoformat()
    assert ld["@type"] == "Article"
    assert (ld["datePublished"], ld["dateModified"]) == (created.isoformat(), updated.isoformat())
    assert og["article:published_time"] == [created.isoformat()]
    assert og["article:modified_time"] == [updated.isoformat()]
    author = byline.get_text(" ", strip=True).split(" · ")[0]
    assert [a["name"] for a in ld["author"]] == [author] == og["article:author"]
    assert og["article:section"] == meta["categories"] == [ld["articleSection"]]
    assert ld["headline"] == meta["title"] == og["og:title"][0]
    url = f"{SITE}{note_url(post)}"
    assert ld["mainEntityOfPage"]["@id"] == url == og["og:url"][0]
    assert page.find("link", rel="canonical")["href"] == url
    assert page.find("meta", attrs={"name": "description"})["content"] == ld["description"]
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"

    sitemap = (built_site.root / "sitemap.xml").read_text()
    entry = re.search(rf"<loc>{re.escape(url)}</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap)
    if "placeholder" in meta:
        assert entry is None and url not in sitemap
    else:
        assert entry.group(1) == updated.isoformat()
        item = next(i for i in json_feed["items"] if i["url"] == url)
        assert dt.datetime.fromisoformat(item["date_published"]).date() == created


def test_sitemap_lists_indexable_pages_only(built_site):
    urls = re.findall(r"<loc>([^<]+)</loc>", (built_site.root / "sitemap.xml").read_text())
    assert len(urls) >= 8
    for url in urls:
        page = built_site.html(url.removeprefix(SITE))
        robots = page.find("meta", attrs={"name": "robots"})
        assert robots is None or "noindex" not in robots["content"], url


def test_robots_txt_points_at_the_sitemap(built_site):
    robots = (built_site.root / "robots.txt").read_text()
    assert f"Sitemap: {SITE}/sitemap.xml" in robots.splitlines()


def test_every_page_advertises_the_feeds(built_site):
    for path in built_site.pages():
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        types = {link["type"] for link in page.find_all("link", rel="alternate") if link.get("type")}
        assert {"application/rss+xml", "application/feed+json"} <= types, path


def test_thank_you_page_is_noindex_and_out_of_the_sitemap(built_site):
    page = built_site.html("/request-a-proposal/thanks/")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    sitemap = (built_site.root / "sitemap.xml").read_text()
    assert "/request-a-proposal/thanks/" not in sitemap
    assert f"<loc>{SITE}/request-a-proposal/</loc>" in sitemap


def test_the_404_page_is_the_sites_own_and_answered_with_404(site_server):
    import urllib.error
    import urllib.request

    base, _ = site_server
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{base}/no-such-note/", timeout=10)
    assert answer.value.code == 404
    page = BeautifulSoup(answer.value.read().decode("utf-8"), "html.parser")
    assert page.find("h1").get_text(strip=True) == "Page not found"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("a", href="/field-notes/"), "the page leads back to the notes"
    assert page.find("a", class_="impart-skip"), "the site's own layout, skip link included"
