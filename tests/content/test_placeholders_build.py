"""Placeholder notices in real builds: markup, noindex, sitemap, staleness, the command, the switch."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.helpers.site import PROJECT, copy_site, epoch, files_under, impart, mkdocs_build

INDICATIVE = "/field-notes/evaluation-in-production/"
INDICATIVE_SOURCE = "docs/field-notes/posts/evaluation-in-production.md"
PLAIN = "/field-notes/pilot-to-production/"
NOTICE = "Indicative editorial // Real content arrives February 2027"


def sitemap_urls(site_root):
    xml = (site_root / "sitemap.xml").read_text(encoding="utf-8")
    return re.findall(r"<loc>https://impart\.example(/[^<]*)</loc>", xml)


def test_notice_markup_and_place(built_site):
    page = built_site.html(INDICATIVE)
    notices = page.find_all("aside", class_="impart-notice")
    assert len(notices) == 1
    notice = notices[0]
    assert notice["role"] == "note" and notice["aria-label"].strip()
    assert " ".join(notice.get_text().split()) == NOTICE
    assert notice.find("time")["datetime"] == "2027-02"
    assert notice.find_parent("main") is not None and notice.find_parent("article") is not None
    assert notice.find_next("h1") is page.find("h1"), "the notice comes before the title"
    assert not notice.find("button"), "the notice is not dismissible"
    assert "Indicative editorial" not in page.find(class_="impart-note__body").get_text()


def test_no_empty_notice_where_there_is_none(built_site):
    for page in built_site.pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for notice in soup.find_all(class_="impart-notice"):
            assert notice.get_text(strip=True), page
        if page == built_site.path(INDICATIVE):
            continue
        assert not soup.find(class_="impart-notice"), page
        assert not soup.find("aside", class_="md-banner"), page


def test_indicative_pages_are_noindex_and_left_out_of_the_sitemap(built_site):
    robots = built_site.html(INDICATIVE).find("meta", attrs={"name": "robots"})
    assert robots["content"] == "noindex"
    assert built_site.html(PLAIN).find("meta", attrs={"name": "robots"}) is None
    urls = sitemap_urls(built_site.root)
    assert PLAIN in urls and "/" in urls
    assert INDICATIVE not in urls


def test_listing_badge(built_site):
    for summary in built_site.html("/field-notes/").select("article.impart-summary"):
        title = summary.find(class_="impart-summary__title")
        badge = title.find(class_="impart-badge")
        if title.a["href"].rstrip("/").endswith("evaluation-in-production"):
            assert badge.get_text(strip=True) == "Indicative"
        else:
            assert badge is None


@pytest.mark.build
@pytest.mark.parametrize(("day", "stale"), [("2027-02-28", False), ("2027-03-01", True)])
def test_staleness_on_both_sides_of_the_promise(tmp_path, day, stale):
    result = mkdocs_build(PROJECT / "mkdocs.yml", tmp_path / "site", SOURCE_DATE_EPOCH=epoch(day))
    message = f"{INDICATIVE_SOURCE}: the placeholder promised real content by 28 February 2027"
    assert (message in result.stderr) is stale
    assert (result.returncode != 0) is stale


@pytest.mark.parametrize(
    ("day", "status", "code"), [("2027-02-18", "10 day(s) left", 0), ("2027-03-03", "3 day(s) overdue", 1)]
)
def test_placeholders_command_table_and_exit_code(day, status, code):
    result = impart("placeholders", cwd=PROJECT, SOURCE_DATE_EPOCH=epoch(day))
    assert result.returncode == code
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["page", "arrives", "status"]
    assert re.fullmatch(rf"{re.escape(INDICATIVE_SOURCE)}\s+February 2027\s+{re.escape(status)}", lines[1])
    assert lines[-1].startswith(f"1 indicative page(s), {code} overdue")


def set_placeholders(project, lines: str):
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  placeholders:\n", f"  placeholders:\n{lines}", 1), encoding="utf-8")


@pytest.mark.build
def test_site_wide_switch(tmp_path):
    project = copy_site(tmp_path / "project")
    set_placeholders(project, "    site_wide: {arrives: 2027-01-15}\n")
    exempt = project / "docs/request-a-proposal.md"
    exempt.write_text(exempt.read_text().replace("---\n", "---\nplaceholder: false\n", 1))
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for url, text in [("", "15 January 2027"), ("field-notes/", "15 January 2027"), (PLAIN, "15 January 2027")]:
        soup = BeautifulSoup((site / url.strip("/") / "index.html").read_text(), "html.parser")
        assert soup.find("aside", class_="impart-notice").get_text(" ", strip=True).endswith(text), url
        assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    own = BeautifulSoup((site / INDICATIVE.strip("/") / "index.html").read_text(), "html.parser")
    assert "February 2027" in own.find("aside", class_="impart-notice").get_text()
    assert sitemap_urls(site) == ["/request-a-proposal/"]


@pytest.mark.build
def test_site_wide_overdue_names_mkdocs_yml(tmp_path):
    project = copy_site(tmp_path / "project")
    set_placeholders(project, "    site_wide: {arrives: 2026-10}\n")
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "mkdocs.yml: extra.placeholders.site_wide: the placeholder promised real content by 31 October 2026" in (
        result.stderr
    )


@pytest.mark.build
def test_indexed_opt_in_keeps_indicative_pages_in_the_sitemap(tmp_path):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("    indexed: false", "    indexed: true", 1))
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert INDICATIVE in sitemap_urls(tmp_path / "site")
    page = BeautifulSoup((tmp_path / "site" / INDICATIVE.strip("/") / "index.html").read_text(), "html.parser")
    assert page.find("meta", attrs={"name": "robots"}) is None
    assert page.find("aside", class_="impart-notice") is not None


BAD = [
    ("arrives: soon", "'placeholder.arrives' must be a month or a date, e.g. arrives: 2026-05 or arrives: 2026-05-06"),
    ("arrives: 2026-10", "'placeholder.arrives' (2026-10) is before the note's date (2026-11-20)"),
]


@pytest.mark.build
@pytest.mark.parametrize(("line", "message"), BAD, ids=["not a date", "before the note"])
def test_bad_arrival_stops_the_build_and_check(tmp_path, line, message):
    project = copy_site(tmp_path / "project")
    source = project / INDICATIVE_SOURCE
    source.write_text(source.read_text().replace("arrives: 2027-02", line))
    before = {p: p.read_bytes() for p in files_under(project)}
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert f"{INDICATIVE_SOURCE}: {message}" in result.stderr
    checked = impart("check", cwd=project)
    assert checked.returncode == 1
    assert f"{INDICATIVE_SOURCE}: {message}" in checked.stdout
    assert {p: p.read_bytes() for p in files_under(project)} == before
