"""impart.speed.partials_memo: Material's navigation and tabs kept by everything they show, and only as pinned."""

from __future__ import annotations

import posixpath

from mkdocs.theme import Theme

from impart.speed import partials_memo


class Item:
    def __init__(self, title, url, children=(), meta=None, pages=None):
        self.title, self.url, self.children, self.meta = title, url, list(children), meta or {}
        self.active = False
        if pages is not None:
            self.pages = pages


class Nav:
    def __init__(self, *items):
        self.items = list(items)
        self.homepage = items[0]


class Env:
    filters = {"url": lambda context, url: posixpath.relpath(url or ".", posixpath.dirname(context["page"].url) or ".")}


class Context(dict):
    environment = Env()


class Page:
    def __init__(self, url):
        self.url = url


CONFIG = {"extra": {}, "theme": {}}


class Config(dict):
    extra = CONFIG["extra"]
    theme = CONFIG["theme"]


def context(page, nav, config, **more):
    return Context(page=page, nav=nav, config=config, lang="lang", features=["navigation.tabs"], **more)


def test_pages_that_show_the_same_navigation_share_a_key():
    config = Config()
    listing_page = Page("notes/page/2/")
    home, notes = Item("Home", ""), Item("Notes", "notes/", pages=[listing_page])
    nav = Nav(home, Item("Section", None, children=[notes]))
    first, second = Page("notes/first/index.html"), Page("notes/second/index.html")
    deeper = Page("notes/2026/third/index.html")

    notes.active = True
    assert partials_memo.navigation_key(context(first, nav, config)) == partials_memo.navigation_key(
        context(second, nav, config)
    )
    assert partials_memo.navigation_key(context(first, nav, config)) != partials_memo.navigation_key(
        context(deeper, nav, config)
    )

    shown = partials_memo.navigation_key(context(first, nav, config))
    notes.active = False  # another page's ancestors are active
    assert partials_memo.navigation_key(context(second, nav, config)) != shown
    before = partials_memo.navigation_key(context(second, nav, config))
    notes.meta["icon"] = "material/star"  # what an item shows
    assert partials_memo.navigation_key(context(second, nav, config)) != before


def test_a_page_in_the_navigation_or_a_listings_pages_is_rendered_for_itself():
    config = Config()
    listing_page = Page("notes/page/2/")
    home, notes = Item("Home", ""), Item("Notes", "notes/", pages=[listing_page])
    nav = Nav(home, notes)
    assert partials_memo.navigation_key(context(home, nav, config)) is None
    assert partials_memo.navigation_key(context(listing_page, nav, config)) is None


def test_only_materials_own_partials_as_read_are_kept(tmp_path):
    assert partials_memo.install(Theme(name="material").get_env())  # fails after a Material upgrade: re-read
    # the partials (impart/speed/partials_memo.py says what their output depends on), then update PINNED

    overrides = tmp_path / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "nav-item.html").write_text("{% macro render(nav_item, path, level) %}{{ page.title }}{% endmacro %}")
    env = Theme(name="material", custom_dir=str(tmp_path / "overrides")).get_env()
    render = env.get_template("partials/nav.html").root_render_func
    assert not partials_memo.install(env)
    assert env.get_template("partials/nav.html").root_render_func is render


def test_the_palette_and_search_box_are_kept_by_the_configuration_features_and_translations():
    config = Config()
    nav = Nav(Item("Home", ""))
    one, other = context(Page("a/"), nav, config), context(Page("b/c/"), nav, config)
    assert partials_memo.site_key(one) == partials_memo.site_key(other)
    assert partials_memo.site_key(one) != partials_memo.site_key(context(Page("a/"), nav, Config()))
    other["features"] = ["search.share"]
    assert partials_memo.site_key(one) != partials_memo.site_key(other)


def test_a_theme_without_materials_partials_is_left_as_it_is():
    env = Theme(name="mkdocs").get_env()
    assert not partials_memo.install(env)
