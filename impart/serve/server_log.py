"""The server's log, written by one thread per process.

A request thread only hands its record to a queue (logging's QueueHandler); a
writer thread (QueueListener) formats it and writes it to stderr. Writing in
the request thread meant holding the handler's lock across a write() that
gives up the GIL, so under load the other request threads queued behind it.
Threads do not survive fork(), so each worker process starts its own writer.
"""

from __future__ import annotations

import contextlib
import logging
import queue
from collections.abc import Iterator
from logging.handlers import QueueHandler, QueueListener

FORMAT = "%(asctime)s %(name)s %(message)s"


@contextlib.contextmanager
def logging_to_stderr(level: int = logging.INFO) -> Iterator[None]:
    """Route the root logger through a queue to stderr for as long as the block runs; flushed at the end."""
    writer = logging.StreamHandler()
    writer.setFormatter(logging.Formatter(FORMAT))
    records: queue.SimpleQueue = queue.SimpleQueue()
    handler = QueueHandler(records)
    root = logging.getLogger()
    previous = root.level
    root.setLevel(level)
    root.addHandler(handler)
    listener = QueueListener(records, writer)
    listener.start()
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        listener.stop()  # writes what is still queued
