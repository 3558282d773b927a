"""Maths typeset at build time as MathML, which the reader's browser draws itself: no script, no font or
stylesheet from another host, and nothing added to a page without a formula.

Written as in pymdownx.arithmatex (whose patterns this reuses): `$$ … $$`, `\\[ … \\]` or
`\\begin{env} … \\end{env}` as a paragraph of its own for display maths, `$ … $` or `\\( … \\)` inline.
An inline `$` must touch its formula on both sides and the closing one not be followed by a digit (Pandoc's
rule), so prices in prose ("$5 and $10", "$5-$10") stay text; `\\$` is a literal dollar. impart.content.mathml does the
conversion. Each formula is wrapped as arithmatex wraps one (`<span class="arithmatex">`, display maths in
`<div class="arithmatex">`, which Material's own stylesheet already centres and scrolls when wide).

`maths_problems` finds the same formulas in a page's source (outside code) and reports each that cannot be
converted, with its line, so `impart check` and the build say the same (tests/content/test_maths.py).
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown import util as md_util
from pymdownx import util as pymdownx_util
from pymdownx.arithmatex import (
    RE_BRACKET_BLOCK,
    RE_BRACKET_INLINE,
    RE_DOLLAR_BLOCK,
    RE_SMART_DOLLAR_INLINE,
    RE_TEX_BLOCK,
    BlockArithmatexProcessor,
    InlineArithmatexPattern,
)

from impart.content.field_notes import Problem
from impart.content.mathml import LatexError, to_mathml
from impart.content.references import prose_lines

# Arithmatex's smart dollar, with Pandoc's guard: a closing `$` followed by a digit is a price, not maths. Should
# pymdownx reshape its pattern, the replacement misses and tests/content/test_maths.py's price range fails.
_DOLLAR_INLINE = RE_SMART_DOLLAR_INLINE.replace(r"(?:\$))", r"(?:\$)(?!\d))")
INLINE = re.compile(f"(?:{_DOLLAR_INLINE}|{RE_BRACKET_INLINE})")
BLOCK = re.compile(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY_IN_PROSE = re.compile(r"(?<![\\$])\$\$(?!\$)")
_BEGIN = re.compile(r"(?<!\\)\\begin\{([a-z]+\*?)\}")
_OPENER = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?|===)[ \t]")  # a notice, collapsible or tab: its body is a block


def _written(latex: str) -> str:
    short = " ".join(latex.split())
    return short if len(short) <= 40 else short[:39] + "…"


class _InlineMaths(InlineArithmatexPattern):
    def __init__(self, md):
        super().__init__(INLINE.pattern, {})
        self.md = md

    def handleMatch(self, m, data):  # noqa: N802 (Python-Markdown's name)
        groups = m.groups()
        if groups[0] or groups[3]:
            return super().handleMatch(m, data)  # escaped backslashes before a dollar: arithmatex's own answer
        try:
            mathml = to_mathml(groups[2] or groups[5], display=False)
        except LatexError:
            held = etree.Element("span")  # maths_problems reports it: check and the build fail on it
            held.text = md_util.AtomicString(m.group(0))
            return held, m.start(0), m.end(0)
        wrapper = etree.Element("span", {"class": "arithmatex"})  # what checks of the page's text pass over
        wrapper.text = self.md.htmlStash.store(mathml)
        return wrapper, m.start(0), m.end(0)


class _DisplayMaths(BlockArithmatexProcessor):
    def __init__(self, md):
        super().__init__(BLOCK.pattern, {"generic": True}, md)

    def generic_output(self, parent, math):
        try:
            mathml = to_mathml(math, display=True)
        except LatexError:
            held = etree.SubElement(parent, "p")  # maths_problems reports it: check and the build fail on it
            held.text = md_util.AtomicString(math)
            return
        etree.SubElement(parent, "div", {"class": "arithmatex"}).text = self.parser.md.htmlStash.store(mathml)


class MathsExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.registerExtension(self)
        pymdownx_util.escape_chars(md, ["$"])  # `\$` is a literal dollar
        md.inlinePatterns.register(_InlineMaths(md), "impart-maths-inline", 189.9)  # after inline code (190)
        md.parser.blockprocessors.register(_DisplayMaths(md), "impart-maths-display", 79.9)  # before paragraphs


def makeExtension(**kwargs):  # noqa: N802 (how Python-Markdown finds an extension)
    return MathsExtension(**kwargs)


def _paragraphs(text: str, first_line: int):
    """Each run of lines outside fenced code between blank lines (as Markdown's blocks), with its first line's
    number; indentation (notices, lists) removed as the block's parser would."""
    run: list[tuple[int, str]] = []
    for number, line in [*prose_lines(text, first_line), (None, "")]:
        if line.strip() and (not run or (number == run[-1][0] + 1 and not _OPENER.match(run[-1][1]))):
            run.append((number, line))
            continue
        if run:
            yield run[0][0], textwrap.dedent("\n".join(line for _, line in run))
        run = [(number, line)] if line.strip() else []


def _run_in(prose: str) -> tuple[str, int] | None:
    """A display formula written inside a paragraph, which Markdown leaves as text: how it opens and where."""
    pair = _DISPLAY_IN_PROSE.search(prose)
    if pair and _DISPLAY_IN_PROSE.search(prose, pair.end()):
        return "$$", pair.start()
    environment = _BEGIN.search(INLINE.sub(lambda m: " " * len(m.group(0)), prose))  # \begin inside $…$ is fine
    return (f"\\begin{{{environment.group(1)}}}", environment.start()) if environment else None


def maths_problems(body: str, where: str, first_line: int = 1) -> list[Problem]:
    """Every formula in a page's Markdown body that cannot be typeset, and every `$$` formula run into its
    paragraph (left as text), `$$` or `\\begin{…}`: one line each, naming the line and what to write instead."""
    if "$" not in body and "\\" not in body:
        return []  # most pages: nothing to look at
    problems = []
    for start, block in _paragraphs(body, first_line):
        found = BLOCK.match(block)
        if found:
            latex = found.group("math") or found.group("math2") or found.group("math3")
            problems += _judge(latex, True, where, start)
            continue
        prose = _INLINE_CODE.sub(lambda m: re.sub(r"\S", " ", m.group(0)), block)  # `$x$` in code is an example
        for found in INLINE.finditer(prose):
            groups = found.groups()
            if groups[0] or groups[3]:
                continue
            line = start + prose.count("\n", 0, found.start())
            problems += _judge(groups[2] or groups[5], False, where, line)
        left = _run_in(prose)
        if left is not None:
            opening, offset = left
            problems.append(
                Problem(
                    where,
                    "body",
                    f"a {opening} formula shares its paragraph with other text, so it is not typeset as display "
                    "maths; leave a blank line before and after it",
                    line=start + prose.count("\n", 0, offset),
                )
            )
    return problems


def _judge(latex: str, display: bool, where: str, line: int) -> list[Problem]:
    try:
        to_mathml(latex, display)
    except LatexError as error:
        return [
            Problem(
                where,
                "body",
                f"the formula {_written(latex)} cannot be typeset: {error}; fix the LaTeX"
                + ("" if display else r", or write a dollar that is not maths as \$"),
                line=line,
            )
        ]
    return []
