"""A file name as a clean web address: lower case, words joined by hyphens, nothing to escape. The poor-address
warning (addresses.py) and the slug message (field_notes.py) both name the file to rename a note to."""

from __future__ import annotations

import posixpath
import re

_SEPARATORS = re.compile(r"[\s_]+")
_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def kebab_case(name: str) -> str:
    """`My Note_v2.md` as `my-note-v2.md`: lower case, words joined by hyphens, nothing to escape."""
    stem, extension = posixpath.splitext(name)
    words = _UNSAFE.sub("-", _SEPARATORS.sub("-", stem.strip().lower()))
    return re.sub(r"-{2,}", "-", words).strip("-") + extension.lower()
