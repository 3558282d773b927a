"""The site's field notes read from docs/: their front matter, publication dates and built URLs."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers.site import PROJECT

POSTS = sorted((PROJECT / "docs/field-notes/posts").glob("*.md"))


def front_matter(path: Path) -> tuple[dict, str]:
    _, meta, body = path.read_text(encoding="utf-8").split("---", 2)
    return yaml.safe_load(meta), body


def published(meta: dict):
    date = meta["date"]
    return date["created"] if isinstance(date, dict) else date


def note_url(path: Path) -> str:
    return f"/field-notes/{path.stem}/"
