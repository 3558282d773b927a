"""Whether a request's path, as the client sent it, climbs: `.` or `..` segments, or an encoded slash.

A proxy in front (nginx) picks its location by the normalised path but hands the handler the path as it
was sent, so `/inbox/../request-a-proposal/` passes nginx as the public form (open to everyone, over
plain HTTP) and would reach the inbox behind the handler's prefix. No page of the site has such a path,
so the handler refuses them all before routing anything (tests/inbox/test_inbox_nginx.py).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_ENCODED_SEPARATOR = re.compile(r"%(?:2f|5c)", re.IGNORECASE)  # / and \, which nginx decodes before matching
_ABSOLUTE_FORM = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://[^/]*")  # `POST http://host/path HTTP/1.1`


def _has_dot_segment(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.replace("\\", "/").split("/"))


def climbs(environ: dict) -> bool:
    """True when the path as sent (RAW_URI, REQUEST_URI) or as decoded (PATH_INFO) has a `.` or `..`
    segment, or the path as sent has an encoded slash or backslash."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    raw = _ABSOLUTE_FORM.sub("", raw.partition("?")[0].partition("#")[0])
    if _ENCODED_SEPARATOR.search(raw):
        return True
    return any(_has_dot_segment(path) for path in (raw, unquote(raw), environ.get("PATH_INFO", "")))
