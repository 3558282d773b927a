"""Material's authoring toolkit: a corpus note (tests/fixtures/authoring/) that uses every feature is built
strictly into a copy of the site; each feature's HTML is read with a parser, the page passes axe in light and
dark and the Nu Html Checker, and asks nothing of another host. tests/speed/test_build_speed.py builds it among 64
more notes with and without the speed layer, byte for byte."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.helpers.page_checks import axe_violations, foreign_hosts, interact, vnu_errors
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, corpus_project, mkdocs_build

NOTE = "field-notes/toolkit-tour/index.html"


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("authoring")
    project = corpus_project(folder / "project")
    result = mkdocs_build(project / "mkdocs.yml", folder / "site")
    assert result.returncode == 0, result.stderr
    return project, folder / "site"


@pytest.fixture(scope="module")
def note(corpus_site) -> BeautifulSoup:
    _, site = corpus_site
    page = BeautifulSoup((site / NOTE).read_text(encoding="utf-8"), "html.parser")
    return page.select_one(".impart-note__body")


@pytest.mark.build
def test_code_is_highlighted_at_build_time(note):
    block = note.select_one("div.language-python.highlight")
    assert block.select_one(".filename").get_text() == "rollout.py"
    assert block.select_one("pre code span.k").get_text() == "def"  # Pygments' classes, no script needed
    inline = note.select_one("p > code.language-python.highlight")
    assert inline.select_one("span.n").get_text() == "rollback"
    in_list = note.select_one("ol > li div.language-yaml.highlight")
    assert "Priya Shah" in in_list.get_text()
    in_notice = note.select_one("div.admonition.warning div.language-sh.highlight")
    assert "make" in in_notice.get_text()


@pytest.mark.build
def test_collapsibles_tabs_and_footnotes(note):
    closed, opened = note.select("details")
    assert "note" in closed["class"] and not closed.has_attr("open")
    assert closed.summary.get_text() == "What the operator checks each Tuesday"
    assert "tip" in opened["class"] and opened.has_attr("open")
    tabs = note.select_one(".tabbed-set.tabbed-alternate")
    labels = [label.get_text() for label in tabs.select(".tabbed-labels label")]
    assert labels == ["Claims team", "Finance"]
    assert len(tabs.select(".tabbed-content .tabbed-block")) == 2
    references = note.select("sup a.footnote-ref")
    assert [a["href"] for a in references] == ["#fn:baseline", "#fn:date"]
    assert [li["id"] for li in note.select(".footnote ol li")] == ["fn:baseline", "fn:date"]


@pytest.mark.build
def test_task_lists_keep_their_text_and_state(note):
    items = note.select("ul.task-list li.task-list-item")
    assert [item.get_text(strip=True) for item in items] == [
        "Name the operator",
        "Write the rollback path",
        "Agree the guard measure",
    ]
    assert [item.select_one("input[type=checkbox]").has_attr("checked") for item in items] == [True, False, False]
    assert all(item.select_one(".task-list-indicator") for item in items)  # Material's custom checkbox


@pytest.mark.build
def test_icons_are_inline_svg_and_emoji_are_characters(note):
    icons = note.select("span.twemoji > svg")
    assert len(icons) == 2  # :material-check-circle: and :fontawesome-solid-gauge-high:
    emoji = note.select("span.impart-emoji[role=img]")
    assert [(e["aria-label"], e.get_text()) for e in emoji] == [("warning", "\u26a0"), ("smile", "\U0001f604")]
    assert note.find_all("img", class_="twemoji") == []


@pytest.mark.build
def test_keys_marks_abbreviations_definitions_and_tables(note):
    assert [k.get_text() for k in note.select(".keys kbd")] == ["Ctrl", "C", "/"]
    assert note.select_one("mark").get_text() == "four working days"
    assert note.select_one("ins").get_text() == "measured on live claims"
    assert note.select_one("del").get_text() == "accuracy on a test set"
    assert [tag.get_text() for tag in note.select("sub, sup:not([id])")] == ["2", "3"]
    assert {(a.get_text(), a["title"]) for a in note.select("abbr")} == {("SLA", "Service level agreement")}
    assert [dt.get_text() for dt in note.select("dl dt")] == ["Operator", "Rollback path"]
    rows = [[cell.get_text() for cell in row.select("th, td")] for row in note.select("table:not(.highlighttable) tr")]
    assert rows[0] == ["Measure", "Baseline", "Target"] and len(rows) == 3


@pytest.mark.build
def test_images_are_sized_from_their_files_and_all_but_the_first_are_lazy(note):
    images = note.find_all("img")
    assert [(i["src"], i["width"], i["height"], i.get("loading")) for i in images] == [
        ("../images/handoff.png", "640", "360", None),  # the first: fetched at once, as the reader sees it
        ("../images/queue.png", "480", "270", "lazy"),
    ]


@pytest.mark.build
def test_the_corpus_asks_nothing_of_another_host(corpus_site):
    _, site = corpus_site
    page = BeautifulSoup((site / NOTE).read_text(encoding="utf-8"), "html.parser")
    urls = [tag[attr] for tag in page.find_all(True) for attr in ("src", "href") if tag.has_attr(attr)]
    assert foreign_hosts(urls) - {"impart.example"} == set()


@pytest.mark.build
def test_the_corpus_is_valid_html(corpus_site):
    _, site = corpus_site
    pages = [NOTE, "field-notes/sparse-checkout/index.html", "field-notes/index.html"]
    assert vnu_errors(*(site / page for page in pages)) == []


@pytest.mark.build
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_corpus_has_no_axe_violations(corpus_site, browser, tmp_path, scheme):
    project, site = corpus_site
    port = free_port()
    config = project / "mkdocs.yml"
    with running(serve_command(site, tmp_path / "proposals", port, config=config), port):
        context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/field-notes/toolkit-tour/", wait_until="load")
        assert axe_violations(page) == [], "as first painted"
        interact(page)
        page.click("text=What the operator checks each Tuesday")  # every collapsible and tab open, as read
        page.click("label:has-text('Finance')")
        assert axe_violations(page) == [], "once Material's script has run"
        (PROJECT / "artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(PROJECT / f"artifacts/toolkit-tour-{scheme}.png"), full_page=True)
        for other in ("/field-notes/sparse-checkout/", "/field-notes/"):  # a title's code, on its page and listed
            page.goto(f"http://127.0.0.1:{port}{other}", wait_until="load")
            interact(page)
            assert axe_violations(page) == [], other
        context.close()


@pytest.mark.build
def test_a_first_visit_of_the_toolkit_note_stays_within_the_budget(corpus_site, browser, tmp_path):
    from tests.helpers.page_checks import BUDGET, transferred

    project, site = corpus_site
    port = free_port()
    with running(serve_command(site, tmp_path / "proposals", port, config=project / "mkdocs.yml"), port):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"http://127.0.0.1:{port}/field-notes/toolkit-tour/", wait_until="networkidle")
        page.wait_for_timeout(500)
        total = transferred(responses)
        print(f"first visit of the toolkit note: {total} bytes over {len(responses)} responses")
        assert total <= BUDGET, [r.url for r in responses]
        assert not any(r.url.endswith("queue.png") for r in responses)  # lazy, and below the first screen
        context.close()


PLAIN_TITLE = "Using git sparse-checkout on a big repository"


@pytest.mark.build
def test_a_titles_markdown_is_inline_html_on_the_page_and_in_listings_and_plain_text_elsewhere(corpus_site):
    import json
    import xml.etree.ElementTree as ET

    _, site = corpus_site
    page = BeautifulSoup((site / "field-notes/sparse-checkout/index.html").read_text(encoding="utf-8"), "html.parser")
    [headline] = page.find_all("h1")  # the '# ' line became the title: one headline
    assert headline.code.get_text() == "git sparse-checkout" and headline.em.get_text() == "big"
    assert headline.get_text() == PLAIN_TITLE
    assert page.title.get_text().startswith(PLAIN_TITLE)
    assert page.find("meta", property="og:title")["content"] == PLAIN_TITLE
    ld = json.loads(page.find("script", type="application/ld+json").get_text())
    assert ld["headline"] == PLAIN_TITLE

    listing = BeautifulSoup((site / "field-notes/index.html").read_text(encoding="utf-8"), "html.parser")
    [summary] = [a for a in listing.select(".impart-summary__title a") if a.get_text() == PLAIN_TITLE]
    assert summary.code.get_text() == "git sparse-checkout"

    rss = ET.parse(site / "feed_rss_created.xml")
    assert PLAIN_TITLE in [item.findtext("title") for item in rss.iter("item")]
    feed = json.loads((site / "feed_json_created.json").read_text(encoding="utf-8"))
    assert PLAIN_TITLE in [item["title"] for item in feed["items"]]


def test_the_readmes_cheat_sheet_renders_every_feature_it_names():
    import re

    import markdown
    from mkdocs.config import load_config

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    sheet = re.search(r"^````markdown\n(.*?)^````$", readme, re.S | re.M).group(1)
    config = load_config(str(PROJECT / "mkdocs.yml"))
    html = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs).convert(sheet)
    page = BeautifulSoup(html, "html.parser")
    expected = [
        "div.highlight .filename", "code.highlight", "div.admonition.warning", "details.note", ".tabbed-set",
        ".footnote", "ul.task-list", "span.twemoji svg", "span.impart-emoji", ".keys kbd", "mark", "ins", "del",
        "sub", "sup", "abbr", "dl dt", "table", "img", "p math", "div.arithmatex math", ".highlighttable .linenos",
    ]  # fmt: skip
    assert [selector for selector in expected if not page.select(selector)] == []
