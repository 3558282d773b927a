"""Every fix a message suggests, applied as written, gives a page that passes and renders right.

Each note below triggers one message that carries a fix. The test runs `impart check`, reads the fix out of each
message (the text to write, the line to add, the file to save) with the rules in `apply`, applies it to the note,
and builds strictly: the build passes, check passes, and each page, read with a parser, shows what was meant (a
link, an image that loads, a notice, a footnote, an annotation list, a link to the other host) and nothing of what
was wrong (Markdown as text, a frame or script from another host, an image that goes to no file)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.helpers.site import PROJECT, copy_site, impart, mkdocs_build

POSTS = "docs/field-notes/posts"
IMAGES = PROJECT / "tests/fixtures/authoring/images"
FRONT = """---
title: {title}
description: A note that carries one mistake whose message says how to mend it, to mend it as told.
date: 2026-04-{day:02d}
authors: [impart]
categories: [Field notes]
---

A first paragraph of plain words.

"""

# name: (the body, what the mended page must show: a CSS selector that must match in the note's body)
NOTES = {
    "link-in-html": ('<div align="center">\n[Read the runbook](../index.md)\n</div>\n', 'a[href="../"]'),
    "image-in-html": ('<div align="center">\n![Three boxes](images/handoff.png)\n</div>\n', 'img[alt="Three boxes"]'),
    "notice-in-html": (
        '<div align="center">\n!!! warning "Before the cut-over"\n    Agree the rollback path.\n</div>\n',
        "div.admonition.warning",
    ),
    "footnote-without-note": ("A baseline comes first.[^base]\n", "div.footnote li"),
    "annotation-without-list": ("```python\nswitch(model)  # (1)!\n```\n\nThe prose goes on.\n", "div.highlight + ol"),
    "placeholder-in-text": ("Write to the {{ config.site_name }} editors.\n", "p"),
    "image-by-site-path": ('<img src="/images/queue-late.png" alt="The queue">\n', 'img[alt="The queue"]'),
    "frame-in-html": (
        '<div align="center">\n<iframe src="https://video.example.net/embed/7" title="Demo"></iframe>\n</div>\n',
        'a[href="https://video.example.net/embed/7"]',
    ),
    "frame-over-lines": (
        '<iframe title="Demo"\n   src="https://video.example.net/embed/8"></iframe>\n',
        'a[href="https://video.example.net/embed/8"]',
    ),
    "gist-script": (
        '<script src="https://gist.github.com/someone/0a1b2c.js"></script>\n',
        'a[href="https://gist.github.com/someone/0a1b2c"]',
    ),
    "near-name": ("See [the measures](success-measure.md).\n", 'a[href="../success-measures/"]'),
    "page-address-image": ('<img src="../images/handoff.png" alt="Boxes">\n', 'img[alt="Boxes"]'),
    "outside-docs-image": ("![The queue](../../../../shared/queue.png)\n", 'img[alt="The queue"]'),
}

_LINE = re.compile(r"^error: (?P<file>[^:]+):(?P<line>\d+): (?P<message>.+)$")


def _replace_on_line(text: str, line: int, old: str, new: str) -> str:
    lines = text.split("\n")
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def _save(project: Path, where: str) -> None:
    """Save the image the message names at the place it names (the test's own copy of a picture by that name)."""
    target = project / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(IMAGES / ("queue.png" if "queue" in target.name else "handoff.png"), target)


def apply(project: Path, file: str, line: int, message: str) -> None:
    """Do what the message says, as written: each rule reads the text to replace and its replacement, the line
    to add or the file to save out of the message, and nothing else."""
    path = project / file
    text = path.read_text(encoding="utf-8")
    if found := re.match(r"the (?:link|image) (?P<old>.+?) shows as written.*; write it as (?P<new>.+)$", message):
        text = _replace_on_line(text, line, found["old"], found["new"])
    elif found := re.search(r"[;:] write (?P<old><\w+[^>]*>) as (?P<new><.+>)$", message):
        # The element's opening tag: on the message's line or the nearest line above it.
        holder = next(n for n in range(line, 0, -1) if found["old"] in text.split("\n")[n - 1])
        text = _replace_on_line(text, holder, found["old"], found["new"])
    elif found := re.search(r"add a line '(?P<add>.+)' at the end of the page$", message):
        text = text.rstrip("\n") + "\n\n" + found["add"] + "\n"
    elif found := re.search(r"add one right after it, after a blank line: '(?P<add>.+)'$", message):
        lines = text.split("\n")
        close = next(n for n in range(line, len(lines)) if lines[n].startswith("```"))
        lines[close + 1 : close + 1] = ["", found["add"]]
        text = "\n".join(lines)
    elif found := re.match(
        r"the template placeholder (?P<old>.+?) shows as written.*; write (?P<new>.+) in its", message
    ):
        text = _replace_on_line(text, line, found["old"], found["new"])
    elif found := re.match(r"the \w+ (?P<url>\S+) .*(?:save the file as|copy the file to) docs/(?P<to>\S+) and write "
                           r"it as (?P<new>\S+)$", message):  # fmt: skip
        _save(project, "docs/" + found["to"])
        text = _replace_on_line(text, line, found["url"], found["new"])
    elif found := re.match(r"the \w+ (?P<url>\S+) .*the file is at docs/\S+: write it as (?P<new>\S+),", message):
        text = _replace_on_line(text, line, found["url"], found["new"])
    elif found := re.match(r"the \w+ (?P<url>\S+) .*; replace the (?:element|script) with a link .*?, (?P<new><a .+)$",
                           message):  # fmt: skip
        element = re.compile(rf"<(iframe|script)\b[^>]*{re.escape(found['url'])}[^>]*>\s*</\1>", re.S)
        assert element.search(text), found["url"]
        text = element.sub(lambda _: found["new"], text, count=1)
    elif found := re.match(r"the link (?P<url>\S+) goes to no page .*; did you mean \S+\? link it as (?P<new>\S+)$",
                           message):  # fmt: skip
        text = _replace_on_line(text, line, found["url"], found["new"])
    else:
        raise AssertionError(f"no fix to apply in: {message}")
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def mended(tmp_path_factory):
    folder = tmp_path_factory.mktemp("advice")
    project = copy_site(folder / "project")
    posts = project / POSTS
    (posts / "images").mkdir(exist_ok=True)
    shutil.copy2(IMAGES / "handoff.png", posts / "images/handoff.png")
    for day, (name, (body, _)) in enumerate(NOTES.items(), start=1):
        (posts / f"{name}.md").write_text(FRONT.format(title=name.replace("-", " ").capitalize(), day=day) + body)
    before = impart("check", cwd=project)
    said = [_LINE.match(line) for line in before.stdout.splitlines()]
    assert all(said), before.stdout
    for found in reversed(said):  # from the last line up, so an added line moves none still to mend
        apply(project, found["file"], int(found["line"]), found["message"])
    after = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", folder / "site")
    return said, after, build, folder / "site"


@pytest.mark.build
def test_each_note_gets_a_message_with_a_fix(mended):
    said, _, _, _ = mended
    files = sorted({found["file"].rsplit("/", 1)[1].removesuffix(".md") for found in said})
    assert files == sorted(NOTES)


@pytest.mark.build
def test_once_each_fix_is_applied_as_written_check_and_the_strict_build_pass(mended):
    _, after, build, _ = mended
    assert after.returncode == 0, after.stdout + after.stderr
    assert build.returncode == 0, build.stderr


def _site_file(site: Path, page_url: str, src: str) -> Path:
    path = urlsplit(urljoin(page_url, src)).path.lstrip("/")
    return site / path / "index.html" if path.endswith("/") or not path else site / path


@pytest.mark.build
@pytest.mark.parametrize("name", list(NOTES))
def test_each_mended_page_renders_what_was_meant(mended, name):
    _, _, build, site = mended
    assert build.returncode == 0, build.stderr
    url = f"/field-notes/{name}/"
    body = BeautifulSoup((site / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")
    body = body.select_one(".impart-note__body")
    assert body.select_one(NOTES[name][1]) is not None, body
    for code in body.select("pre, code"):
        code.decompose()  # code shows what it shows: the annotation's marker is the script's to turn
    prose = body.get_text(" ")
    for written in ("](", "!!!", "[^", "{{", "(1)!"):
        assert written not in prose, (written, prose)
    assert body.select("iframe, script[src]") == []
    for image in body.select("img"):
        assert _site_file(site, url, image["src"]).is_file(), image["src"]
    for link in body.select("a[href]"):
        href = link["href"]
        if not urlsplit(href).scheme and not href.startswith("#"):
            assert _site_file(site, url, href).is_file(), href
