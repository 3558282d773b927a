"""Every check of the site's content, for `impart check` and the build alike: each note's front matter and
title (impart.content.field_notes), and every page's links, images and embedded resources
(impart.content.body_checks). tests/test_body_checks.py runs `impart check` and the strict build on the same
mistakes and asserts they print the same lines.
"""

from __future__ import annotations

from pathlib import Path

from impart.content.body_checks import check_body, docs_files
from impart.content.field_notes import FieldNote, NoteError, Problem, load_authors, read_note
from impart.content.front_matter import FrontMatterSyntaxError, split_front_matter
from impart.settings import SiteSettings


def page_body(text: str) -> tuple[str, int]:
    """A page's body and the line it starts on: after the front matter, when it has one."""
    try:
        _, body = split_front_matter(text)
    except FrontMatterSyntaxError:
        return text, 1
    return body, text.count("\n") - body.count("\n") + 1


def check_page_body(src_uri: str, text: str, settings: SiteSettings, known) -> list[Problem]:
    body, first_line = page_body(text.lstrip("\ufeff"))
    where = settings.relative(settings.docs_dir / src_uri)
    return check_body(src_uri, body, where, known, settings.docs_dir, first_line)


def check_site(settings: SiteSettings) -> tuple[list[FieldNote], list[Problem]]:
    """Every note and every problem of every page, in the order of the files."""
    known = docs_files(settings.docs_dir)
    try:
        authors = load_authors(settings)
    except NoteError as error:
        authors, problems = None, [error.problem]
    else:
        problems = []
    notes = []
    posts = settings.posts_dir.relative_to(settings.docs_dir).as_posix() + "/"
    for src_uri in sorted(path for path in known if path.endswith(".md")):
        path: Path = settings.docs_dir / src_uri
        if src_uri.startswith(posts) and authors is not None:
            note, found = read_note(path, settings, authors)
            problems += found
            if note:
                notes.append(note)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue  # read_note has said so for a note; MkDocs says so for another page
        problems += check_page_body(src_uri, text, settings, known)
    return notes, problems
