"""Is a POST from the site itself? Sec-Fetch-Site, then Origin, then Referer; none of them: no."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def normalise_origin(origin: str) -> str:
    """An origin as compared: lower case, no trailing slash."""
    return origin.lower().rstrip("/")


def is_allowed_origin(headers: Mapping[str, str], own_origin: str, allowed: Iterable[str] = ()) -> bool:
    """True when the request's browser says it came from our own origin or an allowed one.

    Origins are compared exactly (scheme, host and port), never by prefix.
    """
    trusted = {normalise_origin(own_origin)} | {normalise_origin(a) for a in allowed}
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site == "same-origin":
        return True
    origin = headers.get("Origin")
    if origin and origin != "null":
        return normalise_origin(origin) in trusted
    if fetch_site in ("cross-site", "same-site", "none"):
        return False  # a browser that says where the request came from, but not from us
    referer = headers.get("Referer")
    if referer:
        return origin_of(referer) in trusted
    return False
