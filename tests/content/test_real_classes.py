"""What an editor met when posts written for other Material blogs were pasted in, and which the site already
handles right: each note in tests/fixtures/real-classes/ reproduces one such class in our own words.

The pasted notes are checked as they come, every suggestion `impart check` prints is then applied exactly as
written (a file saved where it says, a line removed, a key dropped, a value quoted, a file renamed), and the
site must then pass check and the strict build, and show each page as a reader should see it. The notes that
were already right are built alongside and read with a parser and in Chromium.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, copy_site, files_under, impart, mkdocs_build

FIXTURES = PROJECT / "tests/fixtures/real-classes"
POSTS = "docs/field-notes/posts"

# The smallest well-formed PNG: a 1x1 image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)

# A standfirst of our own for a note that came without one.
STANDFIRST = "A note brought over from another blog, its front matter adapted only as the check asked."

# What check says of the pasted notes, before anything is mended: (file, line or None, the words that matter).
EXPECTED = [
    ("Headline Twice.md", None, "makes a poor web address (spaces become %20, capitals are mistyped); "
     "rename it field-notes/posts/headline-twice.md"),
    ("Headline Twice.md", 9, "remove this '# ' line"),
    ("colon-in-standfirst.md", 3, "a value with ': ' in it goes in quotes"),
    ("images-from-elsewhere.md", 11, "(looked for docs/field-notes/assets/images/rhythm.png); save the file there"),
    ("images-from-elsewhere.md", 15, "(looked for docs/assets/images/blog/stage.png); save the file there"),
    ("pasted-keys.md", None, "'description' is missing; write the standfirst, 50 to 300 characters"),
    ("pasted-keys.md", 4, "'authors' names 'visiting-writer', who is not in docs/field-notes/.authors.yml; "
     "use one of: impart"),
    ("pasted-keys.md", 6, "'categories' lists 2 categories; a note has exactly one, e.g. categories: [Field notes]"),
    ("pasted-keys.md", 9, "'tags' is not used on this site"),
    ("pasted-keys.md", 11, "'slug' is not used on this site"),
    ("pasted-keys.md", 12, "'pin' is not used on this site"),
    ("pasted-keys.md", 13, "'comments' is not used on this site"),
    ("pasted-keys.md", 14, "'links' is not used on this site"),
]  # fmt: skip

_MESSAGE = re.compile(r"^(?:error|warning): (?P<file>docs/[^:]+?\.md)(?::(?P<line>\d+))?: (?P<text>.+)$")


def _messages(output: str) -> list[tuple[str, int | None, str]]:
    found = []
    for line in output.splitlines():
        match = _MESSAGE.match(line)
        if match:
            line_number = int(match["line"]) if match["line"] else None
            found.append((Path(match["file"]).name, line_number, match["text"]))
    return found


def _drop_key(lines: list[str], number: int) -> None:
    """Remove the front-matter key on line `number` (from 1) and the indented lines that belong to it."""
    start = number - 1
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t", "- ")) and lines[end].strip():
        end += 1
    del lines[start:end]


def apply_advice(project: Path, messages: list[tuple[str, int | None, str]]) -> list[str]:
    """Do what each message says, literally; return what was done, one line each, for a failure to show."""
    done = []
    by_file: dict[str, list[tuple[int | None, str]]] = {}
    for name, number, text in messages:
        by_file.setdefault(name, []).append((number, text))
    for name, found in by_file.items():
        path = project / POSTS / name
        lines = path.read_text(encoding="utf-8").split("\n")
        rename = None
        # Line-numbered edits from the bottom up, so that each number still points at its line.
        for number, text in sorted(found, key=lambda item: -(item[0] or 0)):
            if saved := re.search(r"\(looked for (?P<where>[^)]+)\); save the file there", text):
                target = project / saved["where"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(PNG)
                done.append(f"saved {saved['where']}")
            elif "is not used on this site" in text:
                _drop_key(lines, number)
                done.append(f"{name}:{number}: dropped the key")
            elif "remove this '# ' line" in text:
                del lines[number - 1]
                done.append(f"{name}:{number}: removed the '# ' line")
            elif "goes in quotes" in text:
                key, value = lines[number - 1].split(": ", 1)
                lines[number - 1] = f'{key}: "{value}"'
                done.append(f"{name}:{number}: quoted the value")
            elif author := re.search(r"'authors' names '(?P<old>[^']+)'.*; use one of: (?P<new>[\w-]+)", text):
                lines = [line.replace(author["old"], author["new"]) for line in lines]
                done.append(f"{name}: author {author['old']} -> {author['new']}")
            elif example := re.search(r"a note has exactly one, e\.g\. (?P<line>categories: \[[^\]]+\])", text):
                _drop_key(lines, number)
                lines.insert(number - 1, example["line"])
                done.append(f"{name}:{number}: {example['line']}")
            elif "'description' is missing" in text:
                lines.insert(2, f"description: {STANDFIRST}")
                done.append(f"{name}: wrote a standfirst")
            elif renamed := re.search(r"rename it (?P<path>field-notes/posts/\S+\.md)$", text):
                rename = project / "docs" / renamed["path"]
                done.append(f"{name}: renamed to {renamed['path']}")
            else:
                raise AssertionError(f"no literal way to follow: {name}:{number}: {text}")
        path.write_text("\n".join(lines), encoding="utf-8")
        if rename is not None:
            path.rename(rename)
    return done


@pytest.fixture(scope="module")
def mended(tmp_path_factory):
    """The site with the fixtures pasted in: check's first answer, what following it did, the second answer and
    the strict build of the result."""
    folder = tmp_path_factory.mktemp("real-classes")
    project = copy_site(folder / "project")
    for note in FIXTURES.glob("*.md"):
        shutil.copy2(note, project / POSTS / note.name)
    (project / POSTS / "board.png").write_bytes(PNG)  # the picture borrowed-attributes.md shows
    before = {path: path.read_bytes() for path in files_under(project)}
    first = impart("check", cwd=project)
    after_first = {path: path.read_bytes() for path in files_under(project)}
    done = apply_advice(project, _messages(first.stdout))
    second = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", folder / "site")
    return {
        "project": project, "site": folder / "site", "first": first, "second": second, "build": build,
        "done": done, "unchanged_by_check": before == after_first,
    }  # fmt: skip


def _page(mended, address: str) -> BeautifulSoup:
    path = mended["site"] / address.strip("/") / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.build
def test_the_pasted_notes_are_refused_each_with_the_fix_and_check_writes_nothing(mended):
    first = mended["first"]
    assert first.returncode == 1
    messages = _messages(first.stdout)
    for name, number, words in EXPECTED:
        assert any(m[0] == name and m[1] == number and words in m[2] for m in messages), (name, number, words)
    assert len(messages) == len(EXPECTED), first.stdout  # the notes that were right are not spoken of
    assert mended["unchanged_by_check"]


@pytest.mark.build
def test_following_every_message_literally_gives_a_site_that_passes_check_and_the_strict_build(mended):
    assert mended["second"].returncode == 0, "\n".join(mended["done"]) + "\n" + mended["second"].stdout
    assert "no problems" in mended["second"].stdout
    assert mended["build"].returncode == 0, mended["build"].stderr


@pytest.mark.build
def test_the_mended_notes_read_right(mended):
    twice = _page(mended, "field-notes/headline-twice/")
    assert [h1.get_text(strip=True) for h1 in twice.find_all("h1")] == ["Headline twice"]

    colon = _page(mended, "field-notes/colon-in-standfirst/")
    assert "Four numbers: what the review measures" in colon.select_one(".impart-note__standfirst, main").get_text()

    pasted = _page(mended, "field-notes/pasted-keys/")
    time = pasted.select_one("main time[datetime]")
    assert (time["datetime"], time.get_text(strip=True)) == ("2026-04-17", "17 April 2026")  # a date with a time
    assert STANDFIRST in pasted.get_text()

    pictures = _page(mended, "field-notes/images-from-elsewhere/")
    sources = [img["src"] for img in pictures.select("main img")]
    assert len(sources) == 2
    for src in sources:
        path = unquote(urlsplit(urljoin("/field-notes/images-from-elsewhere/", src)).path).lstrip("/")
        assert (mended["site"] / path).is_file(), src


@pytest.mark.build
def test_attribute_lists_in_the_older_style_apply_and_leave_no_braces(mended):
    page = _page(mended, "field-notes/borrowed-attributes/")
    body = page.select_one("main article") or page.select_one("main")
    assert "{:" not in body.get_text() and "loading=lazy" not in body.get_text()
    runbook = body.find("a", string="operations repository")
    checklist = body.find("a", string="beside it")
    assert runbook["target"] == "_blank"
    assert (checklist["target"], checklist["rel"]) == ("_blank", ["noopener"])
    assert body.find("img", alt="The review board drawn as three columns")["loading"] == "lazy"
    cells = body.select("table tbody tr td ul")
    assert [len(cell.find_all("li")) for cell in cells] == [1, 2, 1, 0]
    titled = [notice.select_one(".admonition-title") for notice in body.select(".admonition")]
    assert titled[0] is None  # the empty title: the body alone
    assert titled[1].get_text(strip=True) == "Aside"


@pytest.fixture(scope="module")
def base(mended, tmp_path_factory):
    port = free_port()
    proposals = tmp_path_factory.mktemp("real-classes-proposals")
    config = mended["project"] / "mkdocs.yml"
    with running(serve_command(mended["site"], proposals, port, config=config), port):
        yield f"http://127.0.0.1:{port}"


ANNOTATED = "/field-notes/annotated-under-paragraph/"


@pytest.mark.build
def test_a_fence_right_under_a_sentence_still_gets_its_annotation(browser, base):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + ANNOTATED, wait_until="load")
    page.mouse.move(200, 300)  # the bundle waits for the reader's first move
    code = page.locator("div.highlight").filter(has_text="deploy --canary").first
    marker = code.locator(".md-annotation")
    marker.first.wait_for(timeout=5000)
    assert marker.count() == 1
    assert "(1)" not in code.inner_text()
    marker.first.click()
    tip = code.locator(".md-annotation .md-tooltip").first
    tip.wait_for(state="visible", timeout=5000)
    assert "first hour only" in tip.inner_text()
    page.close()


@pytest.mark.build
def test_without_the_script_the_note_of_that_fence_reads_under_it(browser, base):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + ANNOTATED, wait_until="load")
    code = page.locator("div.highlight").filter(has_text="deploy --canary").first
    note = page.get_by_text("Five per cent of traffic, for the first hour only.")
    assert note.is_visible()
    assert note.bounding_box()["y"] > code.bounding_box()["y"] + code.bounding_box()["height"] - 1
    context.close()
