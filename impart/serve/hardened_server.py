"""waitress, fit to face the internet without a proxy in front.

- A per-request deadline: a request must arrive whole (headers and body) within
  `request_timeout` seconds of its first byte, and a new connection must begin
  one within the same time; otherwise the connection is closed. waitress's own
  `channel_timeout` fires only on silence, so a client trickling one byte every
  few seconds held its connection, and enough of them held every connection.
- A connection limit above what a trickle of clients can fill before the
  deadline frees their slots, within the process's file descriptors (the soft
  limit is raised toward the hard one; the limit is lowered, with a warning,
  when even that is too few).
- Connections waiting to be accepted are taken in batches: waitress took one
  per pass of its loop, and each pass looks at every open connection, so a
  thousand queued behind a flood made the next visitor wait for a second.
- A request with both `Content-Length` and `Transfer-Encoding` is refused with
  400 and its connection closed (RFC 9112, 6.1): a proxy in front may have read
  its body by the other framing (request smuggling). waitress read it as chunked.

It reaches into waitress's server and channel (its accept, maintenance, request parser and
channel lists) as they are in the releases in `VERIFIED_WAITRESS` (impart/speed/registry.py lists
them with the rest of what impart replaces); on any other release `serve` says so in one warning
line. Before moving the pin, run the two tests below on the new release, then add it here.

Proved by tests/serve/test_serve_slow_clients.py (1,000 trickling connections; /healthz
and a submission answered within 2 s; the tricklers closed at the deadline) and
tests/serve/test_serve_framing.py.
"""

from __future__ import annotations

import logging
import resource
import time
import types
from importlib import metadata

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import BaseWSGIServer, create_server

log = logging.getLogger("impart.serve")

VERIFIED_WAITRESS = ("3.0.2",)  # the releases whose internals the classes below were read and tested on

IDLE_TIMEOUT = 30  # seconds a kept-alive connection may stay silent between requests
SPARE_DESCRIPTORS = 64  # for the listening sockets, the proposals' files, the log, the workers' pipes
ACCEPT_BATCH = 64  # connections accepted in one pass of the main loop, at most


class _DeadlineParser(HTTPRequestParser):
    """waitress's request parser, which notes when the request began and refuses two framings."""

    def __init__(self, adj):
        super().__init__(adj)
        self.began = time.monotonic()

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        # HTTP/1.1 has its Transfer-Encoding taken out (and the body read as chunked); HTTP/1.0 keeps it.
        if "CONTENT_LENGTH" in self.headers and (self.chunked or "TRANSFER_ENCODING" in self.headers):
            raise ParsingError("Content-Length and Transfer-Encoding together; send one of them")


class _DeadlineChannel(HTTPChannel):
    parser_class = _DeadlineParser

    def __init__(self, *args, **kwargs):
        self.opened = time.monotonic()
        self.began_any = False
        super().__init__(*args, **kwargs)

    def received(self, data):
        self.began_any = self.began_any or bool(data)
        return super().received(data)

    def waiting_since(self) -> float | None:
        """Since when this connection has been sending a request that is not whole yet, or None."""
        if self.requests:
            return None  # a request is being answered: the deadline is for reading only
        if self.request is not None:
            return self.request.began
        return None if self.began_any else self.opened


def _maintenance_with_deadline(server, now: float, *, waitress_maintenance, request_timeout: float) -> None:
    waitress_maintenance(now)  # closes silent connections (channel_timeout)
    cutoff = time.monotonic() - request_timeout
    for channel in list(server.active_channels.values()):
        since = channel.waiting_since()
        if since is not None and since < cutoff:
            channel.will_close = True  # closed by the main loop on its next pass


def _accept_in_batches(server, *, waitress_accept) -> None:
    for _ in range(ACCEPT_BATCH):
        before = len(server._map)
        if before >= server.adj.connection_limit:
            return
        waitress_accept()
        if len(server._map) == before:
            return  # nobody else waiting (or the accept failed, and waitress logged it)


def descriptors_for(connection_limit: int, threads: int) -> int:
    """Raise this process's soft limit on open files toward what `connection_limit` needs; the limit that fits."""
    needed = connection_limit + threads + SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft != resource.RLIM_INFINITY and soft < needed:
        fitting = max(1, soft - threads - SPARE_DESCRIPTORS)
        log.warning(
            "--connection-limit %d needs %d open files and this process may open %d: using %d connections; "
            "raise the limit (ulimit -n, or LimitNOFILE= in the systemd unit)",
            connection_limit,
            needed,
            soft,
            fitting,
        )
        return fitting
    return connection_limit


def unverified_waitress() -> str | None:
    """One line saying the installed waitress is not a release this module was verified on, or None."""
    installed = metadata.version("waitress")
    if installed in VERIFIED_WAITRESS:
        return None
    return (
        f"waitress {installed} is not a release impart/serve/hardened_server.py was verified on "
        f"({', '.join(VERIFIED_WAITRESS)}): the request deadline and the framing check may not hold; "
        "run tests/serve/test_serve_slow_clients.py and tests/serve/test_serve_framing.py, "
        "then add it to VERIFIED_WAITRESS"
    )


def serve(app, *, request_timeout: float, connection_limit: int, **options) -> None:
    """waitress.serve, with the deadline, the framing check and the descriptors above."""
    if warning := unverified_waitress():
        log.warning(warning)
    options.setdefault("channel_timeout", IDLE_TIMEOUT)
    options["connection_limit"] = descriptors_for(connection_limit, options.get("threads", 4))
    options["cleanup_interval"] = 1  # seconds between checks of the deadlines (waitress: 30)
    server = create_server(app, **options)
    listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for listener in [each for each in listeners if isinstance(each, BaseWSGIServer)]:
        listener.channel_class = _DeadlineChannel
        listener.handle_accept = types.MethodType(
            lambda self, original=listener.handle_accept: _accept_in_batches(self, waitress_accept=original), listener
        )
        listener.maintenance = types.MethodType(
            lambda self, now, original=listener.maintenance: _maintenance_with_deadline(
                self, now, waitress_maintenance=original, request_timeout=request_timeout
            ),
            listener,
        )
    server.print_listen("Serving on http://{}:{}")
    server.run()
