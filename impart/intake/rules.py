"""Value rules, written once as patterns both Python's `re` and the browser's RegExp accept.

The browser script reads these patterns from the page's JSON island, so the
checks are never rewritten in JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    pattern: str  # searched for anywhere in the value; keep to syntax common to Python and JavaScript
    message: str  # `{label}` is replaced by the field's label


RULES: dict[str, Rule] = {
    "contains_digit": Rule(pattern=r"[0-9]", message="{label} must contain a number, written in digits"),
}

# Format checks by field type, in the same shared syntax.
TYPE_FORMATS: dict[str, Rule] = {
    "email": Rule(
        pattern=r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$",
        message="Enter an email address in the correct format, like name@example.com",
    ),
    "tel": Rule(
        pattern=r"^\+?[0-9 ()\-]{6,24}$",
        message="Enter a telephone number, like 020 7946 0000 or +44 20 7946 0000",
    ),
}

# The `from` field: a path on this site (one leading slash, never `//host`), no query, no line break.
SITE_PATH = r"^/(?!/)[A-Za-z0-9._~/\-]{0,300}$"
