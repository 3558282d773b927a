"""Read and parse a form submission's body, refusing anything unexpected.

At most `limit + 1` bytes are read, whether the body has a Content-Length or
is chunked. URL-encoded and multipart bodies are accepted; file parts, invalid
UTF-8, a field given twice and unknown fields are refused.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import get_input_stream

MAX_FIELDS = 100
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def read_body(environ: dict, limit: int) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    if length and length.isdigit() and int(length) > limit:
        raise RequestEntityTooLarge(f"The form is larger than {limit // 1024} KiB; shorten your answers.")
    stream = get_input_stream(environ, safe_fallback=True, max_content_length=None)
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise RequestEntityTooLarge(f"The form is larger than {limit // 1024} KiB; shorten your answers.")
    return b"".join(chunks)


def _urlencoded(body: bytes) -> list[tuple[str, str]]:
    if not body.isascii():
        raise BadRequest("The form data is not URL-encoded; send it as the page's form does.")
    try:
        pairs = parse_qsl(
            body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(body),
            encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS,
        )  # fmt: skip
    except UnicodeDecodeError:
        raise BadRequest("The form data is not valid UTF-8 text.") from None
    except ValueError:
        raise BadRequest("The form data is malformed; send it as the page's form does.") from None
    return pairs


def _multipart(body: bytes, boundary: str) -> list[tuple[str, str]]:
    try:
        decoder = MultipartDecoder(boundary.encode("latin-1"), max_form_memory_size=len(body) + 1)
    except UnicodeEncodeError:
        raise BadRequest("The form data is malformed: the multipart boundary is not plain text.") from None
    pairs, name, parts = [], None, []
    try:
        decoder.receive_data(body)
        decoder.receive_data(None)
        while True:
            event = decoder.next_event()
            if isinstance(event, NeedData | Epilogue):
                break
            if isinstance(event, File):
                raise BadRequest("The form does not accept files; send text answers only.")
            if isinstance(event, Field):
                if not event.name:
                    raise BadRequest("The form data is malformed: a part has no field name.")
                name, parts = event.name, []
            elif isinstance(event, Data):
                parts.append(event.data)
                if not event.more_data:
                    pairs.append((name, b"".join(parts).decode("utf-8")))
                    if len(pairs) > MAX_FIELDS:
                        raise BadRequest("The form has too many fields.")
    except UnicodeDecodeError:
        raise BadRequest("The form data is not valid UTF-8 text.") from None
    except ValueError:
        raise BadRequest("The form data is malformed; send it as the page's form does.") from None
    if not isinstance(event, Epilogue):
        raise BadRequest("The form data is incomplete; send it again.")
    return pairs


def parse_form_body(environ: dict, limit: int, known: set[str]) -> dict[str, str]:
    """The submitted fields by name; raises werkzeug HTTP exceptions for anything refused."""
    mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
    mimetype = mimetype.lower()  # media types compare without case (RFC 9110, 8.3.1)
    if mimetype not in (URLENCODED, MULTIPART):
        raise UnsupportedMediaType("Send the form as application/x-www-form-urlencoded or multipart/form-data.")
    if mimetype == MULTIPART and not options.get("boundary"):
        raise BadRequest("The form data is malformed: the multipart boundary is missing.")
    body = read_body(environ, limit)
    pairs = _urlencoded(body) if mimetype == URLENCODED else _multipart(body, options["boundary"])
    fields: dict[str, str] = {}
    unknown: list[str] = []
    for name, value in pairs:
        if name in fields:
            raise BadRequest(f"The field '{name[:40]}' was sent twice; send each answer once.")
        if name not in known:
            unknown.append(name)
            continue
        fields[name] = value
    if unknown:
        raise UnknownFields(fields, unknown)
    return fields


class UnknownFields(BadRequest):
    """Fields this form does not have (it changed since the page was opened): refused, answers kept to show again."""

    def __init__(self, known: dict[str, str], names: list[str]):
        super().__init__(f"The field '{names[0][:40]}' is not part of this form; reload the page and send it again.")
        self.known = known
