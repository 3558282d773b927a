"""The stylesheet for the dark scheme without scripts keeps exactly the slate scheme's rules, inside their
@media, with the slate selector made to match any scheme."""

from __future__ import annotations

from impart.content.dark_without_scripts import dark_stylesheet

MATERIAL = (
    "[data-md-color-scheme=default]{--fg:#000}"
    "@media screen{[data-md-color-scheme=slate]{--fg:#eee;color-scheme:dark}}"
    ":is(.a,.b),[data-md-color-scheme=slate] img:is(.c,.d){display:none}"
)
OURS = """
.md-typeset a { color: blue; }
[data-md-color-scheme="slate"] .md-typeset a { color: #9cc1f2; }
"""


def test_only_the_slate_rules_are_kept_and_match_any_scheme():
    css = dark_stylesheet([MATERIAL, OURS])
    assert css.splitlines() == [
        "@media screen{[data-md-color-scheme]{--fg:#eee;color-scheme:dark}}",
        "[data-md-color-scheme] img:is(.c,.d){display:none}",
        "[data-md-color-scheme] .md-typeset a{ color: #9cc1f2; }",
    ]


def test_no_slate_rules_no_rules():
    assert dark_stylesheet([".a{color:red}"]) == "\n"
