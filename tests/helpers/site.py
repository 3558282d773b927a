"""The site's sources and real builds: the project folder, copies to break, `mkdocs build` and `impart` runs, dated."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

PROJECT = Path(__file__).resolve().parents[2]


SITE_PARTS = ("mkdocs.yml", "docs", "overrides", "hooks")


def epoch(day: str) -> str:
    """SOURCE_DATE_EPOCH for noon UTC of an ISO day."""
    return str(int(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()))


# Builds are dated, so placeholders' promises are judged on a fixed day, not on the day the suite runs.
BUILD_DAY = "2026-11-27"


def run_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["SOURCE_DATE_EPOCH"] = epoch(BUILD_DAY)
    env.update(extra)
    return env


def mkdocs_build(config: Path, site_dir: Path, *, strict: bool = True, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config), "--site-dir", str(site_dir)]
    if strict:
        command.append("--strict")
    return subprocess.run(command, capture_output=True, text=True, env=run_env(**env), timeout=300)


def impart(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "impart", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=run_env(**env), timeout=120)


def copy_site(destination: Path) -> Path:
    """A copy of the site's sources to change freely; returns its folder."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in SITE_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy2(source, destination / part)
    return destination


def built_with_notes(folder: Path, *notes: Path) -> tuple[Path, Path]:
    """The site's sources copied into folder/project with the given notes added, built strictly into
    folder/site; returns both folders. A failed build fails the test with the build's own lines."""
    project = copy_site(folder / "project")
    for note in notes:
        shutil.copy2(note, project / "docs/field-notes/posts" / note.name)
    result = mkdocs_build(project / "mkdocs.yml", folder / "site")
    assert result.returncode == 0, result.stderr
    return project, folder / "site"


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


class BuiltSite:
    def __init__(self, root: Path, log: str):
        self.root = root
        self.log = log

    def path(self, url: str) -> Path:
        target = self.root / url.strip("/")
        return target / "index.html" if not url.endswith(".html") else target

    def html(self, url: str) -> BeautifulSoup:
        return BeautifulSoup(self.path(url).read_text(encoding="utf-8"), "html.parser")

    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))


ARTIFACTS = PROJECT / "artifacts"


CORPUS = PROJECT / "tests/fixtures/authoring"


def corpus_project(folder: Path) -> Path:
    """A copy of the site with the corpus's notes and images among the real notes."""
    project = copy_site(folder)
    posts = project / "docs/field-notes/posts"
    for item in CORPUS.iterdir():
        if item.is_dir():
            shutil.copytree(item, posts / item.name)
        else:
            shutil.copy2(item, posts / item.name)
    return project
