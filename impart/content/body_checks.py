"""The checks of a page's body that the build and `impart check` share: links to missing pages (naming the
nearest page), missing images, images over 500 KB, and images, frames, scripts or stylesheets from another host.

One line each, `file:line: what is wrong; what to do`. hooks/note_metadata.py logs them in `mkdocs build`
(strict fails on each) and `impart check` prints them; tests/content/test_body_checks.py proves both say the same.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Collection
from pathlib import Path
from urllib.parse import unquote, urlsplit

from impart.content.anchors import GENERATED, page_anchors
from impart.content.field_notes import Problem
from impart.content.references import links_to_file, local_target, references

IMAGE_WARN_BYTES = 500 * 1024
# Elements that make the reader's browser fetch something: from another host, a request to a third party.
EMBEDDED = {"image", "iframe", "script", "stylesheet", "video", "audio", "source", "embed", "object"}


# How alike two file names must be (difflib's ratio, on the names without their folder and extension) for one to
# be offered as the other: a typo or a plural, not another note that shares a few letters.
CLOSE_NAME = 0.8


def _stem(path: str) -> str:
    """A page's name: its file's, or for a folder's index, the folder's (an index's own name says nothing)."""
    if posixpath.basename(path) == "index.md":
        return posixpath.basename(posixpath.dirname(path))
    return posixpath.splitext(posixpath.basename(path))[0]


def _nearest(target: str, pages: list[str], page: str) -> str | None:
    """The page whose name is close to the missing one's (a typo, a wrong folder); never the page that links,
    nor a folder's index for a file, nor a file for a folder's index. None when no name is close."""
    wants_index = posixpath.basename(target) == "index.md"
    candidates = [path for path in pages if path != page and (posixpath.basename(path) == "index.md") == wants_index]
    by_stem: dict[str, list[str]] = {}
    for path in candidates:
        by_stem.setdefault(_stem(path), []).append(path)
    names = difflib.get_close_matches(_stem(target), list(by_stem), n=1, cutoff=CLOSE_NAME)
    if not names:
        return None
    return difflib.get_close_matches(target, by_stem[names[0]], n=1, cutoff=0.0)[0]


def _where_to_look(target: str, pages: list[str], page: str) -> str:
    """Where the pages are, for a link whose name is close to none: the closest few in the folder it points into,
    else the folders that hold pages."""
    folder = posixpath.dirname(target)
    beside = [path for path in pages if posixpath.dirname(path) == folder and path != page]
    if beside and not target.startswith(".."):
        names = {posixpath.basename(path): path for path in beside}
        closest = difflib.get_close_matches(posixpath.basename(target), list(names), n=5, cutoff=0.0)
        more = f" and {len(beside) - len(closest)} more" if len(beside) > len(closest) else ""
        shown = f"docs/{folder}/" if folder else "docs/"
        return f"no page there has a close name; the pages in {shown} include {', '.join(closest)}{more}"
    folders = sorted({posixpath.dirname(path) for path in pages})
    listed = ", ".join(f"docs/{name}/" if name else "docs/" for name in folders[:5])
    return f"no folder docs/{folder}/ holds pages; pages are in {listed}" if folder else f"pages are in {listed}"


def _same_name(target: str, known: Collection[str]) -> str | None:
    """The one file under docs/ with the missing file's name (a path written from the page's address rather
    than from the note's file, or a wrong folder); None when there is none or more than one."""
    name = posixpath.basename(target)
    found = [path for path in known if posixpath.basename(path) == name]
    return found[0] if len(found) == 1 else None


def remote_fix(kind: str, url: str, folder: str) -> str:
    """What to do about something fetched from another host. A link is written in HTML, which reads the same in a
    paragraph and inside an HTML element (where Markdown is not read)."""
    if kind in ("iframe", "embed", "object"):
        return f'replace the element with a link to it, <a href="{url}">Watch it on its own site</a>'
    if kind == "script":
        shown = url.removesuffix(".js") if urlsplit(url).netloc == "gist.github.com" else url
        return f'replace the script with a link to what it shows, <a href="{shown}">See it on its own site</a>'
    if kind == "stylesheet":
        return "remove it: pages load stylesheets only from the site itself (overrides/assets/)"
    return f"save it under {folder}/ and refer to it by its relative path"


def _as_written_from(page: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def check_body(
    page: str,
    text: str,
    where: str,
    known: Collection[str],
    docs_dir: Path,
    first_line: int = 1,
    drafts: Collection[str] = (),
) -> list[Problem]:
    """Every problem in one page's Markdown. `page` is its path under docs/ (as MkDocs' src_uri), `where` the
    path an editor sees, `known` every file under docs/ (as src_uri), `first_line` the body's first line,
    `drafts` the notes with `draft: true` (previewed, never built)."""
    problems = []
    pages = anchors = None
    for ref in references(text, first_line):
        if "{{" in ref.url or "{%" in ref.url:
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the {ref.kind} {ref.url} is a template placeholder, which a Markdown page leaves as written; "
                    "write the address itself",
                    line=ref.line,
                )
            )
            continue
        parts = urlsplit(ref.url)
        if ref.kind == "link" and not parts.path and parts.fragment and not (parts.scheme or parts.netloc):
            anchor = parts.fragment
            if anchors is None:
                anchors = page_anchors(text, first_line)
            if anchor not in anchors and not anchor.startswith(GENERATED):
                nearest = difflib.get_close_matches(anchor, sorted(anchors), n=1, cutoff=0.6)
                hint = f"did you mean #{nearest[0]}?" if nearest else "link a heading of this page, or remove it"
                problems.append(
                    Problem(
                        where,
                        "body",
                        f"the link {ref.url} goes to nothing on this page (no heading or id '{anchor}'); {hint}",
                        "warning",
                        line=ref.line,
                    )
                )
            continue
        if parts.scheme in ("http", "https") or ref.url.startswith("//"):
            if ref.kind in EMBEDDED:
                noun = "image" if ref.kind == "image" else ref.kind
                problems.append(
                    Problem(
                        where,
                        "body",
                        f"the {noun} {ref.url} is fetched from another host, which the site never asks of a "
                        f"reader's browser; {remote_fix(ref.kind, ref.url, posixpath.dirname(where))}",
                        line=ref.line,
                    )
                )
            continue
        if ref.kind == "link" and _from_site_root(parts.path) and parts.path.endswith(".md"):
            if pages is None:
                pages = sorted(path for path in known if path.endswith(".md"))
            problems.append(Problem(where, "body", _site_root_link(ref.url, page, pages), line=ref.line))
            continue
        target = local_target(page, ref.url)
        if target is None or parts.path.endswith("/"):
            continue  # mailto:, an anchor on this page, a site path or a folder's address: not a file to find
        if target in known:
            if target in drafts and page not in drafts:
                problems.append(
                    Problem(
                        where,
                        "body",
                        f"the link {ref.url} goes to a draft (draft: true), which make build leaves out; "
                        "link it once that note is published",
                        "warning",
                        line=ref.line,
                    )
                )
            if ref.kind == "image":
                size = (docs_dir / target).stat().st_size
                if size > IMAGE_WARN_BYTES:
                    problems.append(
                        Problem(
                            where,
                            "body",
                            f"the image {ref.url} is {size / 1024:,.0f} KB; "
                            f"resize or compress it to under {IMAGE_WARN_BYTES // 1024} KB",
                            "warning",
                            line=ref.line,
                        )
                    )
            continue
        if ref.kind != "link":
            found = _same_name(target, known)
            if found:
                fix = f"the file is at docs/{found}: write it as {_as_written_from(page, found)}, relative to this file"
            elif target.startswith(".."):
                name = posixpath.basename(target)
                beside = posixpath.join(posixpath.dirname(page), "images", name)
                fix = (
                    "the path leads outside docs/, which the site does not publish; copy the file to "
                    f"docs/{beside} and write it as {_as_written_from(page, beside)}"
                )
            else:
                fix = "save the file there or fix the path"
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the {ref.kind} {ref.url} is not in docs/ (looked for docs/{target}); {fix}",
                    line=ref.line,
                )
            )
            continue
        if links_to_file(ref.url) and not target.startswith(".."):
            found = _same_name(target, known)
            fix = (
                f"the file is at docs/{found}: write it as {_as_written_from(page, found)}, relative to this file"
                if found
                else "save the file there or fix the path"
            )
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the link {ref.url} goes to no file (looked for docs/{target}); {fix}",
                    line=ref.line,
                )
            )
            continue
        if pages is None:
            pages = sorted(path for path in known if path.endswith(".md"))
        problems.append(
            Problem(
                where,
                "body",
                f"the link {ref.url} goes to no page (docs/{target}); {_missing_page_hint(target, pages, page)}",
                line=ref.line,
            )
        )
    return problems


def _from_site_root(path: str) -> bool:
    return path.startswith("/") and not path.startswith("//")


def _missing_page_hint(target: str, pages: list[str], page: str) -> str:
    """What to do about a link to a page that is not there: the close name, else where the pages are."""
    nearest = _nearest(target, pages, page) if target.endswith(".md") else None
    if nearest:
        return f"did you mean {nearest}? link it as {_as_written_from(page, nearest)}"
    if target.startswith(".."):
        return (
            "the path leads outside docs/, which the site does not publish; link a page under docs/, or remove the link"
        )
    if target.endswith(".md"):
        return f"{_where_to_look(target, pages, page)}; fix the path, or remove the link"
    return "fix the path, or remove the link"


def _site_root_link(url: str, page: str, pages: list[str]) -> str:
    """A link to a page's file from the site's root (`/meet/index.md`, as MkDocs' `absolute_links: relative_to_docs`
    sites write them): MkDocs leaves it as written, and the site serves no `.md` file there, so it 404s. Written
    relative to the note's file it becomes the page's address (raw HTML's too: impart.content.raw_html_paths)."""
    parts = urlsplit(url)
    target = posixpath.normpath(unquote(parts.path).lstrip("/"))
    if target in pages:
        written = _as_written_from(page, target) + (f"#{parts.fragment}" if parts.fragment else "")
        return (
            f"the link {url} is written from the site's root, which the site leaves as written and serves no page "
            f"at; link it as {written}, relative to this file"
        )
    return f"the link {url} goes to no page (docs/{target}); {_missing_page_hint(target, pages, page)}"


def docs_files(docs_dir: Path) -> set[str]:
    """Every file MkDocs would take from docs/, as its src_uri: dot-files and dot-folders left out."""
    return {
        path.relative_to(docs_dir).as_posix()
        for path in docs_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(docs_dir).parts)
    }
