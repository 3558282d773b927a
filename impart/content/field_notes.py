"""The field note's front matter: its schema, and the checks an editor relies on.

Every problem names the file, the key and the fix in one line, e.g.
`docs/field-notes/posts/pilots.md: 'date' is missing; write date: 2026-12-03` (the day it runs).
Errors stop the build; unknown keys are warnings (so `--strict` fails on them).
"""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from impart.content.dates import build_date
from impart.content.file_names import kebab_case
from impart.content.references import first_heading, first_prose_line
from impart.content.titles import headline_too_long, title_html, title_text
from impart.content.typography import typeset_text
from impart.settings import SiteSettings

DESCRIPTION_MIN = 50
DESCRIPTION_MAX = 300
EXAMPLE_DATE = "2026-04-26"
# Said after a missing key that a draft may leave out while it is previewed (impart.content.drafts).
DRAFT_MAY_OMIT = "(a draft may leave it out in the preview; make build refuses it)"

# Keys this project reads, then keys Material's blog plugin and MkDocs read.
NOTE_KEYS = ("title", "description", "date", "authors", "categories", "readtime", "cta", "placeholder")
ENGINE_KEYS = ("draft", "hide", "search", "template", "status")
# Keys Material's blog documents that would do nothing here: refused, with the reason and what to do instead.
REFUSED_KEYS = {
    "slug": "a note's address is its file name here (post_url_format); rename the file instead",
    "links": "field notes show no sidebar of related links; link the notes in the body, e.g. a '## Further reading'",
    "pin": "listings here are newest first, with no pinned notes; move the note up by its date instead",
    "comments": "nothing on this site shows comments (no comment system is set up); remove the line",
    "tags": "the site has no tags (Material's tags plugin is off); the note's one category groups it",
}
KNOWN_KEYS = frozenset(NOTE_KEYS + ENGINE_KEYS)


@dataclass(frozen=True)
class Problem:
    path: str
    key: str
    message: str
    severity: str = "error"  # or "warning"
    line: int | None = None  # in the file, counting from 1, when the problem is on one line

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CallToAction:
    lead: str
    label: str


@dataclass(frozen=True)
class FieldNote:
    path: str
    title: str  # plain text: <title>, feeds, JSON-LD, Open Graph
    title_html: str  # inline HTML (code, emphasis): the headline and the listings
    title_from_h1: bool
    description: str
    created: dt.date
    updated: dt.date | None
    authors: tuple[str, ...]
    author_names: tuple[str, ...]
    author_types: tuple[str, ...]  # schema.org's: "Person" or "Organization", one per author
    category: str
    readtime: int | None
    # None: the site-wide call to action; False: none; else the note's own.
    cta: CallToAction | bool | None
    placeholder: Mapping | None

    @property
    def last_changed(self) -> dt.date:
        return self.updated or self.created


class NoteError(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


# `type:` of an author in .authors.yml, as schema.org names it in the note's JSON-LD. Unwritten, an author is
# the house (an Organization): the desk signs most notes; a person says `type: person`.
AUTHOR_TYPES = {"organization": "Organization", "person": "Person"}


class Authors(dict):
    """Author keys to display names, and (`types`) each author's schema.org type."""

    def __init__(self, names: Mapping[str, str], types: Mapping[str, str]):
        super().__init__(names)
        self.types = dict(types)


def load_authors(settings: SiteSettings) -> Authors:
    """Author keys to display names and types, from `.authors.yml`."""
    path = settings.authors_file
    where = settings.relative(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise NoteError(
            Problem(where, "authors", "the authors file is missing; create it with an 'authors:' map")
        ) from None
    except yaml.YAMLError:
        raise NoteError(Problem(where, "authors", "the authors file is not valid YAML; fix its indentation")) from None
    authors = raw.get("authors") if isinstance(raw, dict) else None
    if not isinstance(authors, dict) or not authors:
        raise NoteError(
            Problem(where, "authors", "'authors' must map each key to a name, e.g. impart: {name: Impart Editorial}")
        )
    names, types = {}, {}
    for key, entry in authors.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise NoteError(Problem(where, f"authors.{key}", f"author '{key}' needs a 'name'"))
        kind = entry.get("type", "organization")
        if kind not in AUTHOR_TYPES:
            raise NoteError(
                Problem(
                    where,
                    f"authors.{key}.type",
                    f"author '{key}' has type: {kind}; write type: person or type: organization (the default)",
                )
            )
        names[str(key)] = entry["name"]
        types[str(key)] = AUTHOR_TYPES[kind]
    return Authors(names, types)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


class _Checker:
    """Collects every problem of one note, so an editor can fix them at once. `may_omit`: the keys whose absence
    is only a warning (a draft's, in the preview: impart.content.drafts)."""

    def __init__(self, path: str, may_omit: frozenset[str] = frozenset()):
        self.path = path
        self.may_omit = may_omit
        self.problems: list[Problem] = []

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, key, message))

    def warn(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, key, message, "warning"))

    def missing(self, key: str, message: str) -> None:
        if key in self.may_omit:
            self.warn(key, f"{message} {DRAFT_MAY_OMIT}")
        else:
            self.error(key, message)


def _today() -> str:
    """The day to suggest for a note without one: the day of the build, which is when the editor writes it."""
    try:
        return build_date().isoformat()
    except ValueError:  # a malformed SOURCE_DATE_EPOCH is reported where the build reads it
        return EXAMPLE_DATE


def _check_date(meta: dict, c: _Checker) -> tuple[dt.date | None, dt.date | None]:
    if "date" not in meta or meta["date"] is None:
        c.error("date", f"'date' is missing; write date: {_today()}")
        return None, None
    value = meta["date"]
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"created", "updated"})
        if unknown:
            c.error("date", f"'date.{unknown[0]}' is not a date field; use date.created and date.updated")
        created = _as_date(value.get("created"))
        if created is None:
            c.error("date.created", f"'date.created' must be a date; write date: {{created: {EXAMPLE_DATE}}}")
        updated = None
        if value.get("updated") is not None:
            updated = _as_date(value["updated"])
            if updated is None:
                c.error("date.updated", f"'date.updated' must be a date like {EXAMPLE_DATE}, not {value['updated']!r}")
        if created and updated and updated < created:
            c.error(
                "date.updated",
                f"'date.updated' ({updated}) is before 'date.created' ({created}); "
                "the update must be on or after the creation date",
            )
        return created, updated
    created = _as_date(value)
    if created is None:
        c.error("date", f"'date' must be a date like {EXAMPLE_DATE}, not {value!r}")
    return created, None


def _check_description(meta: dict, c: _Checker) -> str:
    value = meta.get("description")
    if value is None:
        c.missing(
            "description",
            f"'description' is missing; write the standfirst, {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters",
        )
        return ""
    if not isinstance(value, str):
        c.error("description", "'description' must be text: the standfirst, in one sentence or two")
        return ""
    text = " ".join(value.split())
    if not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
        c.error(
            "description",
            f"'description' is {len(text)} characters; "
            f"write a standfirst of {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters",
        )
    return typeset_text(text)


def _check_authors(meta: dict, authors: Mapping[str, str], authors_file: str, c: _Checker) -> tuple[str, ...]:
    value = meta.get("authors")
    example = next(iter(authors), "impart")
    if value is None:
        c.missing("authors", f"'authors' is missing; write authors: [{example}]")
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        c.error("authors", f"'authors' must be a list of author keys, e.g. authors: [{example}]")
        return ()
    seen = set()
    for key in value:
        if str(key) in seen:
            c.error("authors", f"'authors' names '{key}' more than once; list each author once")
        seen.add(str(key))
        if str(key) not in authors:
            c.error(
                "authors",
                f"'authors' names '{key}', who is not in {authors_file}; use one of: {', '.join(authors)}",
            )
    return tuple(dict.fromkeys(str(key) for key in value))


def _check_category(meta: dict, allowed: tuple[str, ...], c: _Checker) -> str:
    value = meta.get("categories")
    example = allowed[0] if allowed else "Field notes"
    if value is None:
        c.missing("categories", f"'categories' is missing; write categories: [{example}]")
        return ""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) != 1:
        count = len(value) if isinstance(value, list) else "no"
        c.error(
            "categories", f"'categories' lists {count} categories; a note has exactly one, e.g. categories: [{example}]"
        )
        return ""
    category = str(value[0])
    if allowed and category not in allowed:
        c.error("categories", f"'categories' has '{category}', which is not allowed; use one of: {', '.join(allowed)}")
    return category


def _check_readtime(meta: dict, c: _Checker) -> int | None:
    value = meta.get("readtime")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        c.error("readtime", f"'readtime' must be a whole number of minutes, e.g. readtime: 6; not {value!r}")
        return None
    return value


def _check_cta(meta: dict, c: _Checker) -> CallToAction | bool | None:
    if "cta" not in meta:
        return None
    value = meta["cta"]
    if value is False:
        return False
    if isinstance(value, dict) and set(value) <= {"lead", "label"}:
        lead, label = value.get("lead"), value.get("label")
        if isinstance(lead, str) and lead.strip() and isinstance(label, str) and label.strip():
            return CallToAction(lead=typeset_text(lead.strip()), label=typeset_text(label.strip()))
    c.error(
        "cta", "'cta' must be false, or a lead and a label, e.g. cta: {lead: Facing this?, label: Request a Proposal}"
    )
    return None


def _slug_fix(slug: str, where: str) -> str:
    """What gives the note the address its slug asks for: the file renamed to it (post_url_format), or nothing."""
    folder, name = posixpath.split(where)
    wanted = kebab_case(posixpath.basename(slug.strip().strip("/")) + ".md")
    reason = "a note's address is its file name here (post_url_format)"
    if wanted == name:
        return f"{reason}, and this file's name gives that address already; remove this line"
    return f"{reason}; rename the file {posixpath.join(folder, wanted)} and remove this line"


def _check_unknown_keys(meta: dict, c: _Checker) -> None:
    for key in meta:
        if key in KNOWN_KEYS:
            continue
        if key == "slug" and isinstance(meta[key], str) and meta[key].strip():
            c.error("slug", f"'slug' is not used on this site: {_slug_fix(meta[key], c.path)}")
            continue
        if key in REFUSED_KEYS:
            c.error(str(key), f"'{key}' is not used on this site: {REFUSED_KEYS[key]}")
            continue
        close = difflib.get_close_matches(str(key), NOTE_KEYS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"the keys are: {', '.join(NOTE_KEYS)}"
        c.warn(str(key), f"'{key}' is not a front-matter key; {hint}")


def parse_note(
    meta: dict,
    body: str,
    path: str,
    authors: Mapping[str, str],
    categories_allowed: tuple[str, ...],
    authors_file: str = ".authors.yml",
    first_line: int = 1,
    may_omit: frozenset[str] = frozenset(),
) -> tuple[FieldNote | None, list[Problem]]:
    """Validate one note's front matter: the note (None on any error) and every problem. `first_line` is the
    body's first line in the file; `may_omit` the keys whose absence is a warning, not an error."""
    c = _Checker(path, may_omit)
    title = meta.get("title")
    title_from_h1 = False
    h1 = first_heading(body, first_line)
    if title is None:
        if h1:
            title, title_from_h1 = h1[1], True
        else:
            c.error("title", "'title' is missing; write title: ... or start the note with '# Its title'")
    elif not isinstance(title, str) or not title.strip():
        c.error("title", "'title' must be text, e.g. title: From pilot to production")
    elif h1 and h1[0] == first_prose_line(body, first_line):
        # A heading that opens the body repeats the title; one further down is a section (impart.content.headings).
        c.problems.append(
            Problem(
                path,
                "title",
                f"the note has both 'title:' and the heading '# {h1[1]}', two headlines; "
                "remove this '# ' line (the page prints title: as its headline)",
                line=h1[0],
            )
        )
    if isinstance(title, str) and (too_long := headline_too_long(title.strip())):
        c.problems.append(Problem(path, "title", too_long, "warning", line=h1[0] if title_from_h1 else None))
    created, updated = _check_date(meta, c)
    author_keys = _check_authors(meta, authors, authors_file, c)
    note = FieldNote(
        path=path,
        title=title_text(str(title or "").strip()),
        title_html=title_html(str(title or "").strip()),
        title_from_h1=title_from_h1,
        description=_check_description(meta, c),
        created=created,
        updated=updated,
        authors=author_keys,
        author_names=tuple(authors.get(key, key) for key in author_keys),
        author_types=tuple(getattr(authors, "types", {}).get(key, "Organization") for key in author_keys),
        category=_check_category(meta, categories_allowed, c),
        readtime=_check_readtime(meta, c),
        cta=_check_cta(meta, c),
        placeholder=meta.get("placeholder"),
    )
    _check_unknown_keys(meta, c)
    failed = any(p.severity == "error" for p in c.problems)
    return (None if failed else note), c.problems


def remove_title_heading(body: str) -> str:
    """The body without its first `# Title` line (outside code): the template prints the title itself."""
    heading = first_heading(body)
    if heading is None:
        return body
    lines = body.splitlines(keepends=True)
    del lines[heading[0] - 1]
    return "".join(lines)
