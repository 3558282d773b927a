"""Prospects' text as the operator's terminal and spreadsheet show it: nothing in it can drive them.

C0 and C1 control characters (but tab and newline), DEL, the Unicode line and
paragraph separators and the bidirectional controls (U+061C, U+200E, U+200F,
U+202A to U+202E, U+2066 to U+2069) are shown as escapes (`\\x9b`, `\\u202e`):
a C1 CSI can drive a terminal, and a right-to-left override can reorder what
the operator reads. JSON gets JSON's own escapes, so it still parses to the
same record. Proved by tests/cli/test_proposals_output.py.
"""

from __future__ import annotations

import json
import re

_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[{_UNSAFE}]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """`text` with every unsafe character written as a visible escape."""
    return UNSAFE.sub(_escape, text)


def one_line(value, limit: int) -> str:
    """`value` folded onto one line (any run of whitespace, line breaks included, is one space), cut to `limit`."""
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_shown(text: str) -> str:
    """A JSON document with every unsafe character written as a JSON `\\uXXXX` escape (still the same JSON).

    Such characters can only stand inside JSON strings, where the escape means the same character.
    """
    return UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


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
    """A value as the operator reads it: control and bidi characters shown escaped."""
    return shown(plain(value, "yes", "no"))
