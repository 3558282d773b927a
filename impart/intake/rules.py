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


def _any_case(word: str) -> str:
    """`word` matching in any letter case, without a flag: the browser's RegExp and `re` get no flags here."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# Names that never reach a mailbox on the open internet (RFC 6761 and kin): a site that mailed them would be
# mailing itself or its neighbours.
_LOCAL_NAMES = ("localhost", "localdomain", "local", "invalid", "internal", "arpa")
_ATOM = r"[A-Za-z0-9!#$&'*+/=?^_`{|}~-]+"  # what an unquoted local part is made of, but for `%`
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

# Checks past the format, by field type, each with the kind of message it gives (a key of a field's
# `messages`): what the site will not or cannot mail. The sender never asks for SMTPUTF8, so a local part
# beyond ASCII could not be sent; `%` routes through the receiving host; a quoted local part hides spaces
# and `@`; an IP literal or a domain with no dot or a local name is no organisation's mail domain.
TYPE_CHECKS: dict[str, tuple[tuple[str, Rule], ...]] = {
    "email": (
        (
            "local_part",
            Rule(
                pattern=rf"^(?=[^@]{{1,64}}@){_ATOM}(\.{_ATOM})*@",
                message="Write the part before the @ in plain letters, digits and . _ + - only, "
                "without quotes, % or accents, like jo.bloggs@example.com",
            ),
        ),
        (
            "domain",
            Rule(
                pattern=rf"@({_LABEL}\.)+[A-Za-z]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?$",
                message="Write the part after the @ as your organisation's mail domain, like example.com, "
                "not an IP address",
            ),
        ),
        (
            "public_domain",
            Rule(
                pattern=rf"^(?![^@]*@(.*\.)?({'|'.join(map(_any_case, _LOCAL_NAMES))})$)",
                message="Write an address on your organisation's public mail domain, like name@example.com, "
                "not one on a local network name",
            ),
        ),
    ),
}

# The `from` field: a path on this site (one leading slash, never `//host`), no query, no line break.
SITE_PATH = r"^/(?!/)[A-Za-z0-9._~/\-]{0,300}$"
