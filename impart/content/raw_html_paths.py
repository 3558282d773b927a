"""Raw HTML images, media, frames and links whose paths work the way Markdown paths do: relative to the note's file.

Python-Markdown keeps raw HTML aside as written, so MkDocs never rewrites its `src`: a note's
`<img src="chart.png">` beside the note's file would be fetched from the page's address
(/field-notes/<name>/chart.png) and miss. Once the page's raw HTML is all set aside (after the inline patterns), this
gives each local `src`, `srcset` or `poster`, and each `<a href>` to a page's file (`../other.md`, which becomes
the page's address) or to a file that is not a page (a clip, a PDF), to MkDocs' own link processor, the one
Markdown links and images go through: the same address in the built page, the same warning for a missing file.
`impart check` judges raw HTML paths relative to the file already (impart.content.body_checks), so check and the
build agree on one rule for every path. Under another engine (no MkDocs link processor) the HTML is left as written.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markdown.treeprocessors import Treeprocessor

from impart.content.references import links_to_file

_MEDIA_TAG = re.compile(r"<(?:img|source|video|audio|iframe)\b[^>]*>", re.I)
_PATH_ATTRIBUTE = re.compile(r"(\b(?:src|poster)\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))", re.I)
_LINK_TAG = re.compile(r"<a\b[^>]*>", re.I)
_HREF = re.compile(r"(\bhref\s*=\s*)(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))", re.I)
_SRCSET = re.compile(r"(\bsrcset\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')", re.I)


class RawHtmlMediaPaths(Treeprocessor):
    def run(self, root) -> None:
        links = self.md.treeprocessors["relpath"] if "relpath" in self.md.treeprocessors else None
        if links is None:
            return
        stash = self.md.htmlStash.rawHtmlBlocks
        for number, block in enumerate(stash):
            if isinstance(block, str) and "<" in block:
                block = _MEDIA_TAG.sub(self._rewrite_tag, block)
                stash[number] = _LINK_TAG.sub(self._rewrite_link, block)

    def _rewrite_tag(self, tag: re.Match) -> str:
        return _SRCSET.sub(self._rewrite_srcset, _PATH_ATTRIBUTE.sub(self._rewrite, tag.group(0)))

    def _rewrite_link(self, tag: re.Match) -> str:
        return _HREF.sub(self._rewrite_file_href, tag.group(0))

    def _rewrite_file_href(self, attribute: re.Match) -> str:
        url = next(value for value in attribute.groups()[1:] if value is not None)
        if not (links_to_file(url) or urlsplit(url).path.endswith(".md")) or url.startswith("/"):
            return attribute.group(0)
        return f'{attribute.group(1)}"{self._resolved(url)}"'

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
