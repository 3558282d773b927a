"""Syntax from other Material sites' extensions that this site does not read, so a page would show it as written
while check and the build stay green: `/// caption` and other `///` blocks (pymdownx.blocks), `--8<--` lines that
include another file (pymdownx.snippets, in prose or inside a fence) and `{% include %}` inside a fence
(mkdocs-macros), and a code block's `title="…"` holding HTML (the title is text: the tag shows as written).

Including another file or a block the site does not draw loses what the author meant, so each is an error with
what to write instead; a title's HTML only looks wrong, so it is a warning. Each fix, applied as written, passes
and renders right (tests/content/test_real_classes_round3.py follows each one and reads the built page).
"""

from __future__ import annotations

import re

from impart.content.field_notes import Problem

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
# A fence in a template language shows template code: its `{% include %}` is the example, not a request.
_TEMPLATE_LANGUAGES = frozenset(
    {"jinja", "jinja2", "j2", "django", "htmldjango", "html+jinja", "twig", "liquid", "njk"}
)
_LANGUAGE = re.compile(r"^[ \t{]*\.?([\w+-]+)")
_BLOCK = re.compile(r"^[ \t]*///[ \t]*([\w-]+)")
_SNIPPET = re.compile(r"^[ \t]*-{1,}8<-{1,}[ \t]*(?:[\"']([^\"'\n]*)[\"'])?")
_BARE_SNIPPET = re.compile(r"[ \t]*-+8<-+[ \t]*")
_INCLUDE = re.compile(r"\{%-?[ \t]*include[ \t]+[\"']([^\"']+)[\"']")
_TITLE_WITH_HTML = re.compile(r"""\btitle\s*=\s*(["'])(.*?<\w[^>]*>.*?)\1""")
_TAG = re.compile(r"<[^>]*>")
_ANYWHERE = re.compile(r"///|8<|\{%|title\s*=")  # none of these: nothing to read line by line

FIGURE = (
    'write in place of the picture and the /// lines: <figure markdown="span">, the picture\'s line, '
    "<figcaption>the caption's text</figcaption>, </figure>, each on a line of its own"
)


def _include_fix(name: str) -> str:
    shown = f" {name}" if name else ""
    return (
        f"this site does not include other files, so the line shows as written; paste the text of{shown} in its place"
    )


def unread_syntax(body: str, where: str, first_line: int = 1) -> list[Problem]:
    """Each piece of syntax the site would show as written, with its line and what to write instead."""
    if not _ANYWHERE.search(body):
        return []
    problems: list[Problem] = []

    def add(number: int, message: str, severity: str = "error") -> None:
        problems.append(Problem(where, "body", message, severity, line=number))

    lines = body.splitlines()
    consumed: set[int] = set()  # the closing line of a block of snippet names, said with its opening line

    def snippet(index: int, line: str) -> bool:
        """Says a snippet line (or a block of names between bare --8<-- lines) and whether there was one."""
        found = _SNIPPET.match(line)
        if not found or index in consumed:
            return found is not None
        names = [found.group(1)] if found.group(1) else []
        said = f"the line {line.strip()} asks for another file; {_include_fix(''.join(names))}"
        if not names and _BARE_SNIPPET.fullmatch(line):  # the block form: one name a line, to a bare --8<--
            for after in range(index + 1, min(index + 21, len(lines))):
                following = lines[after].strip()
                if _BARE_SNIPPET.fullmatch(following):
                    consumed.add(after)
                    break
                if not following or _FENCE.match(lines[after]):
                    break
                names.append(following.strip("\"'"))
            said = (
                f"the lines {line.strip()} {' '.join(names)} ask for other files; this site does not include other "
                f"files, so the lines show as written; paste the text of {' and '.join(names)} in their place"
            )
        add(first_line + index, said)
        return True

    fence, template = None, False
    for index, line in enumerate(lines):
        number = first_line + index
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            language = _LANGUAGE.match(opened.group(2))
            template = bool(language) and language.group(1).lower() in _TEMPLATE_LANGUAGES
            title = _TITLE_WITH_HTML.search(opened.group(2))
            if title:
                text = " ".join(_TAG.sub("", title.group(2)).split()) or "the file's name"
                add(
                    number,
                    f"the code block's title holds HTML ({title.group(2)}), which shows as written; write "
                    f'title="{text}" and link the file in the sentence above the block',
                    "warning",
                )
            continue
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
                continue
            if snippet(index, line):
                continue
            if not template and (include := _INCLUDE.search(line)):
                add(number, f"the line {line.strip()} asks for another file; {_include_fix(include.group(1))}")
            continue
        if block := _BLOCK.match(line):
            name = block.group(1)
            if name == "caption":
                fix = f"to give a picture a caption, {FIGURE}"
            else:
                fix = 'write it as a notice (!!! note "Title"), a collapsible (??? note "Title") or plain paragraphs'
            add(number, f"the block '/// {name}' shows as written (this site does not read /// blocks); {fix}")
        else:
            snippet(index, line)
    return problems
