"""Is a request for us, and is a POST from the site itself?

The handler's own origins come from configuration (`site_url`, `impart serve
--origin`, the preview's address), never from the request: a page reached
through DNS rebinding sends `Host: evil.example` and a matching `Origin`, so an
origin built from `Host` would vouch for it. `serves_host` refuses any `Host`
that is not one of the configured origins'.

`is_allowed_origin` follows Fetch Metadata, as Go's CrossOriginProtection does:
when the browser sends `Sec-Fetch-Site`, `same-origin` and `none` pass and any
other value passes only for an origin explicitly allowed with --allow-origin;
without it, `Origin`, then `Referer`, must name one of our origins; nothing said
means no. Proved by tests/intake/test_intake_origin.py and tests/intake/test_intake_hosts.py.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def normalise_origin(origin: str) -> str:
    """An origin as compared: lower case, no trailing slash."""
    return origin.lower().rstrip("/")


def hosts_of(origins: Iterable[str]) -> frozenset[str]:
    """The `Host` values that address these origins: `host:port`, and `host` alone on the scheme's default port."""
    hosts = set()
    for origin in origins:
        parts = urlsplit(normalise_origin(origin))
        if not parts.hostname:
            continue
        name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        hosts.add(f"{name}:{port}")
        if port == _DEFAULT_PORTS.get(parts.scheme):
            hosts.add(name)
    return frozenset(hosts)


def serves_host(host: str, served: frozenset[str]) -> bool:
    """True when the request's `Host` names one of our own origins (host names compare without case)."""
    return host.lower().rstrip(".") in served or host.lower() in served


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _machine_addresses() -> list[str]:
    """This machine's name and addresses, as another device on the network reaches it (a phone on the LAN)."""
    name = socket.gethostname()
    addresses = [name]
    with contextlib.suppress(OSError):
        addresses += sorted({info[4][0] for info in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)})
    return addresses


def address_origins(host: str, port: int) -> tuple[str, ...]:
    """The origins by which a browser reaches a listener by its address: the address itself, the loopback
    names when it listens on loopback, and the machine's own name and addresses when it listens on all.

    No page elsewhere can make a browser send one of these as `Host` (DNS rebinding sends the
    attacker's own name), so they are safe to serve beside the configured origin.
    """
    loopback = tuple(_origin(name, port) for name in LOOPBACK)
    if host in LOOPBACK:
        return loopback
    if host in ANY_ADDRESS:
        return loopback + tuple(_origin(address, port) for address in _machine_addresses())
    return (_origin(host, port),)


def is_allowed_origin(headers: Mapping[str, str], own: Iterable[str], allowed: Iterable[str] = ()) -> bool:
    """True when the request's browser says it came from one of our own origins or an allowed one.

    Origins are compared exactly (scheme, host and port), never by prefix.
    """
    allowed = {normalise_origin(a) for a in allowed}
    trusted = {normalise_origin(o) for o in own} | allowed
    origin = headers.get("Origin")
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return True  # the browser itself says so, and `Host` was checked against our origins
        # same-site or cross-site: only a page on an origin the operator allowed by name.
        return bool(origin) and origin != "null" and normalise_origin(origin) in allowed
    if origin and origin != "null":
        return normalise_origin(origin) in trusted
    referer = headers.get("Referer")
    if referer:
        return origin_of(referer) in trusted
    return False
