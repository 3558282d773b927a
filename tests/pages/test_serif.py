"""The site's own serif: the same type on every machine, from the site itself, and nothing moves when it arrives.

The subset files promise the characters the site sets and carry their own name (the licence reserves
"Source"); the @font-face block in impart.css is what fonts/make_fonts.py writes from them; every
character of every built page is in the font. In Chromium: the font actually used to draw a note's
headline and body, the front page and the proposal page's headline is Impart Serif (Chromium's own
answer, CSS.getPlatformFontsForNode); the serif comes from the site's host; with the font files held
back the page is drawn in the size-adjusted DejaVu Serif, and releasing them shifts nothing (the
layout-shift entries Chromium records add up to under 0.001; without the adjustment they reach 0.02).
"""

from __future__ import annotations

import base64
import re
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont

from fonts import make_fonts
from tests.helpers.site import ARTIFACTS, PROJECT

FONTS = PROJECT / "overrides/assets/fonts"
NOTE = "/field-notes/pilot-to-production/"
FONT_FILE = re.compile(r"/assets/fonts/impart-serif-[a-z]+\.woff2$")
# Characters the site sets only in its sans: the listings' "← Newer notes" and "Older notes →".
SANS_ONLY = {"←", "→"}

# Sums the layout shifts Chromium records from the start of the page (none follow an input here).
LAYOUT_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shifts.push(entry.value);
  }
}).observe({type: "layout-shift", buffered: true});
"""


def rendered_fonts(page, selector: str) -> list[str]:
    """The font families Chromium drew the element's own text with (its platform fonts), most glyphs first."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"{selector} is not on the page"
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    session.detach()
    return [font["familyName"] for font in sorted(fonts, key=lambda f: -f["glyphCount"])]


@pytest.mark.parametrize("face", make_fonts.FACES, ids=lambda face: face.name)
def test_each_subset_holds_every_character_it_promises_under_its_own_name(face):
    font = TTFont(FONTS / f"impart-serif-{face.name}.woff2")
    assert set(make_fonts.CHARACTERS) <= set(font.getBestCmap())
    names = font["name"]
    assert names.getDebugName(1) == "Impart Serif"
    assert not any("Source" in (names.getDebugName(i) or "") for i in (1, 4, 6)), "the licence reserves 'Source'"
    assert "Adobe" in names.getDebugName(0)
    assert "SIL Open Font License" in (FONTS / "OFL.txt").read_text(encoding="utf-8")


def test_the_stylesheet_declares_the_faces_make_fonts_writes():
    dejavu = make_fonts.FACES[0].dejavu
    if not dejavu.is_file():
        pytest.fail(f"{dejavu} is missing: apt-get install fonts-dejavu-core (.ci/run does)")
    css = make_fonts.STYLESHEET.read_text(encoding="utf-8")
    block = re.search(re.escape(make_fonts.BEGIN) + ".*?" + re.escape(make_fonts.END), css, re.S)
    assert block, f"{make_fonts.STYLESHEET} has lost its Impart Serif block"
    assert block.group(0) == make_fonts.stylesheet_block(), "run .venv/bin/python fonts/make_fonts.py"


def test_the_block_follows_the_font_files(tmp_path):
    """The comparison above can fail: a font with other metrics gives other fallback sizes."""
    for face in make_fonts.FACES:
        font = TTFont(FONTS / f"impart-serif-{face.name}.woff2")
        font["hhea"].ascent += 100
        font.save(tmp_path / f"impart-serif-{face.name}.woff2")
    assert make_fonts.stylesheet_block(tmp_path) != make_fonts.stylesheet_block()


def test_every_character_of_every_page_is_in_the_serif(built_site):
    cmap = {chr(code) for code in TTFont(FONTS / "impart-serif-regular.woff2").getBestCmap()}
    missing = {}
    for page in built_site.pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "style", "svg", "code", "pre", "kbd"]):
            tag.decompose()
        for character in set(soup.get_text()) - cmap - SANS_ONLY - {"\n", "\t", "\r"}:
            missing.setdefault(f"U+{ord(character):04X} {character}", str(page.relative_to(built_site.root)))
    assert missing == {}, "add these to CHARACTERS in fonts/make_fonts.py and run it"


@pytest.mark.parametrize(
    ("path", "selectors"),
    [
        (NOTE, [".impart-note h1", ".impart-standfirst", ".impart-note__body > p", ".impart-note__body h2"]),
        ("/", [".impart-lead .impart-summary__title a", ".impart-masthead__name a", ".impart-masthead__line"]),
        ("/request-a-proposal/", [".impart-page h1, .md-content h1"]),
    ],
)
def test_headlines_and_body_are_drawn_in_impart_serif_from_the_site(browser, site_server, path, selectors):
    base, _ = site_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base + path, wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    for selector in selectors:
        assert rendered_fonts(page, selector) == ["Impart Serif"], selector
    fonts = [url for url in requests if FONT_FILE.search(url)]
    assert fonts and {urlparse(url).netloc for url in requests} == {urlparse(base).netloc}
    context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_nothing_moves_when_the_serif_arrives_late(browser, site_server, width, height):
    base, _ = site_server
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500)
    page = context.new_page()
    held = []
    page.route(FONT_FILE, lambda route: held.append(route))
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(base + NOTE, wait_until="domcontentloaded")
    page.wait_for_function("document.fonts.status === 'loading'")
    for _ in range(50):  # bounded: the body and headline faces are asked for as soon as the text is laid out
        if len(held) >= 2:
            break
        page.wait_for_timeout(100)
    assert len(held) >= 2, f"the serif was asked for {len(held)} times"
    page.wait_for_timeout(300)  # painted in the fallback
    body = ".impart-note__body > p"
    assert rendered_fonts(page, body) == ["DejaVu Serif"], "the size-adjusted fallback draws the text meanwhile"
    before = page.evaluate("document.querySelector('.impart-cta').getBoundingClientRect().top + scrollY")
    ARTIFACTS.mkdir(exist_ok=True)
    # Playwright's screenshot waits for fonts; Chromium's own takes the page as it is drawn now.
    session = context.new_cdp_session(page)
    shot = session.send("Page.captureScreenshot", {"format": "png"})["data"]
    (ARTIFACTS / f"serif-fallback-{width}.png").write_bytes(base64.b64decode(shot))
    session.detach()

    for route in held:
        route.continue_()
    page.route(FONT_FILE, lambda route: route.continue_())
    page.wait_for_function("document.fonts.status === 'loaded' && [...document.fonts].some(f => f.status === 'loaded')")
    page.wait_for_timeout(300)
    assert rendered_fonts(page, body) == ["Impart Serif"]
    page.screenshot(path=str(ARTIFACTS / f"serif-loaded-{width}.png"))
    after = page.evaluate("document.querySelector('.impart-cta').getBoundingClientRect().top + scrollY")
    shift = page.evaluate("window.__shifts.reduce((a, b) => a + b, 0)")
    print(f"{width} px: layout shift {shift:.4f}; the call to action moved {after - before:+.0f} px")
    assert shift < 0.001
    context.close()
