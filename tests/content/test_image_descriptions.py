"""A picture in a note written with empty brackets, `![](chart.png)`, is a warning, the same line in
`impart check` and the strict build, giving two fixes; each, followed as written, passes both and renders
the image with its description, or marked as decoration (`alt=""`)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.helpers.site import copy_site, files_under, impart, mkdocs_build

NOTE = """---
title: A chart without words
description: A note with one chart, dropped in with empty brackets the way a quick screenshot often is.
date: 2026-05-09
authors: [impart]
categories: [Measurement]
---

The queue shrank each week after the operator took over.

{image}

A sentence in `![](code.png)` is an example, not an image.
"""
WHERE = "docs/field-notes/posts/undescribed.md"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)
WARNING = (
    f"warning: {WHERE}:11: the image chart.png has empty brackets (no alt text), so a reader who cannot see it "
    "learns nothing of it; say what it shows in the brackets, e.g. ![What the picture shows](chart.png), "
    'or, if it is only decoration, write ![](chart.png){ alt="" }'
)


def _site(tmp_path, image: str):
    project = copy_site(tmp_path / "project")
    (project / WHERE).write_text(NOTE.format(image=image), encoding="utf-8")
    (project / WHERE).with_name("chart.png").write_bytes(PNG)
    return project


@pytest.mark.build
def test_empty_brackets_are_one_warning_said_alike_by_check_and_the_build_and_check_writes_nothing(tmp_path):
    project = _site(tmp_path, "![](chart.png)")
    before = {path: path.read_bytes() for path in files_under(project)}
    check = impart("check", cwd=project)
    assert {path: path.read_bytes() for path in files_under(project)} == before
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert check.returncode == 1, check.stdout + check.stderr
    assert check.stdout.splitlines() == [WARNING]
    assert build.returncode == 1, build.stderr
    assert f"WARNING -  impart: {WARNING.split(': ', 1)[1]}" in build.stderr.splitlines()


@pytest.mark.build
@pytest.mark.parametrize(
    "image, alt",
    [("![What the picture shows](chart.png)", "What the picture shows"), ('![](chart.png){ alt="" }', "")],
    ids=["described", "decoration"],
)
def test_each_fix_followed_as_written_passes_check_and_the_build(tmp_path, image, alt):
    fix = WARNING.split("e.g. ")[1].split(", or,")[0] if alt else WARNING.rsplit("write ", 1)[1]
    assert fix == image  # the test follows the message's own words
    project = _site(tmp_path, image)
    check = impart("check", cwd=project)
    assert check.returncode == 0 and check.stdout.rstrip().endswith("no problems"), check.stdout
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert build.returncode == 0, build.stderr
    page = BeautifulSoup((tmp_path / "site/field-notes/undescribed/index.html").read_text("utf-8"), "html.parser")
    images = page.select("main img[src$='chart.png']")
    assert [img.get("alt") for img in images] == [alt]


def test_a_path_with_spaces_and_an_attribute_list_are_read_as_markdown_reads_them():
    from impart.content.image_descriptions import undescribed_images

    body = '![](Screenshot at 7.08 PM.png)\n\n![](board plan.png "The plan"){ .wide }\n\n![](x.png){ alt="" }\n'
    fixes = [problem.message.rsplit("write ", 1)[1] for problem in undescribed_images(body, "x.md")]
    assert fixes == ['![](Screenshot at 7.08 PM.png){ alt="" }', '![](board plan.png "The plan"){ .wide alt="" }']
