"""Task lists whose checkboxes have a name: a Markdown extension run after pymdownx.tasklist.

pymdownx.tasklist draws each item's box as an unnamed checkbox (axe: "label"), so a screen reader announced
"checkbox, checked" without saying what was done. This names each box after its item's own text, once the
item's inline Markdown has been rendered. tests/pages/test_authoring.py checks the names and axe's verdict.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, tostring

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

_CHECKED = re.compile(r"<input[^>]*\bchecked\b")


def _item_text(item: Element) -> str:
    """The item's own words: nested lists left out, stashed HTML (the checkbox, icons) left out."""
    parts = [item.text or ""]
    for child in item:
        if child.tag not in ("ul", "ol"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join(HTML_PLACEHOLDER_RE.sub("", "".join(parts)).split())


class NamedCheckboxes(Treeprocessor):
    def run(self, root: Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        for item in root.iter("li"):
            if "task-list-item" not in item.get("class", "").split():
                continue
            holder = item if item.text else next(iter(item), None)
            found = HTML_PLACEHOLDER_RE.search((holder.text or "") if holder is not None else "")
            if not found:
                continue
            index = int(found.group(1))
            box = str(stash[index])
            label = Element("label", {"class": "task-list-control"})
            named = {"type": "checkbox", "disabled": "disabled", "aria-label": _item_text(item)}
            if _CHECKED.search(box):
                named["checked"] = "checked"
            SubElement(label, "input", named)
            SubElement(label, "span", {"class": "task-list-indicator"}).text = ""
            stash[index] = tostring(label, encoding="unicode", method="html") + box[len(box.rstrip()) :]


class NamedCheckboxesExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(NamedCheckboxes(md), "impart-task-list-names", 5)  # after inline (20)


def makeExtension(**kwargs):  # noqa: N802 (how Python-Markdown finds an extension)
    return NamedCheckboxesExtension(**kwargs)
