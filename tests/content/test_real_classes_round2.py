"""The second run of real posts from other Material blogs: the classes the site now handles right, each kept as
a note in our own words under tests/fixtures/real-classes/round2/ (dated folders included, as those blogs keep them).

The notes are checked as they come; each message that carries a fix (a file to save, a path to write) is followed
exactly as written; the site must then pass check and the strict build, and each page must show what was meant:
pictures and a clip named from another blog's root, saved and written where the message said, resolve; a picture
for each colour scheme keeps its `#only-light`/`#only-dark`; a container tool's own `{{.Names}}` braces in code
are code, not a template placeholder; a LaTeX shorthand the site cannot typeset is named with its line, and the
standard command typesets.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.helpers.site import PROJECT, copy_site, files_under, impart, mkdocs_build

FIXTURES = PROJECT / "tests/fixtures/real-classes/round2"
POSTS = "docs/field-notes/posts"

# The smallest well-formed PNG: a 1x1 image (the clip only has to be a file the page can name).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)

_MESSAGE = re.compile(r"^(?:error|warning): (?P<file>docs/[^:]+?\.md)(?::(?P<line>\d+))?: (?P<text>.+)$")
_SAVE_AND_WRITE = re.compile(
    r"^the (?:image|video) (?P<src>\S+) goes to no file of the built site; "
    r"save the file as (?P<save>\S+) and write it as (?P<write>\S+)$"
)
_SAVE_THERE = re.compile(r"\(looked for (?P<where>[^)]+)\); save the file there")
_STYLE_WIDTH = re.compile(
    r"image's (?P<size>\S+) is not a number of pixels.*; write (?P<style>style=\"[^\"]+\") in its place"
)


def _messages(output: str) -> list[tuple[str, int | None, str]]:
    found = []
    for line in output.splitlines():
        if match := _MESSAGE.match(line):
            found.append((match["file"], int(match["line"]) if match["line"] else None, match["text"]))
    return found


def _follow(project: Path, messages: list[tuple[str, int | None, str]]) -> list[str]:
    """Do what each message that carries a fix says, literally; return what was done, one line each."""
    done = []
    for file, number, text in messages:
        note = project / file
        if fix := _SAVE_AND_WRITE.match(text):
            target = project / fix["save"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(PNG)
            lines = note.read_text(encoding="utf-8").split("\n")
            assert fix["src"] in lines[number - 1], (file, number, fix["src"])
            lines[number - 1] = lines[number - 1].replace(fix["src"], fix["write"])
            note.write_text("\n".join(lines), encoding="utf-8")
            done.append(f"{file}:{number}: saved {fix['save']}, wrote {fix['write']}")
        elif fix := _STYLE_WIDTH.search(text):
            lines = note.read_text(encoding="utf-8").split("\n")
            lines[number - 1] = lines[number - 1].replace(fix["size"], fix["style"])
            note.write_text("\n".join(lines), encoding="utf-8")
            done.append(f"{file}:{number}: wrote {fix['style']}")
        elif fix := _SAVE_THERE.search(text):
            target = project / fix["where"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(PNG)
            done.append(f"{file}:{number}: saved {fix['where']}")
    return done


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Check's first answer on the pasted notes, what following it did, the second answer and the strict build."""
    folder = tmp_path_factory.mktemp("real-classes-round2")
    project = copy_site(folder / "project")
    for note in FIXTURES.rglob("*.md"):
        target = project / POSTS / note.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(note, target)
    before = {path: path.read_bytes() for path in files_under(project)}
    first = impart("check", cwd=project)
    unchanged = before == {path: path.read_bytes() for path in files_under(project)}
    done = _follow(project, _messages(first.stdout))
    # The one fix a person makes from "fix the LaTeX": the standard command for the natural numbers.
    natural = project / POSTS / "natural-numbers.md"
    natural.write_text(natural.read_text(encoding="utf-8").replace(r"\N^*", r"\mathbb{N}^*"), encoding="utf-8")
    second = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", folder / "site")
    return {
        "project": project, "site": folder / "site", "first": first, "second": second, "build": build,
        "done": done, "unchanged": unchanged,
    }  # fmt: skip


def _page(run, address: str) -> tuple[BeautifulSoup, BeautifulSoup]:
    html = (run["site"] / address.strip("/") / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    return soup, soup.select_one("main article") or soup.select_one("main")


def _resolves(run, address: str, src: str) -> bool:
    path = unquote(urlsplit(urljoin(address, src)).path).lstrip("/")
    return (run["site"] / path).is_file()


@pytest.mark.build
def test_each_pasted_class_gets_its_message_and_check_writes_nothing(run):
    first = run["first"]
    assert first.returncode == 1
    said = {(Path(file).name, number, text) for file, number, text in _messages(first.stdout)}
    root = "docs/field-notes/posts/2026/08/images"
    expected = {
        ("pictures-from-the-site-root.md", 14,
         "the image /assets/images/blog/2026/08/night-shift/console.png goes to no file of the built site; "
         f"save the file as {root}/console.png and write it as images/console.png"),
        ("pictures-from-the-site-root.md", 21,
         "the image /assets/images/blog/2026/08/night-shift/queue.png goes to no file of the built site; "
         f"save the file as {root}/queue.png and write it as images/queue.png"),
        ("pictures-from-the-site-root.md", 25,
         "the video /assets/videos/blog/2026/08/night-shift/handover.mp4#only-dark goes to no file of the built site; "
         f"save the file as {root}/handover.mp4 and write it as images/handover.mp4"),
        ("pictures-from-the-site-root.md", 14,
         "the image's width=100% is not a number of pixels, which HTML asks of width, and it takes the place of the "
         'size read from the file; write style="width: 100%" in its place'),
        ("pictures-from-the-site-root.md", 21,
         "the image's width=60% is not a number of pixels, which HTML asks of width, and it takes the place of the "
         'size read from the file; write style="width: 60%" in its place'),
    }  # fmt: skip
    assert expected <= said, first.stdout
    scheme = {(n, t) for name, n, t in said if name == "pictures-for-each-scheme.md"}
    assert {n for n, _ in scheme} == {12, 13}, first.stdout
    assert all("(looked for docs/assets/images/blog/2026/09/review-board/board-" in t for _, t in scheme)
    natural = [(n, t) for name, n, t in said if name == "natural-numbers.md"]
    assert natural == [(9, r"the formula k \in \N^* cannot be typeset: \N is not a LaTeX command the site can "
                           r"typeset (it would show as text); fix the LaTeX, or write a dollar that is not maths "
                           r"as \$")], first.stdout  # fmt: skip
    assert not [m for m in said if m[0] == "braces-in-code.md"], first.stdout  # code braces are no placeholder
    assert len(said) == 8, first.stdout
    assert run["unchanged"]


@pytest.mark.build
def test_following_the_messages_gives_a_site_that_passes_check_and_the_strict_build(run):
    assert len(run["done"]) == 7, run["done"]
    assert run["second"].returncode == 0, "\n".join(run["done"]) + "\n" + run["second"].stdout
    assert "no problems" in run["second"].stdout
    assert run["build"].returncode == 0, run["build"].stderr


@pytest.mark.build
def test_pictures_and_the_clip_saved_where_told_resolve_with_their_attributes(run):
    address = "/field-notes/pictures-from-the-site-root/"
    _, body = _page(run, address)
    console = body.find("img", alt="The console at the start of the night shift")
    queue = body.find("img", alt="The queue, oldest first")
    assert _resolves(run, address, console["src"]) and _resolves(run, address, queue["src"])
    # The class and lazy loading carry over; the percentage width, written as a style as told, leaves the size
    # read from the file in place.
    assert "round-corners" in console["class"] and "round-corners" in queue["class"]
    assert (console["style"], queue["style"]) == ("width: 100%", "width: 60%")
    assert console["width"].isdigit() and queue["height"].isdigit()
    assert queue["loading"] == "lazy"
    assert queue.find_parent("li") is not None  # the picture stays in its list item
    clip = body.find("video")
    assert _resolves(run, address, clip["src"]), clip["src"]
    assert "{" not in body.get_text() and "/assets/" not in str(body)


@pytest.mark.build
def test_a_picture_for_each_scheme_keeps_its_scheme(run):
    address = "/field-notes/pictures-for-each-scheme/"
    _, body = _page(run, address)
    sources = [img["src"] for img in body.find_all("img", alt="The review board with its three columns")]
    assert [src.rsplit("#", 1)[1] for src in sources] == ["only-light", "only-dark"]
    assert all(_resolves(run, address, src) for src in sources), sources


@pytest.mark.build
def test_template_braces_in_code_show_as_written_and_a_heading_keeps_its_own_id(run):
    _, body = _page(run, "/field-notes/braces-in-code/")
    block = body.select_one("div.highlight").get_text()
    assert "docker ps --format 'table {{.Names}}\\t{{.Status}}'" in block
    assert any(code.get_text() == "{{.Names}}" for code in body.find_all("code"))
    assert body.find(id="restart-loop").get_text(strip=True).startswith("When a container keeps restarting")


@pytest.mark.build
def test_the_standard_command_for_the_natural_numbers_typesets(run):
    _, body = _page(run, "/field-notes/natural-numbers/")
    formula = body.find("math")
    assert formula is not None and "ℕ" in formula.get_text()
    assert "\\" not in body.get_text() and "$" not in body.get_text()
