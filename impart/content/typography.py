"""Typing as a typesetter sets it: curly quotes and apostrophes, en and em dashes, and ellipses from the
straight quotes, `--`, `---` and `...` a writer types. Python-Markdown's own `smarty` extension does it,
the same one mkdocs.yml turns on for the note bodies, so a title or standfirst reads like the body under it.
Code is never touched: smarty leaves code spans and blocks alone. tests/content/test_typography.py reads
the built pages.
"""

from __future__ import annotations

import functools
import html
import re

import markdown

# Text without any of these reads the same after smarty: no parser to build for it.
_TYPED = re.compile(r"['\"]|--|\.\.\.|<<|>>")


def _plain_text_parser() -> markdown.Markdown:
    """A Markdown parser that does smarty and nothing else: a standfirst is text, not Markdown, so a `*`,
    a leading `1. ` or a `#` in it stays as typed."""
    parser = markdown.Markdown(extensions=["smarty"])
    for name in [item for item in parser.preprocessors._priority if item.name != "normalize_whitespace"]:
        parser.preprocessors.deregister(name.name)
    for item in list(parser.parser.blockprocessors._priority):
        if item.name != "paragraph":
            parser.parser.blockprocessors.deregister(item.name)
    for item in list(parser.inlinePatterns._priority):
        parser.inlinePatterns.deregister(item.name)
    return parser


_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.S)


@functools.lru_cache(maxsize=4096)
def typeset_text(text: str) -> str:
    """Plain text with its quotes, dashes and ellipses typeset, as characters (still plain text)."""
    if not _TYPED.search(text):
        return text
    parser = _plain_text_parser()
    found = _PARAGRAPH.match(parser.convert(html.escape(text, quote=False)).strip())
    return html.unescape(found.group(1)) if found else text
