"""A fenced code block written on the line right after a sentence is a block of its own, never part of the
sentence's paragraph: a Markdown extension run before the inline Markdown.

pymdownx.superfences takes a fence out wherever it starts, so a fence with no blank line above it left its
`<div class="highlight">` inside the sentence's `<p>`, which HTML forbids (the Nu Html Checker: `No "p" element
in scope but a "p" end tag seen`; a browser closes the paragraph at the `<div>` and adds an empty one after it).
Python-Markdown already ends a paragraph at a line of raw block HTML; this does the same for every block that
stands alone on its line inside a paragraph: the words before it and after it stay paragraphs of their own.
tests/content/test_fences_in_prose.py builds such a note and runs the Nu Html Checker on it.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER, STX

# A line holding only one stashed piece of HTML, as superfences leaves a fence (indented like the fence).
_ALONE = re.compile(r"[ \t]*(" + HTML_PLACEHOLDER % r"(\d+)" + r")[ \t]*")
_ELEMENT = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")


class FencesOutOfParagraphs(Treeprocessor):
    def _is_block(self, line: str) -> bool:
        alone = _ALONE.fullmatch(line)
        if alone is None:
            return False
        stash = self.md.htmlStash.rawHtmlBlocks
        index = int(alone.group(2))
        # Only an element: a comment alone on a line stays inside its paragraph, as Markdown leaves it.
        element = _ELEMENT.match(str(stash[index])) if index < len(stash) else None
        return element is not None and self.md.is_block_level(element.group(1).lower())

    def _pieces(self, text: str) -> list[str]:
        """The paragraph's text cut at each block alone on its line: prose and blocks, in order."""
        pieces: list[str] = []
        prose: list[str] = []
        for line in text.split("\n"):
            if self._is_block(line):
                pieces += ["\n".join(prose).strip("\n")] if "".join(prose).strip() else []
                pieces.append(line.strip())
                prose = []
            else:
                prose.append(line)
        pieces += ["\n".join(prose).strip("\n")] if "".join(prose).strip() else []
        return pieces

    def run(self, root: Element) -> None:
        for parent in list(root.iter()):
            for index in reversed(range(len(parent))):
                paragraph = parent[index]
                # Before the inline Markdown, a paragraph is only its text: no child element to carry over.
                if paragraph.tag != "p" or len(paragraph) or STX not in (paragraph.text or ""):
                    continue
                pieces = self._pieces(paragraph.text)
                if len(pieces) < 2:
                    continue
                tail = paragraph.tail
                paragraph.text, paragraph.tail = pieces[0], "\n"
                for offset, piece in enumerate(pieces[1:], start=1):
                    # A stashed block alone in a <p> is put back without the <p> (Python-Markdown's raw_html).
                    added = Element("p")
                    added.text, added.tail = piece, "\n"
                    parent.insert(index + offset, added)
                parent[index + len(pieces) - 1].tail = tail


class FencesOutOfParagraphsExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(FencesOutOfParagraphs(md), "impart-fences-out-of-paragraphs", 25)  # before inline


def makeExtension(**kwargs):  # noqa: N802 (how Python-Markdown finds an extension)
    return FencesOutOfParagraphsExtension(**kwargs)
