"""The publication's frame: what the masthead, the footer and the bylines link to on every page.

Everything comes from the blog's own views (categories, archive, author profiles) and from
`extra.categories` in mkdocs.yml (each category's one-line description), so a new category or
year appears in the frame without anyone editing a template. Proved by tests/test_frame.py
(the built pages' masthead, footer, bylines and category pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FrameLink:
    title: str
    url: str
    count: int = 0
    description: str = ""


@dataclass(frozen=True)
class Frame:
    """The links every page's frame shows; `category_urls` and `author_urls` serve the bylines."""

    categories: list[FrameLink] = field(default_factory=list)
    archive: list[FrameLink] = field(default_factory=list)
    category_urls: dict[str, str] = field(default_factory=dict)
    author_urls: dict[str, str] = field(default_factory=dict)

    def category(self, title: str) -> FrameLink | None:
        return next((c for c in self.categories if c.title == title), None)


def make_frame(
    category_views: Sequence, archive_views: Sequence, author_views: Sequence, descriptions: Mapping
) -> Frame:
    """The frame from the blog's views (objects with `title`, `url` and `posts`), categories in the given order,
    the archive newest year first."""
    categories = [FrameLink(v.title, v.url, len(v.posts), descriptions.get(v.title, "")) for v in category_views]
    archive = sorted(
        (FrameLink(v.title, v.url, len(v.posts)) for v in archive_views), key=lambda a: a.title, reverse=True
    )
    return Frame(
        categories=categories,
        archive=archive,
        category_urls={c.title: c.url for c in categories},
        author_urls={v.title: v.url for v in author_views},
    )
