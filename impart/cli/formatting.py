"""Stored values as the operator's terminal shows them: one string each, escaped, cut to a column's width."""

from __future__ import annotations

import json

from impart.intake.operator_text import one_line, shown


def plain(value, yes: str, no: str) -> str:
    """A stored value as a string: nothing for None, `yes` or `no` for a boolean, JSON for anything not a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def text(value) -> str:
    """A value as the operator reads it; control and bidi characters are shown escaped (impart.intake.operator_text)."""
    return shown(plain(value, "yes", "no"))


def cell(value, width: int) -> str:
    return one_line(text(value), width)
