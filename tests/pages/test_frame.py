"""The publication's frame and its ways on: masthead, footer, linked bylines, category pages, Newer and Older,
indicative notes never among the latest; and in Chromium, one column on every page type."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from impart.content.related_notes import NoteRef, front_page, latest_in_each_category, more_notes
from tests.helpers.site import PROJECT

PAGES = {
    "home": "/",
    "listing": "/field-notes/",
    "older listing": "/field-notes/page/2/",
    "category": "/field-notes/category/operations/",
    "archive": "/field-notes/archive/2026/",
    "note": "/field-notes/pilot-to-production/",
    "indicative note": "/field-notes/evaluation-in-production/",
    "proposal": "/request-a-proposal/",
    "thanks": "/request-a-proposal/thanks/",
    "not found": "/404.html",
}
CATEGORIES = ["Field notes", "Operations", "Measurement"]
INDICATIVE = "Keeping evaluation running after launch"


def ref(key, category, day, indicative=False):
    return NoteRef(key=key, category=category, date=dt.date.fromisoformat(day), indicative=indicative, item=key)


NOTES = [
    ref("a", "Ops", "2026-01-01"),
    ref("b", "Ops", "2026-02-01"),
    ref("c", "Measure", "2026-03-01"),
    ref("d", "Measure", "2026-07-01", indicative=True),  # the newest, but indicative
]


# -- the choice of notes --------------------------------------------------------------


def test_an_indicative_note_is_never_among_the_latest_while_a_real_one_exists():
    lead, rest = front_page(NOTES, 10)
    assert (lead.key, [n.key for n in rest]) == ("c", ["b", "a"])
    only_indicative = [NOTES[3]]
    assert front_page(only_indicative, 4)[0].key == "d"


def test_each_category_section_puts_real_notes_before_indicative_ones():
    sections = latest_in_each_category(NOTES, 2)
    assert {k: [n.key for n in v] for k, v in sections.items()} == {"Ops": ["b", "a"], "Measure": ["c", "d"]}


def test_more_notes_leave_out_what_is_already_linked_below():
    assert [n.key for n in more_notes(NOTES[0], NOTES, 3, exclude={"b"})] == ["c", "d"]


# -- the built pages ------------------------------------------------------------------


def target(built_site, page_url: str, href: str):
    """The built file a link on `page_url` leads to (None for mailto and other hosts)."""
    absolute = urlsplit(urljoin("http://site" + page_url, href))
    if absolute.scheme != "http" or absolute.netloc != "site":
        return None
    return (
        built_site.path(absolute.path)
        if not absolute.path.endswith((".xml", ".json"))
        else built_site.root / absolute.path.lstrip("/")
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_has_the_masthead_and_footer_and_their_links_resolve(built_site, name):
    url = PAGES[name]
    page = built_site.html(url)
    masthead = page.select_one(".impart-masthead")
    assert masthead.select_one(".impart-masthead__name").get_text(strip=True) == "Impart"
    sections = [a.get_text(strip=True) for a in masthead.select("nav.impart-sections a")]
    assert sections == ["All notes", *CATEGORIES, "Request a Proposal"]
    assert page.select_one(".md-tabs") is None and page.select_one(".md-nav--primary") is None, "no manual's chrome"
    footer = page.select_one("footer.impart-footer")
    footer_links = {a.get_text(strip=True): a["href"] for a in footer.select("a")}
    for expected in [*CATEGORIES, "2026", "RSS feed", "JSON feed", "Privacy", "proposals@impart.example"]:
        assert expected in footer_links, f"{name}: the footer has no {expected!r} link"
    for href in [*(a["href"] for a in masthead.select("a")), *footer_links.values()]:
        built = target(built_site, url, href)
        assert built is None or built.is_file(), f"{name}: {href} leads nowhere"
    assert footer_links["Privacy"].endswith("#privacy")
    assert built_site.html("/request-a-proposal/").find(id="privacy") is not None


@pytest.mark.parametrize("url", [PAGES["note"], PAGES["listing"], PAGES["category"]])
def test_byline_category_and_author_are_links_to_their_pages(built_site, url):
    bylines = built_site.html(url).select(".impart-byline")
    assert bylines
    for byline in bylines:
        links = {a.get_text(strip=True): a["href"] for a in byline.select("a")}
        assert "Impart Editorial" in links and any(c in links for c in CATEGORIES), byline
        for href in links.values():
            assert target(built_site, url, href).is_file()
        assert byline.find("time") is not None


@pytest.mark.parametrize("category", CATEGORIES)
def test_category_page_describes_itself_and_links_the_others(built_site, category):
    descriptions = yaml.safe_load((PROJECT / "mkdocs.yml").read_text().split("\nextra:", 1)[1].join(["extra:", ""]))
    url = f"/field-notes/category/{category.lower().replace(' ', '-')}/"
    page = built_site.html(url)
    text = page.select_one(".impart-listing-header__description").get_text(strip=True)
    assert text == descriptions["extra"]["categories"][category]
    others = [a.get_text(strip=True) for a in page.select("nav.impart-other-categories a")]
    assert others == [c for c in CATEGORIES if c != category] + ["All field notes"]


def test_listing_pages_say_newer_and_older(built_site):
    first = built_site.html("/field-notes/").select_one("nav.impart-listing-pages")
    second = built_site.html("/field-notes/page/2/").select_one("nav.impart-listing-pages")
    assert [a.get_text(strip=True) for a in first.select("a")] == ["Older notes →"]
    assert [a.get_text(strip=True) for a in second.select("a")] == ["← Newer notes"]
    assert not any(a.get_text(strip=True).isdigit() for a in first.select("a") + second.select("a"))


def test_the_front_page_is_an_index_with_the_masthead_once(built_site):
    page = built_site.html("/")
    assert [h.get_text(strip=True) for h in page.select("h1")] == ["Impart"], "one h1, for screen readers"
    sections = page.select("section.impart-section")
    assert [s.select_one("h2 a").get_text(strip=True) for s in sections] == CATEGORIES
    for section in sections:
        assert section.select_one(".impart-categories__count").get_text(strip=True).endswith(("note", "notes"))
        assert section.select_one(".impart-section__description").get_text(strip=True)
        items = section.select(".impart-section__notes li")
        assert items
        for item in items:
            indicative = item.select_one("a").get_text(strip=True) == INDICATIVE
            assert bool(item.select_one(".impart-badge")) == indicative, "marked where, and only where, indicative"
        assert INDICATIVE not in items[0].get_text(), "an indicative note never heads a section"
    latest = [a.get_text(strip=True) for a in page.select(".impart-latest .impart-summary__title a")]
    assert len(latest) >= 7 and INDICATIVE not in latest, "the lead and at least six more"


def test_a_link_to_an_indicative_note_is_marked_and_more_notes_never_repeat_the_pager(built_site):
    seen = 0
    for post in sorted((PROJECT / "docs/field-notes/posts").glob("*.md")):
        page = built_site.html(f"/field-notes/{post.stem}/")
        for link in page.select(".impart-pager__link"):
            title = link.select_one(".impart-pager__title").get_text(strip=True)
            if title == INDICATIVE:
                seen += 1
                assert link.select_one(".impart-badge").get_text(strip=True) == "Indicative"
        more = {a.get_text(strip=True) for a in page.select(".impart-more .impart-summary__title a")}
        pager = {t.get_text(strip=True) for t in page.select(".impart-pager__title")}
        assert not more & pager, f"{post.name}: {more & pager} is both in More field notes and the pager"
    assert seen, "some note links to the indicative note from its pager"


@pytest.mark.parametrize("url", ["/field-notes/", "/field-notes/category/measurement/", "/field-notes/archive/2026/"])
def test_no_listing_leads_with_an_indicative_note_and_it_is_marked_where_listed(built_site, url):
    pages = [built_site.html(url)]
    if pages[0].select_one("nav.impart-listing-pages a"):
        pages.append(built_site.html(url + "page/2/"))
    summaries = [s for page in pages for s in page.select("article.impart-summary")]
    titles = [s.select_one(".impart-summary__title a").get_text(strip=True) for s in summaries]
    assert INDICATIVE in titles and titles[-1] == INDICATIVE, titles
    assert summaries[-1].select_one(".impart-badge").get_text(strip=True) == "Indicative"
