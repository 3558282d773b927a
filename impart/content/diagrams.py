"""Diagram fences refused with what to write instead: the site draws no diagram from text.

A ```mermaid fence would show as code, and Material draws a `<pre class="mermaid">` only with mermaid fetched from
a host of its own (unpkg), which the site never asks of a reader's browser; PlantUML, Graphviz and D2 need a
server elsewhere. Bundling mermaid (some 3 MB of script) to draw a figure the editor can export once as an SVG is
not worth its weight, so each such fence, or raw HTML asking for mermaid, is an error naming its line, the same in
`impart check` and the build (tests/content/test_diagrams.py).
"""

from __future__ import annotations

import re

from impart.content.field_notes import Problem
from impart.content.references import INLINE_CODE, prose_lines

DIAGRAM_LANGUAGES = frozenset({"mermaid", "plantuml", "puml", "graphviz", "dot", "d2"})
# A fence's opening line and its language, written ```mermaid, ``` mermaid or ``` {.mermaid ...}.
_OPENING = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*(?:\{[ \t]*\.?)?([\w+-]*)")
_RAW_MERMAID = re.compile(r"<\w+\b[^>]*\bclass\s*=\s*[\"']?[^\"'>]*\bmermaid\b", re.I)
_FIX = "draw it as an SVG image and link it: ![What it shows](diagram.svg), or fence it as ```text to show its source"


def _fence_openings(text: str, first_line: int):
    """Each fence's opening line outside any other fence: its number and its language, lower case."""
    fence = None
    for number, line in enumerate(text.splitlines(), start=first_line):
        opened = _OPENING.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            yield number, opened.group(2).lower()
        elif fence is not None and opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
            fence = None


def diagram_problems(body: str, where: str, first_line: int = 1) -> list[Problem]:
    """Every diagram fence in a page's Markdown body, and every raw HTML element with class "mermaid"."""
    problems = [
        Problem(
            where,
            "body",
            f"a {language} diagram is not drawn on this site (it needs a script or server on another host); {_FIX}",
            line=number,
        )
        for number, language in _fence_openings(body, first_line)
        if language in DIAGRAM_LANGUAGES
    ]
    if "mermaid" in body.lower():
        for number, line in prose_lines(body, first_line):
            if _RAW_MERMAID.search(INLINE_CODE.sub("", line)):
                problems.append(
                    Problem(
                        where,
                        "body",
                        'class="mermaid" makes the page fetch mermaid from another host, which the site never '
                        f"asks of a reader's browser; {_FIX.split(', or')[0]}",
                        line=number,
                    )
                )
    return problems
