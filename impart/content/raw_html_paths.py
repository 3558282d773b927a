"""Raw HTML images and media whose paths work the way Markdown image paths do: relative to the note's file.

Python-Markdown keeps raw HTML aside as written, so MkDocs never rewrites its `src`: a note's
`<img src="chart.png">` beside the note's file would be fetched from the page's address
(/field-notes/<name>/chart.png) and miss. Once the page's raw HTML is all set aside (after the inline patterns), this
gives each local `src`, `srcset` or `poster` to MkDocs' own link processor, the one Markdown images go through: the same
address in the built page, the same warning for a missing file. `impart check` judges raw HTML paths relative to
the file already (impart.content.body_checks), so check and the build agree on one rule for every image.
Under another engine (no MkDocs link processor) the HTML is left as written.
"""

from __future__ import annotations

import re

from markdown.treeprocessors import Treeprocessor

_MEDIA_TAG = re.compile(r"<(?:img|source|video|audio)\b[^>]*>", re.I)
_PATH_ATTRIBUTE = re.compile(r"(\b(?:src|poster)\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))", re.I)
_SRCSET = re.compile(r"(\bsrcset\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')", re.I)


class RawHtmlMediaPaths(Treeprocessor):
    def run(self, root) -> None:
        links = self.md.treeprocessors["relpath"] if "relpath" in self.md.treeprocessors else None
        if links is None:
            return
        stash = self.md.htmlStash.rawHtmlBlocks
        for number, block in enumerate(stash):
            if isinstance(block, str) and "<" in block:
                stash[number] = _MEDIA_TAG.sub(self._rewrite_tag, block)

    def _rewrite_tag(self, tag: re.Match) -> str:
        return _SRCSET.sub(self._rewrite_srcset, _PATH_ATTRIBUTE.sub(self._rewrite, tag.group(0)))

    def _rewrite_srcset(self, attribute: re.Match) -> str:
        candidates = next(value for value in attribute.groups()[1:] if value is not None)
        rewritten = []
        for candidate in filter(str.strip, candidates.split(",")):
            url, *descriptor = candidate.split()
            rewritten.append(" ".join([self._resolved(url), *descriptor]))
        return f'{attribute.group(1)}"{", ".join(rewritten)}"'

    def _resolved(self, url: str) -> str:
        if url.startswith(("/", "#", "data:")):
            return url  # a site path, a fragment, inline data: nothing relative to resolve
        return self.md.treeprocessors["relpath"].path_to_url(url)

    def _rewrite(self, attribute: re.Match) -> str:
        url = next(value for value in attribute.groups()[1:] if value is not None)
        return f'{attribute.group(1)}"{self._resolved(url)}"'


def register(md) -> None:
    """Rewrite once per page, after the inline patterns (20) have set aside inline HTML. Not a postprocessor:
    toc and footnotes run the postprocessors again on pieces of the page, which would rewrite a path twice."""
    md.treeprocessors.register(RawHtmlMediaPaths(md), "impart-raw-html-media", 2)
