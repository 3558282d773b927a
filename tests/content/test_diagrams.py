"""impart.content.diagrams: a diagram fence (mermaid and the like) or raw HTML asking Material for mermaid is
refused with its line and what to write instead, in `impart check` and the strict build alike; a diagram's
source shown as code, or an example of one inside a longer fence, passes."""

from __future__ import annotations

import pytest

from impart.content.diagrams import diagram_problems
from tests.helpers.site import copy_site, files_under, impart, mkdocs_build

WHERE = "docs/field-notes/posts/diagram.md"
FIX = "draw it as an SVG image and link it: ![What it shows](diagram.svg)"

REFUSED = {
    "mermaid": ("Intro.\n\n```mermaid\ngraph LR\n  A --> B\n```", 3, "a mermaid diagram is not drawn"),
    "attribute form": ("``` {.mermaid}\ngraph LR\n```", 1, "a mermaid diagram is not drawn"),
    "tildes, PlantUML": ("~~~plantuml\n@startuml\n@enduml\n~~~", 1, "a plantuml diagram is not drawn"),
    "in a notice": ('!!! note "Flow"\n\n    ```Mermaid\n    graph LR\n    ```', 3, "a mermaid diagram is not drawn"),
    "raw HTML": ('Text.\n<pre class="mermaid">graph LR</pre>', 2, 'class="mermaid" makes the page fetch'),
    "raw HTML, another element": ("<div class='chart mermaid'>\ngraph LR\n</div>", 1, 'class="mermaid" makes the'),
}


@pytest.mark.parametrize("text, line, start", REFUSED.values(), ids=list(REFUSED))
def test_a_diagram_is_refused_with_what_to_write_instead(text, line, start, tmp_path):
    (problem,) = diagram_problems(text, WHERE)
    assert (problem.line, problem.severity) == (line, "error")
    assert problem.message.startswith(start) and FIX in problem.message
    assert list(tmp_path.iterdir()) == []  # a check writes nothing


PASSES = {
    "source shown as code": "```text\ngraph LR\n  A --> B\n```",
    "an example inside a longer fence": "````markdown\n```mermaid\ngraph LR\n```\n````",
    "raw HTML in inline code": 'Material draws `<pre class="mermaid">` with a script.',
    "ordinary code": "```python\nmermaid = 1\n```",
    "the word in prose": "A mermaid is not a diagram.",
}


@pytest.mark.parametrize("text", PASSES.values(), ids=list(PASSES))
def test_what_is_not_a_diagram_passes(text):
    assert diagram_problems(text, WHERE) == []


NOTE = """---
title: A note with a diagram
description: A note that carries one diagram fence, to see what check and the build say about it and what to do.
date: 2026-02-01
authors: [impart]
categories: [Operations]
---

A first paragraph of plain words.

```mermaid
graph LR
  Pilot --> Production
```
"""


@pytest.mark.build
def test_check_and_the_strict_build_refuse_a_diagram_in_the_same_words(tmp_path):
    project = copy_site(tmp_path / "project")
    (project / WHERE).write_text(NOTE, encoding="utf-8")

    check = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")

    said = (
        f"{WHERE}:11: a mermaid diagram is not drawn on this site (it needs a script or server on another host); "
        f"{FIX}, or fence it as ```text to show its source"
    )
    assert "Traceback" not in check.stdout + check.stderr + build.stdout + build.stderr
    assert (check.returncode, check.stdout.splitlines()) == (1, [f"error: {said}"])
    assert build.returncode == 1
    assert f"ERROR   -  impart: {said}" in build.stderr.splitlines()
    assert files_under(tmp_path / "site") == []  # the build stopped before writing a page
