"""The signed webhook: the stored proposal POSTed as JSON, signed the way Stripe signs its events.

`Impart-Signature: t=UNIX_SECONDS,v1=HEX`, HEX the lower-case HMAC-SHA256 of
`"{t}.{delivery}.{body}"` with the shared secret, and `Impart-Delivery: REF`
(the same on every attempt, so a receiver can drop a repeat). The delivery id
is inside what is signed: a captured request replayed with another id fails
the check instead of passing a receiver that dedupes on it. A 2xx within 10 s is
delivered; anything else (another status, a redirect, a timeout, a refused
connection) raises DeliveryError and is retried by the outbox.
tests/intake/test_notify_delivery.py checks the signature on a real receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

TIMEOUT = 10.0
SIGNATURE = "Impart-Signature"
DELIVERY = "Impart-Delivery"


class DeliveryError(Exception):
    """One attempt failed; the message (no secret, no personal data) is kept as the entry's last error."""


class ConnectionWentStale(DeliveryError):
    """A kept-alive connection had been closed by the receiver before this request was sent."""


def body_of(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(secret: bytes, timestamp: int, delivery: str, body: bytes) -> str:
    signed = f"{timestamp}.{delivery}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret, signed, hashlib.sha256).hexdigest()}"


def verify(
    secret: bytes, header: str, delivery: str, body: bytes, *, now: float | None = None, tolerance: float = 300
) -> bool:
    """What a receiver does with the Impart-Signature and Impart-Delivery headers and the raw body: True when
    the v1 HMAC over t, the delivery id and the body matches and t is within `tolerance` seconds of now.
    Whatever a sender puts in the headers (non-ASCII, no t, a t that is no number) is False, never an error."""
    parts = dict(item.split("=", 1) for item in str(header).split(",") if "=" in item)
    given = parts.get("t", "")
    if not (given.isascii() and given.isdigit()):  # int() would also take "١٢" or " 12"
        return False
    timestamp = int(given)
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, str(delivery), body).encode()
    # compare_digest takes str only when it is ASCII, so both sides go as bytes.
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}".encode("utf-8", "replace"))


def connect(url: str, *, timeout: float = TIMEOUT) -> http.client.HTTPConnection:
    """A connection to the webhook's host, to be used for one or more `post`s (kept alive between them)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=context)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def post(url: str, secret: bytes, record: dict, *, connection: http.client.HTTPConnection | None = None) -> int:
    """POST the record, signed; returns the 2xx status, or raises DeliveryError.

    With `connection`, the caller keeps it open for the next post and closes it; without, one is made here.
    """
    body = body_of(record)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    own = connection is None
    connection = connect(url) if own else connection
    headers = {
        "Content-Type": "application/json",
        SIGNATURE: signature(secret, int(time.time()), record["reference"], body),
        DELIVERY: record["reference"],
        "User-Agent": "impart-notify",
    }
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        status = response.status
    except (BrokenPipeError, http.client.RemoteDisconnected) as error:
        connection.close()
        stale = ConnectionWentStale if not own else DeliveryError
        raise stale(f"webhook {parts.hostname}: {error.__class__.__name__}: {error}") from None
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise DeliveryError(f"webhook {parts.hostname}: {error.__class__.__name__}: {error}") from None
    finally:
        if own:
            connection.close()
    if not 200 <= status < 300:
        raise DeliveryError(f"webhook {parts.hostname}: answered {status}; a 2xx is needed")
    return status
