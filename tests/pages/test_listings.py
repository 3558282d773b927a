"""The field-notes listings, the home page and the blog's generated pages."""

from __future__ import annotations

from tests.helpers.notes import POSTS, front_matter, published


def notes_newest_first():
    """Real notes newest first, then indicative ones: an indicative note never leads a listing."""
    notes = [(published(meta), meta["title"]) for meta, _ in map(front_matter, POSTS) if "placeholder" not in meta]
    indicative = [(published(meta), meta["title"]) for meta, _ in map(front_matter, POSTS) if "placeholder" in meta]
    return [title for _, title in sorted(notes, reverse=True) + sorted(indicative, reverse=True)]


def summary_titles(page):
    return [a.get_text(strip=True) for a in page.select("article.impart-summary .impart-summary__title a")]


def test_listing_is_newest_first_and_paginated(built_site):
    first = built_site.html("/field-notes/")
    second = built_site.html("/field-notes/page/2/")
    assert summary_titles(first) + summary_titles(second) == notes_newest_first()
    assert len(summary_titles(first)) == 5


def test_each_summary_has_title_byline_and_standfirst(built_site):
    page = built_site.html("/field-notes/")
    for summary in page.select("article.impart-summary"):
        assert summary.find(class_="impart-byline").find("time")["datetime"]
        assert len(summary.find(class_="impart-summary__standfirst").get_text(strip=True)) >= 50


def test_archive_category_and_author_pages(built_site):
    years = {published(meta).year for meta, _ in map(front_matter, POSTS)}
    for year in years:
        assert summary_titles(built_site.html(f"/field-notes/archive/{year}/"))
    field_notes = {meta["title"] for meta, _ in map(front_matter, POSTS) if meta["categories"] == ["Field notes"]}
    assert set(summary_titles(built_site.html("/field-notes/category/field-notes/"))) == field_notes
    assert summary_titles(built_site.html("/field-notes/author/impart/"))


def test_home_has_intro_lead_note_next_latest_categories_and_call_to_action(built_site):
    page = built_site.html("/")
    assert page.find("h1").get_text(strip=True)
    # The lead and six more, real notes only: an indicative note is never among the latest.
    real = [meta for meta, _ in map(front_matter, POSTS) if "placeholder" not in meta]
    expected = [m["title"] for m in sorted(real, key=published, reverse=True)][:7]
    assert summary_titles(page) == expected
    lead = page.select_one(".impart-lead article.impart-summary")
    assert lead.select_one(".impart-summary__title a").get_text(strip=True) == expected[0]
    assert lead.find(class_="impart-byline") and lead.find(class_="impart-summary__standfirst")
    categories = {a.get_text(strip=True): a["href"] for a in page.select("section.impart-section h2 a")}
    assert categories == {
        "Field notes": "field-notes/category/field-notes/",
        "Operations": "field-notes/category/operations/",
        "Measurement": "field-notes/category/measurement/",
    }
    cta = page.find("aside", class_="impart-cta")
    assert cta.find("a")["href"].startswith("request-a-proposal/")


def test_search_indexes_every_note_and_no_listing_page(built_site):
    import json

    index = json.loads((built_site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {entry["location"].split("#", 1)[0] for entry in index["docs"]}
    notes = {f"field-notes/{path.stem}/" for path in POSTS}
    assert notes <= pages, f"notes missing from the search index: {sorted(notes - pages)}"
    listings = [
        page for page in pages
        if page == "field-notes/" or page.startswith(("field-notes/page/", "field-notes/archive/",
                                                      "field-notes/category/", "field-notes/author/"))
    ]  # fmt: skip
    assert listings == [], "listing pages repeat the notes' summaries and are left out of search"
    assert "" in pages and "request-a-proposal/" in pages, "pages other than listings are still indexed"
