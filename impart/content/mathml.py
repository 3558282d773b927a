"""A formula in LaTeX as MathML, the markup browsers lay out as maths themselves (MathML Core), by latex2mathml.

Made to say no rather than show something wrong: what latex2mathml would print as text (a command it does not
know, an `&` outside an alignment, an environment it lacks) is a LatexError with the reason in an editor's words,
as is every error it raises. What MathJax users write and latex2mathml knows by another name (`aligned`,
`equation`) is renamed first, and what shows nothing (`\\label`, `\\nonumber`) dropped. Markup typed in a
formula stays text. tests/content/test_maths.py covers each.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import latex2mathml.commands as latex_commands
import latex2mathml.converter
import latex2mathml.exceptions as latex_errors

_UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")  # latex2mathml prints a command it does not know as text
_ENVIRONMENT = re.compile(r"\\(begin|end)\{([A-Za-z]+\*?)\}")
# MathJax's names for what latex2mathml knows by another ("": the formula itself, unwrapped).
_RENAMED = {"aligned": "align*", "equation": "", "equation*": ""}
_KNOWN_ENVIRONMENTS = frozenset(
    name.lstrip("\\")
    for name in (*latex_commands.MATRICES, latex_commands.ALIGN, latex_commands.ALIGNSTAR, latex_commands.SPLIT)
)
# What MathJax reads and shows nothing for (a label for \eqref, a line left unnumbered): dropped before conversion.
_INVISIBLE = re.compile(r"\\label\{[^{}]*\}|\\nonumber\b|\\notag\b")

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
