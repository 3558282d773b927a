"""A note's metadata for search engines and link previews: Open Graph, Twitter card, JSON-LD.

Built from the same FieldNote and Byline as the page, so the dates and the
author cannot disagree with what readers see.
"""

from __future__ import annotations

from impart.content.byline import Byline


def article_metadata(note, byline: Byline, canonical_url: str, site_name: str, site_url: str) -> dict:
    published = note.created.isoformat()
    modified = note.last_changed.isoformat()
    return {
        "open_graph": [
            ("og:type", "article"),
            ("og:title", note.title),
            ("og:description", note.description),
            ("og:url", canonical_url),
            ("og:site_name", site_name),
            ("article:published_time", published),
            ("article:modified_time", modified),
            *[("article:author", name) for name in note.author_names],
            ("article:section", byline.category),
        ],
        "twitter": [
            ("twitter:card", "summary"),
            ("twitter:title", note.title),
            ("twitter:description", note.description),
        ],
        "json_ld": {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": note.title,
            "description": note.description,
            "datePublished": published,
            "dateModified": modified,
            "author": [
                {"@type": kind, "name": name} for name, kind in zip(note.author_names, note.author_types, strict=True)
            ],
            "publisher": {"@type": "Organization", "name": site_name, "url": site_url},
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url},
            "articleSection": byline.category,
        },
    }
