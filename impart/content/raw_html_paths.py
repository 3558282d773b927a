"""Raw HTML images and media whose paths work the way Markdown image paths do: relative to the note's file.

Python-Markdown keeps raw HTML aside as written, so MkDocs never rewrites its `src`: a note's
`<img src="chart.png">` beside the note's file would be fetched from the page's address
(/field-notes/<name>/chart.png) and miss. Once the page's raw HTML is all set aside (after the inline patterns), this
gives each local `src`/`poster` to MkDocs' own link processor, the one Markdown images go through: the same
address in the built page, the same warning for a missing file. `impart check` judges raw HTML paths relative to
the file already (impart.content.body_checks), so check and the build agree on one rule for every image.
Under another engine (no MkDocs link processor) the HTML is left as written.
"""

from __future__ import annotations

import re

from markdown.treeprocessors import Treeprocessor

_MEDIA_TAG = re.compile(r"<(?:img|source|video|audio)\b[^>]*>", re.I)
_PATH_ATTRIBUTE = re.compile(r"(\b(?:src|poster)\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))", re.I)


class RawHtmlMediaPaths(Treeprocessor):
    def run(self, root) -> None:
        links = self.md.treeprocessors["relpath"] if "relpath" in self.md.treeprocessors else None
        if links is None:
            return
        stash = self.md.htmlStash.rawHtmlBlocks
        for number, block in enumerate(stash):
            if isinstance(block, str) and "<" in block:
                stash[number] = _MEDIA_TAG.sub(lambda tag: _PATH_ATTRIBUTE.sub(self._rewrite, tag.group(0)), block)

    def _rewrite(self, attribute: re.Match) -> str:
        url = next(value for value in attribute.groups()[1:] if value is not None)
        if url.startswith(("/", "#", "data:")):
            return attribute.group(0)  # a site path, a fragment, inline data: nothing relative to resolve
        links = self.md.treeprocessors["relpath"]
        return f'{attribute.group(1)}"{links.path_to_url(url)}"'


def register(md) -> None:
    """Rewrite once per page, after the inline patterns (20) have set aside inline HTML. Not a postprocessor:
    toc and footnotes run the postprocessors again on pieces of the page, which would rewrite a path twice."""
    md.treeprocessors.register(RawHtmlMediaPaths(md), "impart-raw-html-media", 2)
