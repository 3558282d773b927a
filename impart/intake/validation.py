"""Pure validation: the form definition and submitted text in, clean values or per-field errors out.

Values are kept as typed, after NFC normalisation and with browser line
endings (CRLF) read as newlines; one-line fields (every type but textarea)
refuse line breaks and are stored without surrounding spaces. Control
characters other than tab and newline are refused. Proved by
tests/intake/test_intake_validation.py and tests/intake/test_hostile_input.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from impart.intake.definition import Field, FormDefinition
from impart.intake.rules import SITE_PATH, TYPE_FORMATS

CHECKBOX_VALUE = "yes"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile("[\n\u2028\u2029]")
MULTI_LINE_TYPES = ("textarea",)
# In Python `$` also matches before a final newline: `\Z` does not.
_SITE_PATH = re.compile(SITE_PATH.removesuffix("$") + r"\Z")


def is_site_path(value: str) -> bool:
    return bool(_SITE_PATH.match(value))


def normalise(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n"))


@dataclass(frozen=True)
class Outcome:
    values: dict = field(default_factory=dict)  # clean values, by field name (checkboxes as booleans)
    errors: dict = field(default_factory=dict)  # messages, by field name, in the form's order
    honeypot_filled: bool = False
    came_from: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def fingerprint(self, version: int) -> str:
        """Identifies the same submission sent twice (a double click, a retry)."""
        payload = json.dumps([version, self.came_from, sorted(self.values.items())], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _check(f: Field, value: str) -> str | None:
    if _CONTROL.search(value):
        return f"{f.label.rstrip('.?:')} contains a control character that cannot be stored; remove it"
    if f.type == "checkbox":
        if value not in ("", CHECKBOX_VALUE):
            return f.message("invalid")
        return f.message("required") if f.required and not value else None
    if not value.strip():
        return f.message("required") if f.required else None
    if f.type not in MULTI_LINE_TYPES and _LINE_BREAK.search(value):
        return f.message("one_line")
    if len(value) > f.max_length:
        return f.message("too_long")
    if f.type == "select" and value not in f.options:
        return f.message("invalid")
    # Formats are checked on the trimmed value (as stored), rules on the value as typed, as in the browser.
    tested = value.strip() if f.type in TYPE_FORMATS else value
    for kind, pattern in f.checks:
        if not re.search(pattern, tested):
            return f.message(kind)
    return None


def validate(definition: FormDefinition, submitted: Mapping[str, str]) -> Outcome:
    values, errors = {}, {}
    honeypot_filled = False
    for f in definition.fields:
        value = normalise(submitted.get(f.name, ""))
        if f.honeypot:
            honeypot_filled = bool(value.strip())
            continue
        problem = _check(f, value)
        if problem:
            errors[f.name] = problem
        elif f.type not in MULTI_LINE_TYPES:
            value = value.strip()
        values[f.name] = (value == CHECKBOX_VALUE) if f.type == "checkbox" else value
    came_from = normalise(submitted.get("from", ""))
    return Outcome(
        values=values,
        errors=errors,
        honeypot_filled=honeypot_filled,
        came_from=came_from if is_site_path(came_from) else "",
    )
