"""Run a waitress server in several processes that share one listening socket (Linux).

The proposals folder, its dedupe records and the rate limit are shared through
files and locks, so any worker may take any request. Workers die with the
parent (PR_SET_PDEATHSIG), and the parent stops them on SIGTERM or SIGINT.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def die_with_parent() -> None:
    """This forked process gets SIGTERM when its parent dies (Linux), so no worker outlives `impart serve`."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's signal handler still stops the workers


def serve_in_workers(serve: Callable[[socket.socket], None], sock: socket.socket, workers: int) -> None:
    """Call `serve(sock)` in `workers` processes (this one included) until stopped."""
    children: list[int] = []
    for _ in range(workers - 1):
        pid = os.fork()
        if pid == 0:
            die_with_parent()
            # SIGTERM ends the worker through SystemExit, so that its `finally` blocks run (its log is flushed).
            signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
            try:
                serve(sock)
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum, _frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    serve(sock)
