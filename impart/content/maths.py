"""Maths typeset at build time as MathML, which the reader's browser draws itself: no script, no font or
stylesheet from another host, and nothing added to a page without a formula.

Written as in pymdownx.arithmatex (whose patterns this reuses): `$$ … $$`, `\\[ … \\]` or
`\\begin{env} … \\end{env}` as a paragraph of its own for display maths, `$ … $` or `\\( … \\)` inline.
An inline `$` must touch its formula on both sides and the closing one not be followed by a digit (Pandoc's
rule), so prices in prose ("$5 and $10", "$5-$10") stay text; `\\$` is a literal dollar. latex2mathml does the
conversion. Each formula is wrapped as arithmatex wraps one (`<span class="arithmatex">`, display maths in
`<div class="arithmatex">`, which Material's own stylesheet already centres and scrolls when wide).

`maths_problems` finds the same formulas in a page's source (outside code) and reports each that cannot be
converted, with its line, so `impart check` and the build say the same (tests/content/test_maths.py).
"""

from __future__ import annotations

import html
import re
import textwrap
import xml.etree.ElementTree as etree

import latex2mathml.commands as latex_commands
import latex2mathml.converter
import latex2mathml.exceptions as latex_errors
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
from impart.content.references import prose_lines

# Arithmatex's smart dollar, with Pandoc's guard: a closing `$` followed by a digit is a price, not maths. Should
# pymdownx reshape its pattern, the replacement misses and tests/content/test_maths.py's price range fails.
_DOLLAR_INLINE = RE_SMART_DOLLAR_INLINE.replace(r"(?:\$))", r"(?:\$)(?!\d))")
INLINE = re.compile(f"(?:{_DOLLAR_INLINE}|{RE_BRACKET_INLINE})")
BLOCK = re.compile(rf"(?s)^(?:{RE_DOLLAR_BLOCK}|{RE_BRACKET_BLOCK}|{RE_TEX_BLOCK})[ ]*$")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")  # latex2mathml prints a command it does not know as text
_DISPLAY_IN_PROSE = re.compile(r"(?<![\\$])\$\$(?!\$)")
_ENVIRONMENT = re.compile(r"\\(begin|end)\{([A-Za-z]+\*?)\}")
# MathJax's names for what latex2mathml knows by another ("": the formula itself, unwrapped).
_RENAMED = {"aligned": "align*", "equation": "", "equation*": ""}
_KNOWN_ENVIRONMENTS = frozenset(
    name.lstrip("\\")
    for name in (*latex_commands.MATRICES, latex_commands.ALIGN, latex_commands.ALIGNSTAR, latex_commands.SPLIT)
)
# What MathJax reads and shows nothing for (a label for \eqref, a line left unnumbered): dropped before conversion.
_INVISIBLE = re.compile(r"\\label\{[^{}]*\}|\\nonumber\b|\\notag\b")
_BEGIN = re.compile(r"(?<!\\)\\begin\{([a-z]+\*?)\}")
_OPENER = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?|===)[ \t]")  # a notice, collapsible or tab: its body is a block

_WHY = {
    latex_errors.NoAvailableTokensError: "a command is missing what follows it, or a { is never closed",
    latex_errors.MissingSuperScriptOrSubscriptError: "a ^ or _ has nothing after it",
    latex_errors.ExtraLeftOrMissingRightError: r"a \left has no \right to match",
    latex_errors.DoubleSubscriptsError: "one term has two subscripts; group them, as x_{i,j}",
    latex_errors.DoubleSuperscriptsError: "one term has two superscripts; group them, as x^{ab}",
    latex_errors.NumeratorNotFoundError: r"a \frac has no numerator",
    latex_errors.DenominatorNotFoundError: r"a \frac has no denominator",
    latex_errors.MissingEndError: r"a \begin{…} has no \end{…}",
    latex_errors.InvalidAlignmentError: "a column alignment is not l, c or r",
    latex_errors.InvalidWidthError: "a width is not a length LaTeX knows",
    latex_errors.InvalidStyleForGenfracError: r"a \genfrac style is not 0 to 3",
    latex_errors.LimitsMustFollowMathOperatorError: r"\limits follows something that is not an operator",
}


class LatexError(ValueError):
    """A formula latex2mathml cannot convert; the message says why, in an editor's words."""


def _environments(latex: str) -> str:
    """The formula as latex2mathml can read it: what shows nothing dropped, the environments MathJax users write
    renamed to those latex2mathml knows; LatexError for any other."""

    def rename(found: re.Match) -> str:
        word, name = found.groups()
        if name in _RENAMED:
            return f"\\{word}{{{_RENAMED[name]}}}" if _RENAMED[name] else ""
        if name not in _KNOWN_ENVIRONMENTS:
            raise LatexError(
                f"\\begin{{{name}}} is not an environment the site can typeset "
                "(it knows align, align*, aligned, split, cases, array and the matrix kinds)"
            )
        return found.group(0)

    return _ENVIRONMENT.sub(rename, _INVISIBLE.sub("", latex))


def _serialised(math: etree.Element) -> str:
    """The MathML as HTML, every character escaped once. latex2mathml writes its symbols into the tree as character
    references and un-escapes its whole output, which would let `<`, `>` or `&` typed in `\\text{…}` through as
    markup; read as characters instead, they are escaped like any text."""
    for element in math.iter():
        element.text = html.unescape(element.text) if element.text else element.text
        element.tail = html.unescape(element.tail) if element.tail else element.tail
    return etree.tostring(math, encoding="unicode")


def to_mathml(latex: str, display: bool) -> str:
    """The formula as a MathML `<math>` element; LatexError when it cannot be typeset as written."""
    latex = _environments(latex.strip())
    try:
        math = latex2mathml.converter.convert_to_element(latex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises bare exceptions, some from its parser's internals
        raise LatexError(_WHY.get(type(error), "it is not LaTeX the site can typeset")) from None
    mathml = _serialised(math)
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise LatexError(f"{unknown.group(1)} is not a LaTeX command the site can typeset (it would show as text)")
    if "<mi>&amp;</mi>" in mathml:
        raise LatexError("an & stands outside an environment that aligns columns, such as align* or matrix")
    return mathml


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
