"""Reading time of a note, from its rendered prose.

Code blocks, notices (`<aside>`, admonitions) and scripts are left out: a
reader skims code and the call to action is not part of the note. So is every
element with the `hidden` attribute, and all it holds: a reader never sees it.
"""

from __future__ import annotations

import html as html_entities
import math
import re
from html.parser import HTMLParser

WORDS_PER_MINUTE = 230

_SKIPPED_TAGS = frozenset({"pre", "aside", "script", "style", "template"})
_SKIPPED_CLASSES = frozenset({"admonition", "impart-notice", "impart-cta"})
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A tag, its quoted attribute values allowed to hold ">".
_TAG = re.compile(r"""<[A-Za-z/](?:"[^"]*"|'[^']*'|[^'">])*>""")
# Where any of these appears, some text may be skipped or read otherwise than as prose: the parser decides.
_NOT_PLAIN = (
    "<pre",
    "<aside",
    "<script",
    "<style",
    "<template",
    "<!",
    "<?",
    "admonition",
    "impart-notice",
    "impart-cta",
    "hidden",
)


class _ProseCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self._stack: list[bool] = []  # for each open element: is it skipped?

    def _skipping(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        if tag in _VOID_TAGS:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        self._stack.append(tag in _SKIPPED_TAGS or bool(classes & _SKIPPED_CLASSES) or "hidden" in attributes)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag not in _VOID_TAGS and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.text.append(data)


def count_words(html: str) -> int:
    text = _plain_prose_text(html)
    if text is None:
        return _count_words_by_parser(html)
    return len(_WORD.findall(text))


def _plain_prose_text(html: str) -> str | None:
    """The text of HTML that is only prose in tags, found without the parser (in about a third of its time),
    or None for anything else (a skipped element, a comment, a "<" that starts no whole tag), which the parser
    reads. Most notes are plain prose. tests/content/test_readtime.py checks that both ways count alike."""
    if any(marker in html for marker in _NOT_PLAIN):
        return None
    text, tags = _TAG.subn(" ", html)
    if tags != html.count("<"):  # some "<" starts no whole tag
        return None
    return html_entities.unescape(text)


def _count_words_by_parser(html: str) -> int:
    collector = _ProseCollector()
    collector.feed(html)
    collector.close()
    return len(_WORD.findall(" ".join(collector.text)))


def reading_minutes(html: str, words_per_minute: int = WORDS_PER_MINUTE) -> int:
    """Whole minutes, at least one."""
    return max(1, math.ceil(count_words(html) / words_per_minute))
