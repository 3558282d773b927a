"""A page's address comes from its file's path under docs/ (a note's from its file name: post_url_format), so a
space (which becomes %20) or a capital (an address a reader cannot say or type reliably) makes a poor one. Such a
path is a warning with the kebab-case name that gives a clean address."""

from __future__ import annotations

import re

from impart.content.field_notes import Problem
from impart.content.file_names import kebab_case

_CLEAN = re.compile(r"\A[a-z0-9][a-z0-9._-]*\Z")


def poor_address(src_uri: str, where: str) -> list[Problem]:
    """A warning when a part of the page's path under docs/ has a space, a capital or a character to escape."""
    parts = src_uri.split("/")
    if all(_CLEAN.match(part) for part in parts):
        return []
    better = "/".join(part if _CLEAN.match(part) else kebab_case(part) for part in parts)
    return [
        Problem(
            where,
            "",
            f"the path {src_uri} makes a poor web address (spaces become %20, capitals are mistyped); "
            f"rename it {better}",
            "warning",
        )
    ]
