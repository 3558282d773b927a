"""impart.content.maths: formulas become MathML as the page is rendered, prices stay prose, and a formula that
cannot be typeset is one line naming the file, the line and the fix, the same in `impart check` and the strict
build (which then writes no page)."""

from __future__ import annotations

import markdown
import pytest
from bs4 import BeautifulSoup

from impart.content.maths import MathsExtension, maths_problems
from tests.helpers.site import copy_site, files_under, impart, mkdocs_build

WHERE = "docs/field-notes/posts/formulas.md"


def rendered(text: str) -> BeautifulSoup:
    extensions = ["admonition", "pymdownx.superfences", MathsExtension()]
    return BeautifulSoup(markdown.markdown(text, extensions=extensions), "html.parser")


PROSE = {
    "two prices": "It costs $5 a day and $10 a week.",
    "a range": "Between $5-$10 per claim, or US$5 and US$10.",
    "a price and a total": "A seat is $40, so five are $200.",
    "an escaped dollar": r"A lone \$ sign, and \$x\$ written out.",
    "code": "Run `echo $HOME $PATH` first.",
    "a fenced block": "```sh\necho $HOME $$ $PATH $$\n```",
}


@pytest.mark.parametrize("text", PROSE.values(), ids=list(PROSE))
def test_prices_code_and_escaped_dollars_stay_as_written(text):
    page = rendered(text)
    assert page.find("math") is None
    assert maths_problems(text, WHERE) == []
    shown = page.get_text()
    assert shown.count("$") == text.replace(r"\$", "$").count("$")  # every dollar still on the page


FORMULAS = {
    "inline dollars": ("The ratio $\\frac{C}{n}$ falls.", "inline", "mfrac"),
    "inline brackets": ("The time \\(t_r\\) counts.", "inline", "msub"),
    "display dollars": ("$$\n\\sum_{i=1}^{n} y_i\n$$", "block", "munderover"),
    "display brackets": ("\\[\n\\sqrt{x}\n\\]", "block", "msqrt"),
    "display environment": ("\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}", "block", "mtable"),
    "a label and an unnumbered line": (
        "$$\n\\begin{align}\na &= b \\label{eq:a} \\\\\nc &= d \\nonumber\n\\end{align}\n$$",
        "block",
        "mtable",
    ),
    "display in a notice": ('!!! note "Error"\n\n    $$\n    x^2\n    $$', "block", "msup"),
}


@pytest.mark.parametrize("text, display, element", FORMULAS.values(), ids=list(FORMULAS))
def test_a_formula_becomes_mathml(text, display, element):
    page = rendered(text)
    (math,) = page.find_all("math")
    assert math["display"] == display
    assert math["xmlns"] == "http://www.w3.org/1998/Math/MathML"
    assert math.find(element) is not None
    assert "$" not in page.get_text() and "\\" not in page.get_text()  # no LaTeX left as text
    # Wrapped as arithmatex wraps a formula: Material's stylesheet centres a display one and scrolls it when wide.
    assert (math.parent.name, math.parent["class"]) == ({"inline": "span", "block": "div"}[display], ["arithmatex"])
    assert maths_problems(text, WHERE) == []


def test_markup_typed_in_a_formula_is_text():
    page = rendered(r"Both $\text{<b>x</b> & y} < z$ here.")
    assert page.find("b") is None
    assert page.find("mtext").get_text() == "<b>x</b>\xa0&\xa0y"
    assert [mo.get_text() for mo in page.find_all("mo")] == ["<"]


BAD = {
    "an open brace": (
        "Intro.\n\n$$\n\\frac{1}{\n$$",
        3,
        "the formula \\frac{1}{ cannot be typeset: a command is missing what follows it, or a { is never closed; "
        "fix the LaTeX",
    ),
    "a bare superscript, inline": (
        "The cost $x^$ grows.",
        1,
        "the formula x^ cannot be typeset: a ^ or _ has nothing after it; fix the LaTeX, "
        "or write a dollar that is not maths as \\$",
    ),
    "an unknown command": (
        "Words.\nThen $\\foo{x}$ here.",
        2,
        "the formula \\foo{x} cannot be typeset: \\foo is not a LaTeX command the site can typeset "
        "(it would show as text); fix the LaTeX, or write a dollar that is not maths as \\$",
    ),
    "an environment the converter lacks": (
        "$$\n\\begin{gather}\na \\\\ b\n\\end{gather}\n$$",
        1,
        "the formula \\begin{gather} a \\\\ b \\end{gather} cannot be typeset: \\begin{gather} is not an "
        "environment the site can typeset (it knows align, align*, aligned, split, cases, array and the matrix "
        "kinds); fix the LaTeX",
    ),
    "an ampersand outside an environment": (
        "$$\na &= b\n$$",
        1,
        "the formula a &= b cannot be typeset: an & stands outside an environment that aligns columns, such as "
        "align* or matrix; fix the LaTeX",
    ),
    "a display formula run into its paragraph": (
        "The total is\n$$\nx + y\n$$",
        2,
        "a $$ formula shares its paragraph with other text, so it is not typeset as display maths; "
        "leave a blank line before and after it",
    ),
    "an environment run into its paragraph": (
        "So:\n\\begin{aligned}\na &= b\n\\end{aligned}",
        2,
        "a \\begin{aligned} formula shares its paragraph with other text, so it is not typeset as display maths; "
        "leave a blank line before and after it",
    ),
}


@pytest.mark.parametrize("text, line, message", BAD.values(), ids=list(BAD))
def test_a_formula_that_cannot_be_typeset_is_one_line_with_the_fix(text, line, message, tmp_path):
    (problem,) = maths_problems(text, WHERE, first_line=1)
    assert (problem.line, problem.message, problem.severity) == (line, message, "error")
    assert list(tmp_path.iterdir()) == []  # a check writes nothing


NOTE = """---
title: A note with a formula
description: A note that carries one formula, to see what check and the build say about it when it is wrong.
date: 2026-02-01
authors: [impart]
categories: [Measurement]
---

A first paragraph of plain words, costing $5 and $10.

{body}
"""


@pytest.mark.build
def test_check_and_the_strict_build_refuse_a_broken_formula_in_the_same_words(tmp_path):
    project = copy_site(tmp_path / "project")
    body = "$$\n\\left( \\frac{a}{b}\n$$\n\nAnd inline $x_1_2$ too."
    (project / WHERE).write_text(NOTE.format(body=body), encoding="utf-8")

    check = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")

    expected = [
        f"error: {WHERE}:11: the formula \\left( \\frac{{a}}{{b}} cannot be typeset: a \\left has no \\right "
        "to match; fix the LaTeX",
        f"error: {WHERE}:15: the formula x_1_2 cannot be typeset: one term has two subscripts; group them, "
        "as x_{i,j}; fix the LaTeX, or write a dollar that is not maths as \\$",
    ]
    assert "Traceback" not in check.stdout + check.stderr + build.stdout + build.stderr
    assert check.returncode == 1
    assert check.stdout.splitlines() == expected
    assert build.returncode == 1
    for line in expected:
        severity, said = line.split(": ", 1)
        assert f"{severity.upper():<7} -  impart: {said}" in build.stderr.splitlines()
    assert files_under(tmp_path / "site") == []  # the build stopped before writing a page
