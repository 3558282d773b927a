"""Raw HTML an author writes that browsers still draw but HTML no longer allows, found cheaply in the source so
that `impart check`, the build and the site's validity tests (the Nu Html Checker) agree: the obsolete `<center>`,
and a `width` or `height` that is not a whole number of pixels (`width="100%"`). Each has a like-for-like fix in
valid HTML, so each is a warning with that fix. The same size rule holds for a Markdown image's attribute list
(`![…](chart.png){ width=100% }` becomes `<img width="100%">`, which also takes the place of the width and height
the site reads from the file): the fix there is a `style`, written inside the braces.

Left to the Nu Html Checker, not checked here: what needs the whole element tree (text straight inside a `<ul>`,
an element where its parent forbids it), since only a parser can judge it and browsers recover from it.
tests/content/test_raw_html_validity.py follows each fix and runs the Nu Html Checker on the built page.
"""

from __future__ import annotations

import re

from impart.content.field_notes import Problem
from impart.content.references import blank_inline_code, prose_lines

_CENTER = re.compile(r"<center\b", re.I)
_SIZED = re.compile(r"<(img|iframe|video|embed|object|canvas|source)\b((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>", re.I)
_SIZE = re.compile(r"""\b(width|height)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_STYLE = re.compile(r"\bstyle\s*=", re.I)
_PIXELS = re.compile(r"[ \t]*\d+[ \t]*")
# A Markdown image (inline or by reference) and the attribute list right after it (the attr_list extension).
_IMAGE_ATTRIBUTES = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])[ \t]*\{([^}\n]*)\}")
_ANYWHERE = re.compile(r"<center\b|\b(?:width|height)\s*=", re.I)  # neither: nothing to read line by line


def _prose(body: str, first_line: int) -> str:
    """The body with fenced code and inline code blanked out, line for line, so a tag may run over lines."""
    lines = body.split("\n")
    kept = ["" for _ in lines]
    for number, line in prose_lines(body, first_line):
        kept[number - first_line] = blank_inline_code(line)
    return "\n".join(kept)


def invalid_raw_html(body: str, where: str, first_line: int = 1) -> list[Problem]:
    """A warning for each obsolete `<center>` and each size that is not whole pixels, on the line it is on."""
    problems: list[Problem] = []
    if ("<" not in body and "{" not in body) or not _ANYWHERE.search(body):
        return problems
    prose = _prose(body, first_line)

    def line_of(offset: int) -> int:
        return first_line + prose.count("\n", 0, offset)

    for centre in _CENTER.finditer(prose):
        problems.append(
            Problem(
                where,
                "body",
                "the element <center> is obsolete in HTML (browsers still draw it; the validity check refuses "
                'it); write <div style="text-align: center"> in its place and </div> for its </center>',
                "warning",
                line=line_of(centre.start()),
            )
        )
    for tag in _SIZED.finditer(prose):
        for size, fix in _sizes_not_pixels(tag.group(2), "the element's style"):
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the {tag.group(1).lower()}'s {size.group(0)} is not a number of pixels, which HTML asks of "
                    f"{size.group(1).lower()}; {fix}",
                    "warning",
                    line=line_of(tag.start(2) + size.start()),
                )
            )
    for image in _IMAGE_ATTRIBUTES.finditer(prose):
        for size, fix in _sizes_not_pixels(image.group(1), "the style in the braces"):
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the image's {size.group(0)} is not a number of pixels, which HTML asks of "
                    f"{size.group(1).lower()}, and it takes the place of the size read from the file; {fix}",
                    "warning",
                    line=line_of(image.start(1) + size.start()),
                )
            )
    return sorted(problems, key=lambda p: p.line or 0)


def _sizes_not_pixels(attributes: str, style: str) -> list[tuple[re.Match, str]]:
    """Each `width` or `height` among `attributes` that is not whole pixels, and its fix: the same size as CSS."""
    found = []
    for size in _SIZE.finditer(attributes):
        value = next(v for v in size.groups()[1:] if v is not None)
        if _PIXELS.fullmatch(value):
            continue
        css = f"{size.group(1).lower()}: {value}" + ("px" if re.fullmatch(r"\d+(\.\d+)?", value.strip()) else "")
        fix = (
            f"remove it and add {css} to {style}" if _STYLE.search(attributes) else f'write style="{css}" in its place'
        )
        found.append((size, fix))
    return found
