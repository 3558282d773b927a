"""Text a reader never sees stays out of the search index: every element with the `hidden` attribute is marked
`data-search-exclude`, the switch Material's search plugin reads, which that plugin then removes from the page it
writes (so the page is unchanged).

Material's search parser tracks what it skips by tag name, so inside a hidden element, text after a nested element
of the same name (a `<div>` in a `<div hidden>`) is indexed all the same; raw text and other elements inside are
left out. tests/content/test_hidden_text.py builds a note with a hidden block and reads search_index.json.
"""

from __future__ import annotations

import re

# A start tag, its quoted attribute values allowed to hold ">".
_START_TAG = re.compile(r"""<[A-Za-z][A-Za-z0-9-]*(?:"[^"]*"|'[^']*'|[^'">])*>""")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_HIDDEN = re.compile(r"\shidden(?=[\s=/>])", re.I)
EXCLUDED = ' data-search-exclude="hidden"'


def _marked(tag: re.Match[str]) -> str:
    written = tag.group(0)
    if not _HIDDEN.search(_QUOTED.sub('""', written)) or "data-search-exclude" in written:
        return written
    end = -2 if written.endswith("/>") else -1
    return written[:end] + EXCLUDED + written[end:]


def exclude_hidden_from_search(html: str) -> str:
    """The page's HTML with each hidden element marked for Material's search to skip."""
    if "hidden" not in html:
        return html
    return _START_TAG.sub(_marked, html)
