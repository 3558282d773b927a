"""One headline per page: a page's first `# ` heading (or its `title:`) is its <h1>, so every later top-level
heading in the body, written `# Text`, underlined with `===` or as raw `<h1>`, is refused with the `##` that
keeps it a section. Read from the source outside code, so `impart check` and the build say the same; a `# ` line
inside raw HTML (impart.content.raw_html_blocks) is text Markdown leaves alone, never a heading."""

from __future__ import annotations

import re

from impart.content.field_notes import Problem
from impart.content.raw_html_blocks import markdown_lines
from impart.content.references import INLINE_CODE, first_prose_line, prose_lines

_ATX = re.compile(r"^ {0,3}#[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}=+[ \t]*$")
_RAW = re.compile(r"<h1\b[^>]*>(.*?)(?:</h1>|$)", re.I)
_TAGS = re.compile(r"<[^>]+>")


def top_headings(text: str, first_line: int = 1) -> list[tuple[int, str, str]]:
    """Every top-level heading outside code: its line, its text and how it is written ("#", "=" or "<h1>")."""
    found = []
    previous: tuple[int, str] | None = None
    raw_html = "<" in text  # else every line outside code is Markdown, with no need to sort them
    markdown = {number for number, _ in markdown_lines(text, first_line)} if raw_html else None
    for number, line in prose_lines(text, first_line):
        is_markdown = markdown is None or number in markdown
        if is_markdown and (atx := _ATX.match(line)) is not None:
            found.append((number, atx.group(1).strip(), "#"))
        elif (
            is_markdown
            and _SETEXT.match(line)
            and previous
            and previous[0] == number - 1
            and (markdown is None or previous[0] in markdown)
            and previous[1].strip()
        ):
            found.append((previous[0], previous[1].strip(), "="))
        elif (raw := _RAW.search(INLINE_CODE.sub("", line))) is not None:  # raw HTML included: <h1> is one
            found.append((number, _TAGS.sub("", raw.group(1)).strip(), "<h1>"))
        previous = (number, line)
    return found


def extra_headlines(body: str, where: str, first_line: int = 1, titled: bool = False) -> list[Problem]:
    """The top-level headings after the page's headline. The headline is the body's first such heading, or, on a
    note with `title:` (`titled`), the title: then a heading that opens the body is a copy of it, which the note's
    own check reports, and every other one is a section written one level too high."""
    headings = top_headings(body, first_line)
    if headings and (not titled or headings[0][0] == first_prose_line(body, first_line)):
        headings = headings[1:]
    fixes = {
        "#": "write it as '## {text}'",
        "=": "underline it with '---' or write it as '## {text}'",
        "<h1>": "write it as <h2> or '## {text}'",
    }
    return [
        Problem(
            where,
            "body",
            f"the heading '{text}' is a second headline (<h1>) on a page that has one; "
            f"{fixes[style].format(text=text)}",
            line=number,
        )
        for number, text, style in headings
    ]
