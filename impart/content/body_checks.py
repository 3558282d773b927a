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
from urllib.parse import urlsplit

from impart.content.anchors import GENERATED, page_anchors
from impart.content.field_notes import Problem
from impart.content.references import local_target, references

IMAGE_WARN_BYTES = 500 * 1024
# Elements that make the reader's browser fetch something: from another host, a request to a third party.
EMBEDDED = {"image", "iframe", "script", "stylesheet", "video", "audio", "source", "embed", "object"}


def _nearest(target: str, pages: list[str]) -> str | None:
    """The page whose name is closest (a typo, a wrong folder), else whose whole path is very close."""
    by_name: dict[str, list[str]] = {}
    for page in pages:
        by_name.setdefault(posixpath.basename(page), []).append(page)
    names = difflib.get_close_matches(posixpath.basename(target), list(by_name), n=1, cutoff=0.6)
    if names:
        return difflib.get_close_matches(target, by_name[names[0]], n=1, cutoff=0.0)[0]
    close = difflib.get_close_matches(target, pages, n=1, cutoff=0.8)
    return close[0] if close else None


def _same_name(target: str, known: Collection[str]) -> str | None:
    """The one file under docs/ with the missing file's name (a path written from the page's address rather
    than from the note's file, or a wrong folder); None when there is none or more than one."""
    name = posixpath.basename(target)
    found = [path for path in known if posixpath.basename(path) == name]
    return found[0] if len(found) == 1 else None


def _remote_fix(kind: str, url: str, folder: str) -> str:
    if kind in ("iframe", "embed", "object"):
        return f"link to it instead, e.g. [Watch it on its own site]({url})"
    if kind in ("script", "stylesheet"):
        return "remove it: pages load scripts and stylesheets only from the site itself (overrides/assets/)"
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
                        f"reader's browser; {_remote_fix(ref.kind, ref.url, posixpath.dirname(where))}",
                        line=ref.line,
                    )
                )
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
            fix = (
                f"the file is at docs/{found}: write it as {_as_written_from(page, found)}, relative to this file"
                if found
                else "save the file there or fix the path"
            )
            problems.append(
                Problem(
                    where,
                    "body",
                    f"the {ref.kind} {ref.url} is not in docs/ (looked for docs/{target}); {fix}",
                    line=ref.line,
                )
            )
            continue
        if pages is None:
            pages = sorted(path for path in known if path.endswith(".md"))
        nearest = _nearest(target, pages) if target.endswith(".md") else None
        hint = (
            f"did you mean {nearest}? link it as {_as_written_from(page, nearest)}"
            if nearest
            else "fix the path, or remove the link"
        )
        problems.append(
            Problem(where, "body", f"the link {ref.url} goes to no page (docs/{target}); {hint}", line=ref.line)
        )
    return problems


def docs_files(docs_dir: Path) -> set[str]:
    """Every file MkDocs would take from docs/, as its src_uri: dot-files and dot-folders left out."""
    return {
        path.relative_to(docs_dir).as_posix()
        for path in docs_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(docs_dir).parts)
    }
