"""Images that do not move the page as they load: a Markdown extension giving each local image its `width`
and `height` from the file, and `loading="lazy"` to every image but the first (the one a reader sees first);
raw HTML images' paths resolved from the note's file like Markdown's (impart.content.raw_html_paths).

It runs in MkDocs' render, before MkDocs rewrites the links (priority 0), and finds the page's file and the
site's files on MkDocs' own link processor; under another engine (or none) it leaves images as written.
tests/pages/test_authoring.py reads the attributes in the built corpus.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import imagesize
from markdown import Extension
from markdown.treeprocessors import Treeprocessor

from impart.content import raw_html_paths
from impart.content.references import local_target


def _size(path: str) -> tuple[int, int] | None:
    try:
        width, height = imagesize.get(path)
    except (OSError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None


class SizedLazyImages(Treeprocessor):
    def run(self, root: Element) -> None:
        links = self.md.treeprocessors["relpath"] if "relpath" in self.md.treeprocessors else None
        for number, image in enumerate(root.iter("img")):
            if number and "loading" not in image.attrib:
                image.set("loading", "lazy")
            if links is None or "width" in image.attrib or "height" in image.attrib:
                continue
            target = local_target(links.file.src_uri, image.get("src", ""))
            if target is None:
                continue
            found = links.files.get_file_from_path(target)
            size = _size(found.abs_src_path) if found is not None and found.abs_src_path else None
            if size:
                image.set("width", str(size[0]))
                image.set("height", str(size[1]))


class SizedLazyImagesExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(SizedLazyImages(md), "impart-images", 1)  # before MkDocs' links (0)
        raw_html_paths.register(md)  # raw HTML images resolve from the note's file, as Markdown images do


def makeExtension(**kwargs):  # noqa: N802 (how Python-Markdown finds an extension)
    return SizedLazyImagesExtension(**kwargs)
