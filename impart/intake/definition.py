"""The one form definition: `form:` in the intake page's front matter.

It drives the HTML form (rendered at build time), the browser's checks (as HTML
attributes and a JSON island) and the handler's validation. A bad definition
raises FormDefinitionError with one line naming the field and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from impart.content.front_matter import FrontMatterSyntaxError, split_front_matter
from impart.intake.rules import RULES, SITE_PATH, TYPE_CHECKS, TYPE_FORMATS

FIELD_TYPES = ("text", "email", "tel", "textarea", "select", "checkbox")
FIELD_KEYS = frozenset(
    {
        "name",
        "label",
        "hint",
        "type",
        "required",
        "max_length",
        "options",
        "autocomplete",
        "rules",
        "messages",
        "honeypot",
        "link",
    }
)
MESSAGE_KEYS = frozenset(
    {"required", "too_long", "invalid", "one_line"}
    | set(RULES)
    | {kind for checks in TYPE_CHECKS.values() for kind, _ in checks}
)
# Fields the page adds beside the definition's: where the reader came from.
CONTEXT_FIELDS = ("from",)
# A control with one of these names hides the form property of that name in the browser
# (form.action, form.elements, ...), which the form's script relies on.
RESERVED_NAMES = frozenset(
    {"action", "method", "elements", "length", "dataset", "submit", "reset", "target", "enctype", "encoding"}
)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEFAULT_MAX_LENGTH = {"textarea": 4000, "checkbox": 3}


class FormDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    hint: str = ""
    required: bool = False
    max_length: int = 200
    options: tuple[str, ...] = ()
    autocomplete: str = ""
    rules: tuple[str, ...] = ()
    messages: dict = field(default_factory=dict)
    honeypot: bool = False
    link: tuple[str, str] | None = None  # (text, href) shown after the hint, e.g. to the privacy note

    @property
    def hint_id(self) -> str:
        return f"{self.name}-hint" if self.hint or self.link else ""

    @property
    def error_id(self) -> str:
        return f"{self.name}-error"

    def message(self, kind: str) -> str:
        """The message a prospect sees for a problem of this kind, in the definition's words if it has them."""
        if kind in self.messages:
            return self.messages[kind]
        label = self.label.rstrip(".?:")
        if kind == "required":
            if self.type == "checkbox":
                return f"Tick the box: {label}"
            if self.type == "select":
                return f"Select an answer for {label.lower()}"
            return f"Enter {label.lower()}"
        if kind == "too_long":
            return f"{label} must be {self.max_length} characters or fewer"
        if kind == "one_line":
            return f"{label} must be on one line; remove the line break"
        if kind == "invalid":
            if self.type in TYPE_FORMATS:
                return TYPE_FORMATS[self.type].message
            return f"Select one of the listed answers for {label.lower()}"
        if kind in RULES:
            return RULES[kind].message.format(label=label)
        for check_kind, rule in TYPE_CHECKS.get(self.type, ()):
            if check_kind == kind:
                return rule.message
        raise KeyError(kind)

    @property
    def checks(self) -> tuple[tuple[str, str], ...]:
        """(kind, pattern) of every check the value must pass past length and options, in the order both the
        handler and the browser run them: the type's format, the type's further checks, then the rules."""
        found = []
        if self.type in TYPE_FORMATS:
            found.append(("invalid", TYPE_FORMATS[self.type].pattern))
        found += [(kind, rule.pattern) for kind, rule in TYPE_CHECKS.get(self.type, ())]
        found += [(rule, RULES[rule].pattern) for rule in self.rules]
        return tuple(found)


@dataclass(frozen=True)
class FormDefinition:
    version: int
    fields: tuple[Field, ...]
    source: str = ""

    @property
    def visible_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.honeypot)

    @property
    def honeypot(self) -> Field | None:
        return next((f for f in self.fields if f.honeypot), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def labels(self) -> dict[str, str]:
        """Each field's label by its name: what the prospect read, and so what the operator's mail and `show` print."""
        return {f.name: f.label for f in self.fields}

    def client_rules(self) -> dict:
        """What the browser script needs to run the same checks: the JSON island's content."""
        fields = []
        for f in self.visible_fields:
            checks = [{"pattern": pattern, "message": f.message(kind)} for kind, pattern in f.checks]
            fields.append(
                {
                    "name": f.name,
                    "type": f.type,
                    "required": f.required,
                    "maxLength": f.max_length,
                    "options": list(f.options),
                    "messages": {"required": f.message("required"), "tooLong": f.message("too_long")}
                    | ({"invalid": f.message("invalid")} if f.type == "select" else {}),
                    "checks": checks,
                }
            )
        return {"version": self.version, "fields": fields, "fromPattern": SITE_PATH}


def _field(raw, index: int, where: str) -> Field:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{where}: form field {index + 1} must be a mapping with name, label and type")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise FormDefinitionError(
            f"{where}: form field {index + 1} needs a 'name' of lower-case letters, digits and _, e.g. name: work_email"
        )
    if name in CONTEXT_FIELDS or name in RESERVED_NAMES:
        raise FormDefinitionError(f"{where}: form field '{name}': the name is reserved for the page; choose another")
    ref = f"{where}: form field '{name}'"
    unknown = sorted(set(raw) - FIELD_KEYS)
    if unknown:
        raise FormDefinitionError(f"{ref}: '{unknown[0]}' is not a field key; use {', '.join(sorted(FIELD_KEYS))}")
    kind = raw.get("type")
    if kind not in FIELD_TYPES:
        raise FormDefinitionError(f"{ref}: type {kind!r} is unknown; use one of {', '.join(FIELD_TYPES)}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise FormDefinitionError(f"{ref}: 'label' is missing; every field needs a visible label")
    options = raw.get("options") or []
    if kind == "select" and (not isinstance(options, list) or not options):
        raise FormDefinitionError(f"{ref}: a select needs 'options', a list of answers")
    if kind != "select" and options:
        raise FormDefinitionError(f"{ref}: only a select takes 'options'")
    if len(set(map(str, options))) != len(options):
        raise FormDefinitionError(f"{ref}: 'options' lists an answer twice")
    rules = raw.get("rules") or []
    if not isinstance(rules, list):
        raise FormDefinitionError(f"{ref}: 'rules' must be a list, e.g. rules: [contains_digit]")
    for rule in rules:
        if rule not in RULES:
            raise FormDefinitionError(f"{ref}: rule {rule!r} is unknown; use one of {', '.join(RULES)}")
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH.get(kind, 200))
    if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= 20000:
        raise FormDefinitionError(f"{ref}: 'max_length' must be a whole number from 1 to 20000")
    messages = raw.get("messages") or {}
    if not isinstance(messages, dict) or not set(messages) <= MESSAGE_KEYS:
        raise FormDefinitionError(f"{ref}: 'messages' may set {', '.join(sorted(MESSAGE_KEYS))}")
    for key in ("required", "honeypot"):
        if not isinstance(raw.get(key, False), bool):
            raise FormDefinitionError(f"{ref}: '{key}' must be true or false")
    link = raw.get("link")
    if link is not None and not (
        isinstance(link, dict)
        and set(link) == {"text", "href"}
        and all(isinstance(v, str) and v for v in link.values())
    ):
        raise FormDefinitionError(
            f"{ref}: 'link' must have a text and an href, e.g. link: {{text: Privacy, href: '#privacy'}}"
        )
    if raw.get("honeypot") and raw.get("required"):
        raise FormDefinitionError(f"{ref}: a honeypot cannot be required; people never see it")
    if str(raw.get("autocomplete") or "").strip().lower() == "off" and not raw.get("honeypot"):
        # Chromium restores a page's answers after Back, but never those of a field marked "off": the prospect
        # back from the thank-you page finds it empty and cannot send again until it is retyped.
        raise FormDefinitionError(
            f'{ref}: autocomplete "off" empties this answer when the prospect goes Back; leave autocomplete out'
        )
    return Field(
        name=name,
        label=label.strip(),
        type=kind,
        hint=str(raw.get("hint") or "").strip(),
        required=bool(raw.get("required", False)),
        max_length=max_length,
        options=tuple(str(o) for o in options),
        autocomplete=str(raw.get("autocomplete") or ""),
        rules=tuple(rules),
        messages={str(k): str(v) for k, v in messages.items()},
        honeypot=bool(raw.get("honeypot", False)),
        link=(link["text"], link["href"]) if link else None,
    )


def parse_form(raw, where: str) -> FormDefinition:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{where}: 'form' is missing; add form: with a version and a list of fields")
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormDefinitionError(f"{where}: 'form.version' must be a whole number, e.g. version: 1")
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise FormDefinitionError(f"{where}: 'form.fields' must list the form's fields")
    fields = [_field(item, i, where) for i, item in enumerate(raw_fields)]
    seen = set()
    for f in fields:
        if f.name in seen:
            raise FormDefinitionError(f"{where}: form field '{f.name}' is defined twice; give each field its own name")
        seen.add(f.name)
    if sum(f.honeypot for f in fields) > 1:
        raise FormDefinitionError(f"{where}: more than one field is a honeypot; keep one")
    return FormDefinition(version=version, fields=tuple(fields), source=where)


def load_form(page: Path, where: str | None = None) -> FormDefinition:
    """The definition from the intake page's front matter; `where` is the path shown in messages."""
    where = where or Path(page).as_posix()
    try:
        meta, _ = split_front_matter(Path(page).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FormDefinitionError(f"{where}: the intake page is missing; it holds the form definition") from None
    except FrontMatterSyntaxError as error:
        line = "" if error.line is None else f":{error.line}"
        raise FormDefinitionError(f"{where}{line}: {error}") from None
    return parse_form(meta.get("form"), where)


def site_form(site) -> tuple[Path, FormDefinition]:
    """The intake page of `site` (an impart.settings.SiteSettings) and the form it defines, named as an editor
    sees it; the one place the form is found from the settings."""
    from impart.intake.settings import intake_page_source

    source = site.docs_dir / intake_page_source(site.extra)
    return source, load_form(source, site.relative(source))


def site_labels(config_file) -> dict[str, str]:
    """The labels of the form of the site `config_file` (its mkdocs.yml) defines, by field name.

    Empty when the site or its form cannot be read: the caller then names each answer by its field name,
    as the operator's mail does, since a broken form must not hide the proposals already received.
    """
    from impart.settings import load_settings

    try:
        _, form = site_form(load_settings(config_file))
    except (OSError, ValueError):  # SettingsError and FormDefinitionError are ValueErrors
        return {}
    return form.labels
