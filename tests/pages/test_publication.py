"""Pages set as a publication, in either scheme, before Material's script has run; in Chromium.

Measured on the served site: characters per line of a note's body paragraphs at 1,024, 1,280
and 1,600 px; type on a phone; the headline's contrast and weight in both schemes; the scheme
at the first frame (system preference or stored choice); the toggle and search visible and
working before the bundle loads; no sitemap.xml fetch; the print view. Screenshots of note,
home and listing (desktop and phone, light and dark) go to artifacts/ for a person to judge.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import ARTIFACTS, copy_site, mkdocs_build

NOTE = "/field-notes/pilot-to-production/"
BUNDLE = re.compile(r"/assets/javascripts/bundle\.[0-9a-f]+\.min\.js$")

# Characters on each full line (the last line of a paragraph left out) of the body's paragraphs.
CHARACTERS_PER_LINE = """() => {
  const lines = [];
  for (const p of document.querySelectorAll('.impart-note__body > p')) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    const tops = new Map();
    let node;
    while ((node = walker.nextNode())) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (!box.height) continue;
        const top = Math.round(box.top);
        tops.set(top, (tops.get(top) || 0) + 1);
      }
    }
    lines.push(...[...tops.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]).slice(0, -1));
  }
  return lines;
}"""

# The first frame the browser renders: which scheme <body> had, and its background.
FIRST_FRAME = """
window.__firstFrame = null;
(function look() {
  requestAnimationFrame(() => {
    if (!document.body) return look();
    window.__firstFrame = {
      scheme: document.body.getAttribute('data-md-color-scheme'),
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
})();
"""


def bundle_has_run(page) -> bool:
    return page.evaluate("document.documentElement.classList.contains('js')")


@pytest.fixture
def open_page(browser, site_server):
    base, _ = site_server
    contexts = []

    def open_(path, *, width=1280, height=900, scheme="light", phone=False, stored=None, hold_bundle=False):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        page = context.new_page()
        page.held = []
        page.requests = []
        page.on("request", lambda r: page.requests.append(r.url))
        if stored is not None:
            page.add_init_script(f"localStorage.setItem('/.__palette', {json.dumps(json.dumps(stored))});")
        page.add_init_script(FIRST_FRAME)
        if hold_bundle:
            page.route(BUNDLE, lambda route: page.held.append(route))
        page.goto(base + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def release_bundle(page):
    page.wait_for_function("document.querySelector(\"script[src*='bundle.']\") !== null")
    for _ in range(50):
        if page.held:
            break
        page.wait_for_timeout(100)
    assert page.held, "the bundle was never asked for"
    page.held.pop().continue_()
    page.wait_for_function("document.documentElement.classList.contains('js')")


@pytest.mark.parametrize("width", [1024, 1280, 1600])
def test_the_reading_column_holds_60_to_75_characters_a_line(open_page, width):
    page = open_page(NOTE, width=width)
    lines = page.evaluate(CHARACTERS_PER_LINE)
    mean = sum(lines) / len(lines)
    print(f"{width} px: {mean:.1f} characters a line on average, {min(lines)} to {max(lines)}, {len(lines)} lines")
    assert len(lines) >= 20
    assert 60 <= mean <= 75, f"{mean:.1f} characters a line at {width} px"
    assert max(lines) <= 80 and min(lines) >= 50, (min(lines), max(lines))


def test_on_a_phone_the_type_is_at_least_16px_and_the_page_never_scrolls_sideways(open_page):
    page = open_page(NOTE, width=390, height=844, phone=True)
    sizes = page.eval_on_selector_all(
        ".impart-note__body p, .impart-note__body li, .impart-standfirst",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert sizes and min(sizes) >= 16, sizes
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390


def luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def rgb_of(css: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    return (*numbers[:3], numbers[3] if len(numbers) > 3 else 1.0)


def contrast(foreground: str, background: str) -> float:
    *bg, _ = rgb_of(background)
    *fg, alpha = rgb_of(foreground)
    fg = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True)]  # a translucent ink over the page
    lighter, darker = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_headline_is_the_strongest_thing_on_the_page(open_page, scheme):
    page = open_page(NOTE, scheme=scheme)
    found = page.evaluate(
        """() => {
          const h1 = document.querySelector('.impart-note h1');
          const s = getComputedStyle(h1);
          const others = [...document.querySelectorAll('main p, main li, main h2, main h3, main a')]
            .map(e => parseFloat(getComputedStyle(e).fontSize));
          return {color: s.color, weight: parseInt(s.fontWeight), size: parseFloat(s.fontSize),
                  largestOther: Math.max(...others),
                  background: getComputedStyle(document.body).backgroundColor,
                  scheme: document.body.getAttribute('data-md-color-scheme')};
        }"""
    )
    assert found["scheme"] == ("slate" if scheme == "dark" else "default")
    ratio = contrast(found["color"], found["background"])
    print(f"{scheme}: headline {found['color']} on {found['background']}, {ratio:.1f}:1")
    assert ratio >= 7, f"{ratio:.2f}:1"
    assert found["weight"] >= 700
    assert found["size"] > found["largestOther"] * 1.5


@pytest.mark.parametrize(
    ("system", "stored", "expected"),
    [
        ("dark", None, "slate"),
        ("light", None, "default"),
        ("light", {"index": 1, "color": {"scheme": "slate", "primary": "indigo", "accent": "indigo"}}, "slate"),
        ("dark", {"index": 0, "color": {"scheme": "default", "primary": "indigo", "accent": "indigo"}}, "default"),
    ],
    ids=["system-dark", "system-light", "stored-dark", "stored-light-over-system-dark"],
)
def test_the_readers_scheme_is_there_at_the_first_frame(open_page, system, stored, expected):
    page = open_page(NOTE, scheme=system, stored=stored)
    page.wait_for_function("window.__firstFrame !== null")
    first = page.evaluate("window.__firstFrame")
    assert not bundle_has_run(page), "no interaction yet: Material's bundle has not run"
    assert first["scheme"] == expected
    dark = sum(rgb_of(first["background"])[:3]) < 3 * 128
    assert dark == (expected == "slate"), first


@pytest.mark.parametrize(
    ("width", "controls"),
    [
        (1280, ["label.md-header__button[for^='__palette']:not([hidden])", "input[data-md-component=search-query]"]),
        (390, ["label.md-header__button[for^='__palette']:not([hidden])", "label.md-header__button[for=__search]"]),
    ],
    ids=["desktop", "phone"],
)
def test_toggle_and_search_are_visible_before_any_interaction(open_page, width, controls):
    page = open_page(NOTE, width=width, phone=width < 600)
    for selector in controls:
        box = page.locator(selector).first.bounding_box()
        assert box and box["width"] > 10 and box["height"] > 10, selector
    assert not bundle_has_run(page)


def test_a_tap_on_search_before_the_script_loads_opens_search(open_page):
    page = open_page(NOTE, width=390, height=844, phone=True, hold_bundle=True)
    page.tap("label.md-header__button[for=__search]")
    query = page.locator("input[data-md-component=search-query]")
    assert page.is_checked("#__search")
    assert query.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('data-md-component')") == "search-query"
    assert not bundle_has_run(page), "the bundle is still held back"
    release_bundle(page)
    page.keyboard.type("rollback")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    assert query.is_visible()


def test_a_tap_on_the_toggle_before_the_script_loads_switches_and_stays_switched(open_page):
    page = open_page(NOTE, width=390, height=844, phone=True, hold_bundle=True)
    page.tap("label.md-header__button[for^='__palette']:not([hidden])")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert not bundle_has_run(page)
    release_bundle(page)
    page.wait_for_timeout(300)
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    visible = page.locator("label.md-header__button[for^='__palette']:visible")
    assert visible.count() == 1 and visible.get_attribute("title") == "Switch to light mode"
    page.reload()
    page.wait_for_function("window.__firstFrame !== null")
    assert page.evaluate("window.__firstFrame.scheme") == "slate", "the choice is kept for the next page"


def test_sitemap_is_not_fetched_once_the_bundle_runs(open_page):
    page = open_page(NOTE)
    page.mouse.move(300, 300)
    page.wait_for_function("document.documentElement.classList.contains('js')")
    page.wait_for_load_state("networkidle")
    assert any(BUNDLE.search(url) for url in page.requests)
    assert [url for url in page.requests if "sitemap.xml" in url] == []


def test_print_gives_the_article_alone_with_its_address(open_page, site_server):
    page = open_page(NOTE)
    page.emulate_media(media="print")
    shown = {
        "headline": ".impart-note h1",
        "standfirst": ".impart-standfirst",
        "byline": ".impart-note__header .impart-byline",
        "body": ".impart-note__body h2",
        "address": ".impart-print-address",
    }
    for name, selector in shown.items():
        assert page.locator(selector).first.is_visible(), name
    assert "https://impart.example/field-notes/pilot-to-production/" in page.inner_text(".impart-print-address")
    hidden = [".md-header", ".md-tabs", ".md-search", ".impart-cta a", ".impart-more", ".impart-pager", ".md-footer"]
    for selector in hidden:
        assert not page.locator(selector).first.is_visible(), selector
    page.emulate_media(media="screen")
    assert not page.locator(".impart-print-address").is_visible()


# A row and a command longer than any phone's width (built from parts to keep the source's lines short).
WIDE_ROW = ["pilot", "claims team lead", "under 25,000", "claims answered in two days", "five days", "two days"]
WIDE_ROW += ["shared inbox", "2026-06-01", "weekly report to the sponsor"]
WIDE_COMMAND = "impart proposals export --status in-review --format csv --since 2026-01-01 --output "
WIDE_COMMAND += "/var/lib/impart/exports/in-review-2026-06.csv"
WIDE_NOTE = f"""---
title: A note with wide content
description: A table with many columns and a line of code longer than any phone, to see where each one scrolls.
date: 2026-03-03
authors: [impart]
categories: [Operations]
---

## Figures

| {" | ".join(f"column {n}" for n in range(1, len(WIDE_ROW) + 1))} |
|{"---|" * len(WIDE_ROW)}
| {" | ".join(WIDE_ROW)} |

```
{WIDE_COMMAND}
```
"""


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide")
    project = copy_site(folder / "project")
    (project / "docs/field-notes/posts/wide-content.md").write_text(WIDE_NOTE, encoding="utf-8")
    result = mkdocs_build(project / "mkdocs.yml", folder / "site")
    assert result.returncode == 0, result.stderr
    port = free_port()
    command = serve_command(folder / "site", folder / "proposals", port, config=project / "mkdocs.yml")
    with running(command, port):
        yield f"http://127.0.0.1:{port}"


def test_wide_tables_and_code_scroll_in_their_own_box_with_a_cue(browser, wide_site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(wide_site + "/field-notes/wide-content/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, "the page itself never scrolls sideways"
    for selector in (".impart-note__body table", ".impart-note__body pre > code"):
        box = page.eval_on_selector(
            selector,
            """e => { const s = getComputedStyle(e);
               return {scrolls: e.scrollWidth > e.clientWidth, overflow: s.overflowX,
                       image: s.backgroundImage, attachment: s.backgroundAttachment}; }""",
        )
        assert box["scrolls"] and box["overflow"] in ("auto", "scroll"), (selector, box)
        # The cue: a shadow fixed to the box's edge, covered where the content has no more to show.
        assert box["image"].count("radial-gradient") == 2 and "local" in box["attachment"], (selector, box)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".impart-note__body").screenshot(path=str(ARTIFACTS / "wide-content-phone-light.png"))
    context.close()


PAGES = {"note": NOTE, "home": "/", "listing": "/field-notes/"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("device", "width"), [("desktop", 1280), ("phone", 390)])
def test_screenshots_of_note_home_and_listing(open_page, device, width, scheme):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        page = open_page(path, width=width, height=900 if device == "desktop" else 844, scheme=scheme,
                         phone=device == "phone")  # fmt: skip
        target = ARTIFACTS / f"{name}-{device}-{scheme}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.read_bytes()[:4] == b"\x89PNG" and target.stat().st_size > 10_000


def test_words_typed_into_search_before_the_script_loads_are_searched(open_page):
    page = open_page(NOTE, hold_bundle=True)
    page.click("input[data-md-component=search-query]")
    page.keyboard.type("rollback")
    assert not bundle_has_run(page)
    release_bundle(page)
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    assert page.input_value("input[data-md-component=search-query]") == "rollback"
