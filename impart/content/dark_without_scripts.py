"""The dark scheme for a reader who prefers it and runs no JavaScript.

Material sets the scheme by writing `data-md-color-scheme="slate"` on <body> from a script; without
scripts the page keeps the first palette option, light. This module gathers every rule the built
stylesheets (Material's palette, impart.css, authoring.css) give the slate scheme and rewrites its
selector to match any scheme, so one stylesheet, linked inside <noscript> with
`media="(prefers-color-scheme: dark)"` (overrides/main.html), paints the dark scheme with no script.
It is made from the built files at each build, so it follows Material's palette as upgraded.
tests/pages/test_small_faults_browser.py loads a note in Chromium with scripts off and a dark preference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tinycss2

# The slate scheme as Material's minified CSS and ours write it.
_SLATE = re.compile(r"""\[data-md-color-scheme=(["']?)slate\1\]""")
ANY_SCHEME = "[data-md-color-scheme]"
FILE_NAME = "assets/stylesheets/dark-without-scripts.css"


def _selectors(prelude: list) -> list[str]:
    """A rule's selector list split at its top-level commas (a comma inside :is() is in a nested block)."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [tinycss2.serialize(part).strip() for part in parts]


def _slate_rules(rules: Iterable) -> list[str]:
    found = []
    for rule in rules:
        if rule.type == "qualified-rule":
            slate = [s for s in _selectors(rule.prelude) if _SLATE.search(s)]
            if slate:
                selector = ",".join(_SLATE.sub(ANY_SCHEME, s) for s in slate)
                found.append(f"{selector}{{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            inner = _slate_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
            if inner:
                found.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
    return found


def dark_stylesheet(stylesheets: Iterable[str]) -> str:
    """Every slate rule of these stylesheets, in their order, as rules for any scheme."""
    rules = []
    for text in stylesheets:
        rules += _slate_rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))
    return "\n".join(rules) + "\n"
