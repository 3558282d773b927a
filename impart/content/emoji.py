"""Icons and emoji in a note, drawn without a request to any other host (tests/pages/test_authoring.py proves it).

Material's generator inlines its icons (`:material-check-circle:`, `:fontawesome-...:`) as SVG, but hands
emoji (`:warning:`) to pymdownx, which links an image on a CDN. Here icons still go to Material's generator,
and an emoji becomes its own character, named for screen readers, drawn by the reader's emoji font.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from material.extensions.emoji import to_svg


def to_svg_or_character(index, shortname, alias, uc, alt, title, category, options, md):
    """pymdownx.emoji's generator: Material's inline SVG for an icon, the Unicode character for an emoji."""
    if not uc:  # only Material's icons have no code point
        return to_svg(index, shortname, alias, uc, alt, title, category, options, md)
    name = shortname.strip(":").replace("_", " ")
    emoji = Element("span", {"class": "impart-emoji", "role": "img", "aria-label": name})
    emoji.text = alt
    return emoji
