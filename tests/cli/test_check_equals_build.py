"""`impart check` and the strict build judge the same broken notes the same way: each mistake below is one
line naming the file, said word for word by both, and neither prints a traceback."""

import re
from urllib.parse import unquote

import pytest

from tests.helpers.site import copy_site, impart, mkdocs_build

NOTE = """---
title: A note broken on purpose
description: A note that carries one mistake, to see what check and the build say about it.
date: {date}
authors: [impart]
categories: [Field notes]
---

A first paragraph of plain words.

{body}
"""

WHERE = "docs/field-notes/posts/broken.md"

CASES = {
    "month thirteen": (
        "2026-13-01",
        "Nothing else is wrong.",
        f"error: {WHERE}:4: date: 2026-13-01 is not a date (month must be in 1..12); write a real day as YYYY-MM-DD",
    ),
    "thirtieth of February": (
        "2026-02-30",
        "Nothing else is wrong.",
        f"error: {WHERE}:4: date: 2026-02-30 is not a date (day is out of range for month); "
        "write a real day as YYYY-MM-DD",
    ),
    "alt text over two lines, missing file": (
        "2026-02-01",
        "![A chart whose description runs\nonto the next line](chart-missing.png)",
        f"error: {WHERE}:12: the image chart-missing.png is not in docs/ "
        "(looked for docs/field-notes/posts/chart-missing.png); save the file there or fix the path",
    ),
    "image path with a space, missing file": (
        "2026-02-01",
        "![The queue by week](my chart.png)",
        f"error: {WHERE}:11: the image my chart.png is not in docs/ "
        "(looked for docs/field-notes/posts/my chart.png); save the file there or fix the path",
    ),
    "template placeholder as a link": (
        "2026-02-01",
        "Write to [our inbox]({{ config.extra.contact }}).",
        f"error: {WHERE}:11: the link {{{{ config.extra.contact }}}} is a template placeholder, "
        "which a Markdown page leaves as written; write the address itself",
    ),
    "in-page anchor to nowhere": (
        "2026-02-01",
        "## Where to start\n\nSee [the start](#where-to-start) and [the end](#nowhere).",
        f"warning: {WHERE}:13: the link #nowhere goes to nothing on this page (no heading or id 'nowhere'); "
        "link a heading of this page, or remove it",
    ),
    "a link inside an HTML element": (
        "2026-02-01",
        '<div align="center">\n[Read the runbook](../index.md)\n</div>',
        f"error: {WHERE}:12: the link [Read the runbook](../index.md) shows as written, not as a link (Markdown "
        'inside an HTML element is not read); write it as <a href="../">Read the runbook</a>',
    ),
    "an annotation marker with no list": (
        "2026-02-01",
        "```python\nswitch(model)  # (1)!\n```",
        f"error: {WHERE}:12: the code annotation (1)! shows as a plain comment, not as an annotation; no numbered "
        "list follows the block; add one right after it, after a blank line: '1. the note'",
    ),
    "an image by a site path the site does not have": (
        "2026-02-01",
        '<img src="/images/none.png" alt="A chart">',
        f"error: {WHERE}:11: the image /images/none.png goes to no file of the built site; save the file as "
        "docs/field-notes/posts/images/none.png and write it as images/none.png",
    ),
    "a link to a page from the site's root": (
        "2026-02-01",
        "Send us [the outline](/request-a-proposal.md).",
        f"error: {WHERE}:11: the link /request-a-proposal.md is written from the site's root, which the site leaves "
        "as written and serves no page at; link it as ../../request-a-proposal.md, relative to this file",
    ),
    "a frame by a site path the site does not have": (
        "2026-02-01",
        '<iframe src="/assets/steps.html" title="The steps"></iframe>',
        f"error: {WHERE}:11: the iframe /assets/steps.html goes to no file of the built site; save the file as "
        "docs/field-notes/posts/files/steps.html and write it as files/steps.html",
    ),
    "a raw link to a clip by a site path the site does not have": (
        "2026-02-01",
        '<a href="/assets/clip.mp4">Watch the clip</a>',
        f"error: {WHERE}:11: the link /assets/clip.mp4 goes to no file of the built site; save the file as "
        "docs/field-notes/posts/files/clip.mp4 and write it as files/clip.mp4",
    ),
    "a percentage width on a Markdown image": (
        "2026-02-01",
        "![A chart of the queue](../../assets/images/impart-editorial.svg){ width=100% }",
        f"warning: {WHERE}:11: the image's width=100% is not a number of pixels, which HTML asks of width, and it "
        'takes the place of the size read from the file; write style="width: 100%" in its place',
    ),
    "a snippet line": (
        "2026-02-01",
        '--8<-- "notes/shared.md"',
        f'error: {WHERE}:11: the line --8<-- "notes/shared.md" asks for another file; this site does not include '
        "other files, so the line shows as written; paste the text of notes/shared.md in its place",
    ),
}


@pytest.mark.build
@pytest.mark.parametrize("date, body, line", CASES.values(), ids=list(CASES))
def test_check_and_the_strict_build_refuse_the_same_mistake_in_the_same_words(tmp_path, date, body, line):
    project = copy_site(tmp_path / "project")
    (project / WHERE).write_text(NOTE.format(date=date, body=body), encoding="utf-8")

    check = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")

    assert "Traceback" not in check.stdout + check.stderr, check.stderr
    assert "Traceback" not in build.stdout + build.stderr, build.stderr
    assert check.returncode == 1, check.stdout + check.stderr
    assert check.stdout.splitlines() == [line]  # the one mistake, and nothing said of the real notes
    assert build.returncode == 1, build.stderr
    severity, said = line.split(": ", 1)
    assert f"{severity.upper():<7} -  impart: {said}" in build.stderr.splitlines()


# The smallest well-formed PNG: a 1x1 image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


@pytest.mark.build
def test_an_image_path_with_a_space_saved_where_check_says_passes_both_and_shows(tmp_path):
    project = copy_site(tmp_path / "project")
    (project / WHERE).write_text(NOTE.format(date="2026-02-01", body="![The queue by week](my chart.png)"), "utf-8")
    (project / "docs/field-notes/posts/my chart.png").write_bytes(PNG)  # "save the file there"

    check = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")

    assert check.returncode == 0, check.stdout
    assert build.returncode == 0, build.stderr
    page = (tmp_path / "site/field-notes/broken/index.html").read_text(encoding="utf-8")
    src = re.search(r'<img alt="The queue by week"[^>]* src="([^"]+)"', page).group(1)
    assert (tmp_path / "site/field-notes/broken" / unquote(src)).resolve().is_file(), src
