"""Maths as a reader gets it: a note with formulas (tests/fixtures/features/cost-per-decision.md) is built strictly
into a copy of the site and read in Chromium, which lays its MathML out as maths (a fraction stacked, taller than a
line of text's type, a subscript lowered and a sum grown in a maths face that maths.css names) without a script or
anything from another host; and a site without maths is byte for byte the site
built without the maths extension, so a page without a formula costs nothing more. Screenshots go to artifacts/."""

from __future__ import annotations

import filecmp

import pytest
from bs4 import BeautifulSoup

from tests.helpers.page_checks import foreign_hosts
from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import ARTIFACTS, PROJECT, built_with_notes, copy_site, files_under, mkdocs_build

NOTE = PROJECT / "tests/fixtures/features/cost-per-decision.md"
URL = "/field-notes/cost-per-decision/"
EXTENSION_LINE = "  - impart.content.maths"


@pytest.fixture(scope="module")
def maths_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maths")
    return built_with_notes(folder, NOTE)


@pytest.fixture(scope="module")
def base(maths_site, tmp_path_factory):
    project, site = maths_site
    port = free_port()
    with running(serve_command(site, tmp_path_factory.mktemp("proposals"), port, config=project / "mkdocs.yml"), port):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.build
def test_formulas_are_mathml_in_the_page_and_prices_stay_prose(maths_site):
    _, site = maths_site
    page = BeautifulSoup((site / URL.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")
    body = page.select_one(".impart-note__body")
    maths = body.find_all("math")
    assert [m["display"] for m in maths] == ["inline"] * 4 + ["block"] + ["inline"] * 2 + ["block"] * 2
    assert "A pilot that costs $5 a day and saves $10 an hour" in body.p.get_text()
    assert "$5-$10 per claim" in body.p.get_text()
    written = body.get_text()
    assert "\\frac" not in written and "$$" not in written and "\\(" not in written  # no LaTeX left as text
    assert not page.select("script[src*=mathjax], script[src*=katex], link[href*=katex]")
    assert [link["href"] for link in page.select("link[href*=maths]")] == ["../../assets/stylesheets/maths.css"]


@pytest.mark.build
@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_stacks_a_fraction_taller_than_a_line_and_fetches_nothing_else(browser, base, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base + URL, wait_until="networkidle")
    display = page.locator(".impart-note__body div.arithmatex math").first
    display.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"maths-{width}.png"))
    boxes = display.evaluate(
        """math => {
            const box = e => e.getBoundingClientRect();
            const fraction = math.querySelector('mfrac');
            const [top, bottom] = fraction.children;
            const paragraph = getComputedStyle(document.querySelector('.impart-note__body p'));
            return {fraction: box(fraction).height, text: parseFloat(paragraph.fontSize),
                    numerator: box(top).bottom, denominator: box(bottom).top, width: box(math).width,
                    column: box(math.parentElement).width};
        }"""
    )
    assert boxes["numerator"] <= boxes["denominator"] + 1, boxes  # stacked: laid out as maths, not as text
    assert boxes["fraction"] > 1.4 * boxes["text"], boxes  # two storeys, each near the text's own size
    assert 0 < boxes["width"] <= boxes["column"], boxes  # the formula fits the column at this width
    scripts = page.evaluate(
        """() => {
            const box = e => e.getBoundingClientRect();
            const [base, script] = document.querySelector('.impart-note__body p math msub').children;
            const sum = document.querySelector('.impart-note__body div.arithmatex munderover > mo');
            return {drop: box(script).bottom - box(base).bottom, sum: box(sum).height,
                    text: parseFloat(getComputedStyle(sum).fontSize)};
        }"""
    )
    # A maths face (maths.css): a subscript sits below the line and a sum grows, as TeX sets them.
    assert scripts["drop"] > 2, scripts
    assert scripts["sum"] > 1.3 * scripts["text"], scripts
    # A formula wider than the column scrolls in its own box (Material's div.arithmatex); the page does not.
    widths = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth, window: window.innerWidth,
                   formulas: [...document.querySelectorAll('div.arithmatex')]
                       .map(e => e.scrollWidth - e.clientWidth),
                   shadow: getComputedStyle(document.querySelector('div.arithmatex')).backgroundImage,
                   inNotice: [...document.querySelectorAll('.admonition div.arithmatex')].map(e => {
                       const box = e.getBoundingClientRect(), notice = e.closest('.admonition');
                       const border = parseFloat(getComputedStyle(notice).borderLeftWidth);
                       const outer = notice.getBoundingClientRect();
                       return box.left >= outer.left + border && box.right <= outer.right - border;
                   })})"""
    )
    assert widths["page"] <= widths["window"], widths
    if width == 390:
        assert widths["formulas"][-1] > 0, widths  # the quarter's bill is wider than a phone
    assert widths["shadow"].count("radial-gradient") == 2, widths  # the edge that has more shows a shadow
    assert widths["inNotice"] == [True], widths  # the shadow's cover leaves a notice's border alone
    assert foreign_hosts(requested) == {"127.0.0.1"}  # the site itself, nothing else
    assert not [url for url in requested if "mathjax" in url.lower() or "katex" in url.lower()]
    page.close()


@pytest.mark.build
def test_a_site_without_maths_is_byte_for_byte_the_site_built_without_the_extension(built_site, tmp_path):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert EXTENSION_LINE in text
    config.write_text("".join(line for line in text.splitlines(True) if EXTENSION_LINE not in line), "utf-8")
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr

    without = [path.relative_to(tmp_path / "site") for path in files_under(tmp_path / "site")]
    with_maths = [path.relative_to(built_site.root) for path in files_under(built_site.root)]
    assert without == with_maths  # no stylesheet, script or font added
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "site", built_site.root, [str(p) for p in without], False)
    assert (mismatch, errors) == ([], [])
