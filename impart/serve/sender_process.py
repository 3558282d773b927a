"""The sending process of `impart serve`: one per server, run on idle CPU only, so sending never slows intake.

Under `impart serve` the outbox is sent not from a thread in each serving process
but from one child forked before the workers, scheduled SCHED_IDLE (niceness 19
where Linux's idle class is missing): the kernel gives the request threads the
CPU first (and no request thread waits on a sender for Python's GIL), and
notifications go out as soon as there is CPU to spare (an idle-class task still
gets a sliver of a busy CPU, so it is slowed, never stopped). bench/intake.py
measures throughput and p99 with notifications on beside off. Serving processes
wake it through a pipe (a byte written, never blocking); it ends with its parent
(PR_SET_PDEATHSIG), or when every serving process has closed the pipe.
tests/intake/test_notify_end_to_end.py runs it through `kill -9` and two workers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import time
from collections.abc import Callable

from impart.intake.notifier import GATHER_SECONDS, Notifications
from impart.serve.prefork import die_with_parent

log = logging.getLogger("impart.notify")

NICENESS = 19


def _yield_to_intake() -> None:
    """Run only on CPU the serving processes leave: SCHED_IDLE where Linux has it, else the lowest niceness."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(NICENESS)


def _drain(fd: int) -> bool:
    """Read every wake waiting; False when the pipe is closed at the other end (every server is gone)."""
    while True:
        try:
            if not os.read(fd, 4096):
                return False
        except BlockingIOError:
            return True


def start_sender_process(
    notifications: Notifications, setup: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
) -> int | None:
    """Fork the sending process (before any thread or worker exists) and route this process's wakes to it;
    returns its pid, or None when no channel is set. `setup` runs around its work in the child (its log)."""
    if not notifications.settings.channels:
        return None
    read_fd, write_fd = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    pid = os.fork()
    if pid:
        os.close(read_fd)
        notifications._wake_fd = write_fd
        return pid
    code = 0
    try:
        os.close(write_fd)
        die_with_parent()  # not Linux: the pipe's end still stops it
        _yield_to_intake()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C stops the server, which stops this process

        def woken(timeout: float) -> bool | None:
            ready, _, _ = select.select([read_fd], [], [], timeout)
            if ready:
                time.sleep(GATHER_SECONDS)
                if not _drain(read_fd):
                    return None
            return bool(ready)

        with setup():
            notifications.serve_outbox(woken)
    except BaseException:  # noqa: BLE001 - the child must never return into the server's code
        log.exception("the sending process stopped")
        code = 1
    finally:
        os._exit(code)
