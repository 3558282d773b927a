"""Every check of the site's content, for `impart check` and the build alike: each note's front matter and
title (impart.content.field_notes), and every page's links, images and embedded resources
(impart.content.body_checks), formulas (impart.content.maths), diagram fences (impart.content.diagrams) and
syntax the site does not read (impart.content.unread_syntax).
tests/content/test_body_checks.py runs `impart check` and the strict build on the same mistakes and asserts they
print the same lines.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from impart.content.addresses import poor_address
from impart.content.body_checks import check_body, docs_files
from impart.content.check_render import CheckRenderer
from impart.content.diagrams import diagram_problems
from impart.content.field_notes import FieldNote, NoteError, Problem, load_authors, parse_note
from impart.content.front_matter import FrontMatterSyntaxError, split_front_matter
from impart.content.headings import extra_headlines
from impart.content.image_descriptions import undescribed_images
from impart.content.maths import maths_problems
from impart.content.raw_html_validity import invalid_raw_html
from impart.content.render_marks import may_show_broken
from impart.content.rendered_page import judge
from impart.content.unread_syntax import unread_syntax
from impart.settings import SiteSettings

# What a draft may still lack while an editor previews it; the build, which refuses it, and check ask for all.
DRAFT_MAY_OMIT_KEYS = frozenset({"authors", "description", "categories"})

_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")


def key_lines(text: str, body_line: int) -> dict[str, int]:
    """Each top-level front-matter key and the line it is written on."""
    lines = text.splitlines()[1 : max(body_line - 2, 1)]
    return {found.group(1): number for number, line in enumerate(lines, start=2) if (found := _KEY.match(line))}


def _on_key_lines(problems: list[Problem], text: str, body_line: int) -> list[Problem]:
    """The problems about a key written in the front matter, with the line it is on (a missing key has none)."""
    lines = key_lines(text, body_line)
    return [
        dataclasses.replace(p, line=lines[p.key.split(".")[0]])
        if p.line is None and p.key.split(".")[0] in lines
        else p
        for p in problems
    ]


def drafts_among(notes: Iterable[tuple[str, str]]) -> set[str]:
    """The notes (src_uri, text) whose front matter says `draft: true`: Material's blog builds them only in
    the preview, so a link to one from a published page breaks in `make build`."""
    drafts = set()
    for src_uri, text in notes:
        if "draft" not in text:
            continue  # no front matter to read: the key is not written
        try:
            meta, _ = split_front_matter(text)
        except FrontMatterSyntaxError:
            continue
        if meta.get("draft") is True:
            drafts.add(src_uri)
    return drafts


def check_page(
    src_uri: str,
    text: str,
    settings: SiteSettings,
    known,
    authors: Mapping[str, str] | None,
    is_note: bool,
    drafts: Collection[str] = (),
    preview: bool = False,
) -> tuple[FieldNote | None, list[Problem]]:
    """One page's problems (and, for a field note, the note): its front matter when it is a note, then its body.
    `src_uri` is its path under docs/, `known` every file there, `authors` None when the authors file is bad,
    `drafts` the notes marked `draft: true`; in the `preview`, a draft lacking a key of DRAFT_MAY_OMIT_KEYS gets a
    warning, not an error."""
    where = f"{settings.relative(settings.docs_dir)}/{src_uri}"
    try:
        meta, body = split_front_matter(text)
    except FrontMatterSyntaxError as error:
        meta, body, first_line, split_error = None, text, 1, error  # the whole page is its body
    else:
        first_line = text.count("\n") - body.count("\n") + 1
    note, problems = None, poor_address(src_uri, where)
    if is_note and authors is not None:
        if meta is None:
            problems.append(Problem(where, "", str(split_error), line=split_error.line))
        else:
            authors_file = settings.relative(settings.authors_file)
            may_omit = DRAFT_MAY_OMIT_KEYS if preview and src_uri in drafts else frozenset()
            note, found = parse_note(
                meta, body, where, authors, settings.categories_allowed, authors_file, first_line, may_omit
            )
            problems += _on_key_lines(found, text, first_line)
    problems += check_body(src_uri, body, where, known, settings.docs_dir, first_line, drafts)
    titled = is_note and isinstance(meta, dict) and meta.get("title") is not None
    problems += extra_headlines(body, where, first_line, titled)
    problems += maths_problems(body, where, first_line)
    problems += diagram_problems(body, where, first_line)
    problems += invalid_raw_html(body, where, first_line)
    problems += unread_syntax(body, where, first_line)
    if is_note:
        problems += undescribed_images(body, where, first_line)
    return note, sorted(problems, key=lambda p: p.line or 0)  # in the order an editor meets them


def rendered_problems(renderer, src_uri: str, text: str, settings: SiteSettings) -> list[Problem]:
    """What the page shows broken once rendered (impart.content.rendered_page), for `impart check`."""
    try:
        _, body = split_front_matter(text)
    except FrontMatterSyntaxError:
        body = text
    where = f"{settings.relative(settings.docs_dir)}/{src_uri}"
    page = renderer.render(src_uri, where, text, body)
    return judge(page, renderer.site) if page is not None else []


def check_site(
    settings: SiteSettings, config_file: Path | None = None
) -> tuple[list[FieldNote], list[Problem], dict[str, str]]:
    """Every note and every problem of every page, in the order of the files, and the text of each page
    that could be read (by its path under docs/, for the placeholder check): each file read once. With the site's
    `config_file`, a page that may show something broken once rendered is rendered and judged as the build judges
    it (impart.content.rendered_page)."""
    known = docs_files(settings.docs_dir)
    try:
        authors = load_authors(settings)
    except NoteError as error:
        authors, problems = None, [error.problem]
    else:
        problems = []
    notes = []
    posts = settings.posts_dir.relative_to(settings.docs_dir).as_posix() + "/"
    texts = {}
    for src_uri in sorted(path for path in known if path.endswith(".md")):
        try:
            texts[src_uri] = (settings.docs_dir / src_uri).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            where = settings.relative(settings.docs_dir / src_uri)
            problems.append(Problem(where, "", "the file is not UTF-8 text; save it as UTF-8"))
    drafts = drafts_among((src_uri, text) for src_uri, text in texts.items() if src_uri.startswith(posts))
    renderer = None
    for src_uri, text in texts.items():
        note, found = check_page(src_uri, text, settings, known, authors, src_uri.startswith(posts), drafts)
        if config_file is not None and src_uri not in drafts and may_show_broken(text):
            if renderer is None:
                try:
                    renderer = CheckRenderer(config_file, settings, drafts)
                except ValueError as error:  # mkdocs.yml itself is wrong: the build stops on it too
                    problems.append(Problem(settings.relative(config_file), "", str(error)))
                    config_file = None
            if renderer is not None:
                rendered = rendered_problems(renderer, src_uri, text, settings)
                found = sorted(found + rendered, key=lambda p: p.line or 0)
        problems += found
        if note:
            notes.append(note)
    return notes, problems, texts
