"""The proposal handler through werkzeug's test client: request bodies, posts, references, what was stored."""

from __future__ import annotations

import os
from urllib.parse import urlencode

from bs4 import BeautifulSoup

from impart.intake.storage import REFERENCE
from tests.helpers.form import valid_submission
from tests.helpers.site import files_under

ENDPOINT = "/request-a-proposal/"
THANKS = "/request-a-proposal/thanks/"


URLENCODED = "application/x-www-form-urlencoded"


ORIGIN = {"Origin": "http://localhost"}  # the test client's own origin


JSON_ORIGIN = {**ORIGIN, "Accept": "application/json"}


def expected_fields(submitted: dict[str, str]) -> dict:
    """What the store keeps of a valid submission: every defined field but the honeypot, consent as a boolean."""
    kept = {k: v for k, v in submitted.items() if k not in ("website", "from")}
    kept["consent"] = submitted.get("consent") == "yes"
    return kept


def urlencoded(fields: dict[str, str] | list[tuple[str, str]]) -> bytes:
    return urlencode(list(fields.items()) if isinstance(fields, dict) else fields).encode("ascii")


def multipart(pairs, files=(), boundary: str = "impart-test-boundary") -> tuple[str, bytes]:
    """A multipart body as browsers send it: text parts, and optionally file parts (name, filename, bytes)."""
    parts = []
    for name, value in pairs:
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + data + b"\r\n")
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def stored(folder) -> dict[str, bytes]:
    """Every file under the proposals folder (quarantine included), but not the handler's internal .state/."""
    files = {}
    for path in files_under(folder):
        relative = path.relative_to(folder)
        if relative.parts[0] != ".state":
            files[relative.as_posix()] = path.read_bytes()
    return files


def reference_from(response) -> str:
    location = response.headers["Location"]
    assert location.startswith(f"{THANKS}?ref="), location
    reference = location.split("?ref=", 1)[1]
    assert REFERENCE.match(reference), reference
    return reference


def post(client, fields=None, *, body: bytes | None = None, content_type: str = URLENCODED, headers=None, **kw):
    data = urlencoded(fields if fields is not None else valid_submission()) if body is None else body
    return client.post(
        ENDPOINT, data=data, content_type=content_type, headers=ORIGIN if headers is None else headers, **kw
    )


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


class StorageOs:
    """`os` as impart.intake.storage sees it, with some calls replaced; everything else is the real module."""

    def __init__(self, **replaced):
        self._replaced = replaced

    def __getattr__(self, name):
        return self._replaced[name] if name in self._replaced else getattr(os, name)


def fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail
