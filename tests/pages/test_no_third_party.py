"""No built page refers to a host other than the site's own."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.helpers.page_checks import CSS_URL, URL_ATTRIBUTES, foreign_hosts


def test_no_page_refers_to_another_host(built_site):
    pages = built_site.pages()
    assert len(pages) > 8
    offenders = {}
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        urls = [tag[attr] for tag in soup.find_all(True) for attr in URL_ATTRIBUTES if tag.has_attr(attr)]
        urls += CSS_URL.findall(" ".join(style.get_text() for style in soup.find_all("style")))
        hosts = foreign_hosts(urls)
        if hosts:
            offenders[str(page.relative_to(built_site.root))] = sorted(hosts)
    assert offenders == {}


def test_no_stylesheet_imports_from_another_host(built_site):
    for sheet in built_site.root.rglob("*.css"):
        assert foreign_hosts(CSS_URL.findall(sheet.read_text(encoding="utf-8"))) == set(), sheet


def test_the_checker_can_fail():
    assert foreign_hosts(["https://fonts.googleapis.com/css?family=Roboto", "/assets/x.css"]) == {
        "fonts.googleapis.com"
    }
    assert foreign_hosts(["//cdn.example.net/a.js 1x, /b.png 2x"]) == {"cdn.example.net"}
