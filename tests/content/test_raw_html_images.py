"""Raw HTML images and media resolve from the note's file, as Markdown images do: in the built site every
`<img src>`, `<source src>` and `poster` on every page is a file there, and a path that misses is refused by
check and the build alike with the path that works."""

import posixpath
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.helpers.site import copy_site, impart, mkdocs_build

# The smallest well-formed PNG: a 1x1 image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)

NOTE = """---
title: Pictures written as HTML
description: A note that places its pictures and a clip with raw HTML, as posts pasted from elsewhere often do.
date: 2026-02-01
authors: [impart]
categories: [Field notes]
---

A first paragraph of plain words.

{body}
"""

WHERE = "docs/field-notes/posts/pictures.md"

GOOD_BODY = """<figure markdown>
  <img src="beside.png" alt="A picture saved beside the note">
</figure>

Inline, <img src="images/inside.png" alt="A picture in a folder beside the note" width="1" height="1"> too.

<picture>
  <source srcset="images/inside.png 1x, beside.png 2x" media="(min-width: 40em)">
  <img src="beside.png" alt="The picture again, chosen by width">
</picture>

<video controls poster="images/inside.png">
  <source src="clip.webm" type="video/webm">
</video>

![The same picture in Markdown](beside.png)
"""


def _project(tmp_path, body):
    project = copy_site(tmp_path / "project")
    posts = project / "docs/field-notes/posts"
    (posts / "images").mkdir()
    (posts / "beside.png").write_bytes(PNG)
    (posts / "images/inside.png").write_bytes(PNG)
    (posts / "clip.webm").write_bytes(b"\x1a\x45\xdf\xa3")
    (project / WHERE).write_text(NOTE.format(body=body), encoding="utf-8")
    return project


def _unresolved(site):
    """Every (page, src) of an image or medium, on any page, that names no file in the built site."""
    missing = []
    for page in sorted(site.rglob("*.html")):
        address = "/" + page.parent.relative_to(site).as_posix() + "/"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for element in soup.find_all(["img", "source", "video", "audio"]):
            urls = [element.get("src"), element.get("poster")]
            urls += [candidate.split()[0] for candidate in element.get("srcset", "").split(",") if candidate.strip()]
            for url in urls:
                if not url or urlsplit(url).scheme or url.startswith("//"):
                    continue
                path = posixpath.normpath(unquote(urlsplit(urljoin(address, url)).path)).lstrip("/")
                if not (site / path).is_file():
                    missing.append((page.relative_to(site).as_posix(), url))
    return missing


@pytest.mark.build
def test_every_image_and_medium_on_every_built_page_is_a_file_in_the_site(tmp_path):
    project = _project(tmp_path, GOOD_BODY)
    check = impart("check", cwd=project)
    assert check.returncode == 0, check.stdout + check.stderr
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert build.returncode == 0, build.stderr

    page = tmp_path / "site/field-notes/pictures/index.html"
    sources = [e.get("src") for e in BeautifulSoup(page.read_text(), "html.parser").select("article img, source")]
    assert len([s for s in sources if s and "beside.png" in s]) == 3  # raw and Markdown, written alike
    assert any("inside.png 1x" in e.get("srcset", "") for e in BeautifulSoup(page.read_text(), "html.parser")("source"))
    assert any(s and s.endswith("clip.webm") for s in sources)
    assert _unresolved(tmp_path / "site") == []


@pytest.mark.build
def test_a_raw_html_path_that_misses_is_refused_with_the_path_that_works_and_that_path_builds(tmp_path):
    # Written from the page's address (/field-notes/pictures/), the habit of a Material blog: not this file's.
    project = _project(tmp_path, '<img src="../posts/images/inside.png" alt="A picture">\n\n<img src="img.png">')
    (project / "docs/field-notes/posts/beside.png").unlink()
    body = '<p><img src="../images/inside.png" alt="A picture"></p>'
    (project / WHERE).write_text(NOTE.format(body=body), encoding="utf-8")
    site = tmp_path / "site"

    line = (
        f"{WHERE}:11: the image ../images/inside.png is not in docs/ (looked for docs/field-notes/images/inside.png); "
        "the file is at docs/field-notes/posts/images/inside.png: write it as images/inside.png, relative to this file"
    )
    check = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", site)
    assert check.returncode == 1 and check.stdout.splitlines() == [f"error: {line}"], check.stdout + check.stderr
    assert build.returncode == 1 and f"ERROR   -  impart: {line}" in build.stderr.splitlines(), build.stderr
    assert not (site / "field-notes/pictures").exists()  # nothing of the refused note was written

    (project / WHERE).write_text(NOTE.format(body=body.replace("../images/", "images/")), encoding="utf-8")
    assert impart("check", cwd=project).returncode == 0
    rebuilt = mkdocs_build(project / "mkdocs.yml", site)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _unresolved(site) == []
