"""Raw HTML that browsers draw but HTML no longer allows (`<center>`, `width="100%"`) is a warning naming the
line and a like-for-like fix, in `impart check` and the strict build alike. The Nu Html Checker refuses the
page as written and passes it once each fix is followed word for word."""

from __future__ import annotations

import re

import pytest

from tests.helpers.page_checks import vnu_errors
from tests.helpers.site import copy_site, files_under, impart, mkdocs_build

NOTE = """---
title: A centred chart from an older blog
description: A note pasted from a blog that centred its pictures with the old tags, and sized them in per cent.
date: 2026-05-10
authors: [impart]
categories: [Measurement]
---

The queue by week, centred the way the old blog did it:

<center>The queue by week, after the handover</center>

<img src="chart.png" width="100%" alt="The queue by week, shrinking after the handover">

A sentence that shows the tag as code, `<center>`, is an example and stays as it is.
"""
WHERE = "docs/field-notes/posts/centred.md"
PAGE = "field-notes/centred/index.html"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)
EXPECTED = [
    f"warning: {WHERE}:11: the element <center> is obsolete in HTML (browsers still draw it; the validity check "
    'refuses it); write <div style="text-align: center"> in its place and </div> for its </center>',
    f'warning: {WHERE}:13: the img\'s width="100%" is not a number of pixels, which HTML asks of width; '
    'write style="width: 100%" in its place',
]


def _project(folder):
    project = copy_site(folder / "project")
    (project / WHERE).write_text(NOTE, encoding="utf-8")
    (project / WHERE).with_name("chart.png").write_bytes(PNG)
    return project


def _follow(project, messages: list[str]) -> None:
    """Each message's fix, done exactly as it reads."""
    path = project / WHERE
    lines = path.read_text(encoding="utf-8").split("\n")
    for message in messages:
        number = int(message.split(":")[2])
        if centre := re.search(r"write (<div [^>]+>) in its place and (</div>) for its (</center>)", message):
            lines[number - 1] = lines[number - 1].replace("<center>", centre[1])
            closing = next(i for i in range(number - 1, len(lines)) if centre[3] in lines[i])
            lines[closing] = lines[closing].replace(centre[3], centre[2])
        elif size := re.search(
            r"'s (\w+=\"[^\"]+\") is not a number of pixels.*; write (style=\"[^\"]+\") in", message
        ):
            lines[number - 1] = lines[number - 1].replace(size[1], size[2])
        else:
            raise AssertionError(f"no literal way to follow: {message}")
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The note as written (check, the strict build, a lenient build to read) and with every fix followed (check,
    the strict build); the Nu Html Checker run once over both built pages."""
    folder = tmp_path_factory.mktemp("raw-html")
    written = _project(folder / "written")
    before = {path: path.read_bytes() for path in files_under(written)}
    found = {"check": impart("check", cwd=written)}
    found["check_wrote_nothing"] = before == {path: path.read_bytes() for path in files_under(written)}
    found["build"] = mkdocs_build(written / "mkdocs.yml", folder / "written/site")
    found["lenient"] = mkdocs_build(written / "mkdocs.yml", folder / "written/lenient", strict=False)
    fixed = _project(folder / "fixed")
    _follow(fixed, EXPECTED)
    found["fixed_check"] = impart("check", cwd=fixed)
    found["fixed_build"] = mkdocs_build(fixed / "mkdocs.yml", folder / "fixed/site")
    found["fixed_page"] = folder / "fixed/site" / PAGE
    pages = {"written": folder / "written/lenient" / PAGE, "fixed": found["fixed_page"]}
    errors = vnu_errors(*pages.values())
    found["vnu"] = {name: [e for e in errors if str(path) in e] for name, path in pages.items()}
    return found


@pytest.mark.build
@pytest.mark.html_checker
def test_the_old_tags_are_warned_of_alike_and_the_page_as_written_is_invalid(runs):
    check, build = runs["check"], runs["build"]
    assert runs["check_wrote_nothing"]
    assert check.returncode == 1, check.stdout
    assert check.stdout.splitlines() == EXPECTED
    assert build.returncode == 1
    for line in EXPECTED:
        severity, said = line.split(": ", 1)
        assert f"{severity.upper():<7} -  impart: {said}" in build.stderr.splitlines()
    assert runs["lenient"].returncode == 0, runs["lenient"].stderr
    errors = " ".join(runs["vnu"]["written"])
    assert "center" in errors and "width" in errors  # the checker agrees these are wrong


@pytest.mark.build
@pytest.mark.html_checker
def test_following_each_fix_as_written_passes_check_the_build_and_the_html_checker(runs):
    assert runs["fixed_check"].returncode == 0, runs["fixed_check"].stdout
    assert runs["fixed_build"].returncode == 0, runs["fixed_build"].stderr
    assert runs["vnu"]["fixed"] == []
    page = runs["fixed_page"].read_text(encoding="utf-8")
    assert '<div style="text-align: center">The queue by week, after the handover</div>' in page
    assert re.search(r'<img [^>]*style="width: 100%"', page)


def test_a_tag_written_over_several_lines_is_read_whole_and_code_is_left_alone():
    from impart.content.raw_html_validity import invalid_raw_html

    body = (
        'Intro.\n\n<iframe\n  src="circle.html"\n  title="The circle"\n  width="100%"\n'
        '  style="border: 0"\n></iframe>\n\n```html\n<center>an example</center>\n```\n\n`<img width="50%">`\n'
    )
    assert [str(problem) for problem in invalid_raw_html(body, "x.md", first_line=8)] == [
        'x.md:13: the iframe\'s width="100%" is not a number of pixels, which HTML asks of width; '
        "remove it and add width: 100% to the element's style"
    ]
