"""The third look at real posts from other Material blogs: what the second run found green yet broken on the page,
each kept as a note in our own words under tests/fixtures/real-classes/round3/.

Links to pages written from the site's root (`/meet/index.md`), a raw link and a frame to files the site lacks
(from its root or beside the note), a percentage width in a Markdown image's attribute list, a `/// caption` block,
`--8<--` snippet lines and an `{% include %}` in fences, and a code block title holding HTML. Check names each one
with its line and fix; every fix is then followed exactly as written; the site passes check and the strict build,
and each page shows what was meant: the links and the frame reach their files, the picture keeps the size read from
its file, the caption is a <figcaption>, no borrowed syntax is left as text.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.helpers.page_checks import vnu_errors
from tests.helpers.site import PROJECT, copy_site, files_under, impart, mkdocs_build

FIXTURES = PROJECT / "tests/fixtures/real-classes/round3"
POSTS = "docs/field-notes/posts"
WHERE = re.compile(r"^(?:error|warning): (?P<file>docs/[^:]+?\.md):(?P<line>\d+): (?P<text>.+)$")

# What a person pastes where a message says "paste the text of X in its place".
PASTED = {
    "checklists/handover.md": "Name the operator, write the cost line, agree the rollback path.",
    "scripts/drain.sh": "queuectl drain --wait 300",
    "./settings.yaml": "replicas: 2",
    "pages/draining.html": "<p>Draining: new requests wait a moment.</p>",
}

EXPECTED = {
    ("files-from-the-site-root.md", 11,
     "the link /assets/clips/queue-drain.mp4 goes to no file of the built site; save the file as "
     f"{POSTS}/files/queue-drain.mp4 and write it as files/queue-drain.mp4"),
    ("files-from-the-site-root.md", 15,
     "the iframe /assets/frames/handover-steps.html goes to no file of the built site; save the file as "
     f"{POSTS}/files/handover-steps.html and write it as files/handover-steps.html"),
    ("files-from-the-site-root.md", 17,
     f"the link handout.pdf goes to no file (looked for {POSTS}/handout.pdf); save the file there or fix the path"),
    ("links-from-the-site-root.md", 10,
     "the link /request-a-proposal.md is written from the site's root, which the site leaves as written and serves "
     "no page at; link it as ../../request-a-proposal.md, relative to this file"),
    ("links-from-the-site-root.md", 12,
     "the link /field-notes/index.md#latest is written from the site's root, which the site leaves as written and "
     "serves no page at; link it as ../index.md#latest, relative to this file"),
    ("links-from-the-site-root.md", 14,
     "the link /runbooks/handover.md goes to no page (docs/runbooks/handover.md); no folder docs/runbooks/ holds "
     "pages; pages are in docs/, docs/field-notes/, docs/field-notes/posts/, docs/request-a-proposal/; fix the path, "
     "or remove the link"),
    ("links-from-the-site-root.md", 16,
     "the link /request-a-proposal.md#privacy is written from the site's root, which the site leaves as written and "
     "serves no page at; link it as ../../request-a-proposal.md#privacy, relative to this file"),
    ("percentage-width.md", 11,
     "the image's width=100% is not a number of pixels, which HTML asks of width, and it takes the place of the "
     'size read from the file; write style="width: 100%" in its place'),
    ("unread-syntax.md", 12,
     "the block '/// caption' shows as written (this site does not read /// blocks); to give a picture a caption, "
     'write in place of the picture and the /// lines: <figure markdown="span">, the picture\'s line, '
     "<figcaption>the caption's text</figcaption>, </figure>, each on a line of its own"),
    ("unread-syntax.md", 18,
     'the line --8<-- "checklists/handover.md" asks for another file; this site does not include other files, so '
     "the line shows as written; paste the text of checklists/handover.md in its place"),
    ("unread-syntax.md", 22,
     "the code block's title holds HTML (<a href='https://example.org/drain.sh'>drain.sh</a>), which shows as "
     'written; write title="drain.sh" and link the file in the sentence above the block'),
    ("unread-syntax.md", 24,
     'the line --8<-- "scripts/drain.sh" asks for another file; this site does not include other files, so the '
     "line shows as written; paste the text of scripts/drain.sh in its place"),
    ("unread-syntax.md", 30,
     'the line {% include "./settings.yaml" %} asks for another file; this site does not include other files, so '
     "the line shows as written; paste the text of ./settings.yaml in its place"),
    ("unread-syntax.md", 36,
     'the lines --8<-- pages/draining.html ask for other files; this site does not include other files, so the '
     "lines show as written; paste the text of pages/draining.html in their place"),
}  # fmt: skip


def _messages(output: str) -> list[tuple[str, int, str]]:
    return [(m["file"], int(m["line"]), m["text"]) for line in output.splitlines() if (m := WHERE.match(line))]


def _follow(project: Path, file: str, number: int, text: str) -> str:
    """Do what one message says, literally, on the line it names; return what was done."""
    note = project / file
    lines = note.read_text(encoding="utf-8").split("\n")
    line = lines[number - 1]
    if fix := re.match(r"the link (\S+) is written from the site's root.*; link it as (\S+), relative", text):
        lines[number - 1] = line.replace(f"]({fix[1]})", f"]({fix[2]})").replace(f'"{fix[1]}"', f'"{fix[2]}"')
    elif fix := re.match(r"the link (\S+) goes to no page .*; fix the path, or remove the link$", text):
        lines[number - 1] = re.sub(rf"\[([^\]]*)\]\({re.escape(fix[1])}\)", r"\1", line)  # the words kept
    elif fix := re.match(r"the \w+ (\S+) goes to no file of the built site; save the file as (\S+) and write it as "
                         r"(\S+)$", text):  # fmt: skip
        (project / fix[2]).parent.mkdir(parents=True, exist_ok=True)
        (project / fix[2]).write_text("<!doctype html><title>stand-in</title>" if fix[2].endswith(".html") else "x")
        lines[number - 1] = line.replace(fix[1], fix[3])
    elif fix := re.search(r"\(looked for (\S+)\); save the file there", text):
        (project / fix[1]).write_bytes(b"%PDF-1.4 stand-in")
    elif fix := re.search(r"image's (\S+) is not a number of pixels.*; write (style=\"[^\"]+\") in its place", text):
        lines[number - 1] = line.replace(fix[1], fix[2])
    elif text.startswith("the block '/// caption'"):
        picture = max(i for i in range(number - 1) if lines[i].strip())
        end = next(i for i in range(number, len(lines)) if lines[i].strip() == "///")
        caption = " ".join(part.strip() for part in lines[number:end])
        figure = ['<figure markdown="span">', lines[picture], f"<figcaption>{caption}</figcaption>", "</figure>"]
        lines[picture : end + 1] = figure
    elif fix := re.search(r"; paste the text of (\S+) in its place$", text):
        lines[number - 1] = PASTED[fix[1]]
    elif fix := re.search(r"^the lines .*; paste the text of (.+) in their place$", text):
        names = fix[1].split(" and ")
        lines[number - 1 : number + len(names)] = [PASTED[name] for name in names]
    elif fix := re.search(r"title holds HTML \((.+)\), which shows as written; write (title=\"[^\"]+\")", text):
        lines[number - 1] = re.sub(r"title=\"[^\"]*\"", fix[2], line)
    else:
        raise AssertionError(f"no literal way to follow: {file}:{number}: {text}")
    note.write_text("\n".join(lines), encoding="utf-8")
    return f"{file}:{number}"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real-classes-round3")
    project = copy_site(folder / "project")
    for note in FIXTURES.glob("*.md"):
        shutil.copy2(note, project / POSTS / note.name)
    (project / POSTS / "images").mkdir(exist_ok=True)
    shutil.copy2(PROJECT / "tests/fixtures/authoring/images/handoff.png", project / POSTS / "images/stations.png")
    before = {path: path.read_bytes() for path in files_under(project)}
    first = impart("check", cwd=project)
    unchanged = before == {path: path.read_bytes() for path in files_under(project)}
    # Bottom-up within a file, so a fix that changes the number of lines leaves the lines above where they were.
    done = [_follow(project, *message) for message in sorted(_messages(first.stdout), key=lambda m: (m[0], -m[1]))]
    second = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", folder / "site")
    return {"site": folder / "site", "first": first, "second": second, "build": build, "done": done,
            "unchanged": unchanged}  # fmt: skip


def _body(run, address: str) -> BeautifulSoup:
    html = (run["site"] / address.strip("/") / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("main article")


def _reaches(run, address: str, href: str) -> Path | None:
    """The built site's file an address on the page at `address` fetches (a folder's index.html), or None."""
    path = run["site"] / unquote(urlsplit(urljoin(address, href)).path).lstrip("/")
    path = path / "index.html" if path.is_dir() else path
    return path if path.is_file() else None


@pytest.mark.build
def test_check_names_each_class_with_its_line_and_fix_and_writes_nothing(run):
    first = run["first"]
    assert first.returncode == 1, first.stdout
    said = {(Path(file).name, number, text) for file, number, text in _messages(first.stdout)}
    assert said == EXPECTED, "\n".join(sorted(map(str, said ^ EXPECTED)))
    assert run["unchanged"]


@pytest.mark.build
def test_every_fix_followed_as_written_passes_check_and_the_strict_build(run):
    assert len(run["done"]) == len(EXPECTED)
    assert run["second"].returncode == 0, run["second"].stdout
    assert "no problems" in run["second"].stdout
    assert run["build"].returncode == 0, run["build"].stderr


@pytest.mark.build
def test_links_from_the_site_root_reach_their_pages_once_written_as_told(run):
    address = "/field-notes/links-from-the-site-root/"
    body = _body(run, address)
    proposal = body.find("a", string="the proposal form")
    archive = body.find("a", string="the field notes page")
    assert _reaches(run, address, proposal["href"]) == run["site"] / "request-a-proposal/index.html"
    assert archive["href"].endswith("#latest") and _reaches(run, address, archive["href"]) == (
        run["site"] / "field-notes/index.html"
    )
    answers = body.find("a", string="How we keep your answers")  # raw HTML: its relative path is rewritten too
    assert answers["href"].endswith("#privacy") and _reaches(run, address, answers["href"]) == (
        run["site"] / "request-a-proposal/index.html"
    )
    assert body.find("a", string="the runbook") is None and "the runbook" in body.get_text()
    assert not [a["href"] for a in body.find_all("a", href=True) if urlsplit(a["href"]).path.endswith(".md")]


@pytest.mark.build
def test_the_clip_the_frame_and_the_handout_reach_their_files(run):
    address = "/field-notes/files-from-the-site-root/"
    body = _body(run, address)
    clip = body.find("a", class_="lightbox")
    handout = body.find("a", string="here as a PDF")
    frame = body.find("iframe")
    assert _reaches(run, address, clip["href"]).read_text() == "x"
    assert _reaches(run, address, handout["href"]).read_bytes().startswith(b"%PDF")
    assert "stand-in" in _reaches(run, address, frame["src"]).read_text()


@pytest.mark.build
def test_the_picture_keeps_its_size_from_the_file_and_takes_the_column_by_style(run):
    image = _body(run, "/field-notes/percentage-width/").find("img", alt="The operator's morning dashboard")
    assert image["width"].isdigit() and image["height"].isdigit(), image
    assert image["style"] == "width: 100%" and "framed" in image["class"]


@pytest.mark.build
def test_borrowed_syntax_is_gone_and_the_caption_is_a_figure_caption(run):
    body = _body(run, "/field-notes/unread-syntax/")
    figure = body.find("figure")
    assert figure.find("img", alt="Four stations in a circle") is not None
    assert figure.find("figcaption").get_text(strip=True) == "The hand-over, read clockwise from the pilot team."
    text = body.get_text()
    assert "///" not in text and "--8<--" not in text and "8<" not in text and "{%" not in text
    assert PASTED["scripts/drain.sh"] in text and PASTED["./settings.yaml"] in text
    assert PASTED["pages/draining.html"] in text and "pages/draining.html" not in text
    title = body.select_one(".highlight .filename")
    assert title is not None and title.get_text(strip=True) == "drain.sh", title


@pytest.mark.html_checker
def test_the_mended_pages_are_valid_html(run):
    pages = [run["site"] / "field-notes" / note.stem / "index.html" for note in sorted(FIXTURES.glob("*.md"))]
    assert vnu_errors(*pages) == []
