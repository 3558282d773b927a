"""What a rendered page's HTML holds, read in one pass as a reader and Material's script meet it: its text outside
code (with the element that holds each piece), what it makes the browser fetch, and its code blocks with their
annotation markers and the numbered list Material's script would take for them (the block's next sibling, past
empty paragraphs, as the script looks). impart.content.rendered_page judges what is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from impart.content.references import srcset_urls

_MARKER = re.compile(r"\((\d+)\)!")
# The classes of Pygments' comment tokens in which Material's script looks for annotation markers.
_COMMENT_TOKENS = frozenset({"c", "c1", "cm"})
_SKIPPED_TEXT = frozenset({"pre", "code", "kbd", "script", "style", "textarea", "template"})
_SKIPPED_CLASSES = frozenset({"arithmatex"})  # maths: judged by its own check
_BLOCKS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 td th tr table blockquote dt dd dl details summary section article "
    "figure figcaption aside header footer nav main br hr".split()
)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Where each element names what the reader's browser fetches.
_FETCHED = {
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "script": ("src",),
    "embed": ("src",),
    "object": ("data",),
}


@dataclass
class CodeBlock:
    depth: int  # how many elements were open around the block's div
    markers: list[tuple[str, bool]] = field(default_factory=list)  # each `(N)!` and whether it is in a comment
    list_items: int | None = None  # the items of the numbered list Material would take, None when it finds none


class PageReader(HTMLParser):
    """One pass over a page's HTML: its text outside code, what it fetches, its code blocks and their lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.size = 0  # characters in self.text
        self.holders: list[tuple[int, str]] = []  # (where in the text, the element holding the text from there)
        self.fetched: list[tuple[str, str]] = []  # (element, URL)
        self.linked: list[str] = []  # each <a href>, as written in the page
        self.blocks: list[CodeBlock] = []
        self._stack: list[tuple[str, set[str]]] = []
        self._skipping = 0
        self._block: CodeBlock | None = None  # the code block being read
        self._comment_depth: int | None = None
        self._seeking: CodeBlock | None = None  # a block whose next sibling decides its list
        self._seek_paragraph = False  # an empty <p> between the block and its list, which Material skips
        self._list: tuple[CodeBlock, int] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self._fetches(tag, attributes)
        classes = set(attributes.get("class", "").split())
        depth = len(self._stack)
        self._sibling_opens(tag, depth)
        if self._list and depth == self._list[1] + 1 and tag == "li":
            self._list[0].list_items += 1
        if tag in _BLOCKS:
            self._add("\n")
        if tag in _VOID:
            return
        if self._block and classes & _COMMENT_TOKENS and self._comment_depth is None:
            self._comment_depth = depth
        if tag == "div" and "highlight" in classes and self._block is None:
            self._block = CodeBlock(depth)
        self._stack.append((tag, classes))
        if tag in _SKIPPED_TEXT or classes & _SKIPPED_CLASSES:
            self._skipping += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _VOID or not any(name == tag for name, _ in self._stack):
            return
        while self._stack:
            name, classes = self._stack.pop()
            depth = len(self._stack)
            if name in _SKIPPED_TEXT or classes & _SKIPPED_CLASSES:
                self._skipping -= 1
            if self._comment_depth == depth:
                self._comment_depth = None
            if self._list and self._list[1] == depth:
                self._list = None
            if self._seeking and depth < self._seeking.depth:
                self._seeking = None  # the parent closed: nothing follows the block
            if self._seek_paragraph and name == "p" and self._seeking and depth == self._seeking.depth:
                self._seek_paragraph = False  # an empty paragraph: Material looks past it
            if self._block and depth == self._block.depth:
                self.blocks.append(self._block)
                self._seeking, self._block = self._block, None
            if name == tag:
                break
        if tag in _BLOCKS:
            self._add("\n")

    def _add(self, text: str) -> None:
        self.text.append(text)
        self.size += len(text)

    def _sibling_opens(self, tag: str, depth: int) -> None:
        block = self._seeking
        if block is None:
            return
        if self._seek_paragraph:  # an element inside the paragraph: Material stops there
            self._seeking, self._seek_paragraph = None, False
        elif depth == block.depth:
            if tag == "ol":
                block.list_items, self._seeking = 0, None
                self._list = (block, depth)
            elif tag == "p":
                self._seek_paragraph = True
            else:
                self._seeking = None

    def _fetches(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "a" and attributes.get("href", "").strip():
            self.linked.append(attributes["href"].strip())
        names = _FETCHED.get(tag, ())
        if tag == "link" and "stylesheet" in attributes.get("rel", "").lower().split():
            names = ("href",)
        for name in names:
            value = attributes.get(name, "").strip()
            urls = srcset_urls(value) if name == "srcset" else [value] if value else []
            self.fetched += [(tag, url) for url in urls]

    def handle_data(self, data):
        if self._block is not None:
            for marker in _MARKER.finditer(data):
                self._block.markers.append((marker.group(1), self._comment_depth is not None))
        if not self._skipping:
            holder = self._stack[-1] if self._stack else ("", set())
            self.holders.append((self.size, holder[0] if not holder[1] else ""))  # a classed element is the parser's
            self._add(data)
