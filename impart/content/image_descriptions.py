"""Images in a note that say nothing to a reader who cannot see them: a Markdown image with empty brackets,
`![](chart.png)`, gives `alt=""`, which tells a screen reader the picture is decoration and skips it.

Most pictures in a field note carry information (a chart, a screenshot, a diagram), so empty brackets are far
more often forgotten than meant. Each one is a warning (the strict build fails on it) with both ways out: describe
the picture in the brackets, or say it is decoration with `{ alt="" }`, which attr_list renders the same way and
which this check then leaves alone. Read from the source outside code, so `impart check` and the build agree;
tests/content/test_image_descriptions.py runs both on such a note and follows each fix.
"""

from __future__ import annotations

import re

from impart.content.field_notes import Problem
from impart.content.references import blank_inline_code, prose_lines

# ![](url "title") or ![][label], then an attribute list if one follows; the URL may hold spaces, as Markdown reads it.
_UNDESCRIBED = re.compile(
    r"!\[[ \t]*\](?:\([ \t]*(?P<url><[^>]*>|[^)\s](?:[^)\n]*?[^)\s])?)(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
    r"|\[(?P<label>[^\]]*)\])"
    r"(?P<attributes>[ \t]*\{[^}]*\})?"
)
_ALT = re.compile(r"(?:^|[\s{])alt\s*=")


def undescribed_images(body: str, where: str, first_line: int = 1) -> list[Problem]:
    """A warning for each Markdown image whose brackets are empty and whose attribute list gives no `alt`."""
    problems = []
    if "![" not in body:
        return problems  # most notes: no picture to judge, no line to read
    for number, line in prose_lines(body, first_line):
        for found in _UNDESCRIBED.finditer(blank_inline_code(line)):
            if found["attributes"] and _ALT.search(found["attributes"]):
                continue  # alt="" (decoration, on purpose) or a description written as an attribute
            written = found.group(0)
            address = (found["url"] or "").strip("<>") or f"[{found['label']}]"
            described = written.replace("![]", "![What the picture shows]", 1)
            attributes = found["attributes"]
            decoration = (
                written[: -len(attributes)] + attributes.rstrip()[:-1].rstrip() + ' alt="" }'
                if attributes
                else written + '{ alt="" }'
            )
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the image {address} has empty brackets (no alt text), so a reader who cannot see it learns "
                    f"nothing of it; say what it shows in the brackets, e.g. {described}, or, if it is only "
                    f"decoration, write {decoration}",
                    "warning",
                    line=number,
                )
            )
    return problems
