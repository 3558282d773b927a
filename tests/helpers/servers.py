"""Server processes on loopback ports for one test: `impart serve` command lines, free ports, start and stop."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers.site import PROJECT, run_env


def serve_command(site: Path, proposals: Path, port: int, *options: str, config: Path | None = None) -> list[str]:
    """`impart serve` of a built site on a loopback port, with any further options."""
    return [
        sys.executable, "-m", "impart", "--config", str(config or PROJECT / "mkdocs.yml"), "serve",
        "--site", str(site), "--proposals", str(proposals), "--port", str(port), *options,
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.02)
    raise AssertionError(f"nothing answered on 127.0.0.1:{port} within {seconds}s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running(command: list[str], port: int, cwd: Path | None = None, *, log: Path | None = None, seconds: float = 20):
    """A server process for the length of a test, always stopped afterwards.

    Its output goes to `log` (a temporary file when none is given); if nothing answers on `port` within `seconds`,
    the failure shows that output.
    """
    with log.open("w+b") if log is not None else tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=cwd, env=run_env(), stdout=output, stderr=subprocess.STDOUT)
        try:
            try:
                wait_for_port(port, process, seconds)
            except AssertionError as error:
                _stop(process)  # stopped first, so that reading the output does not race its writes
                output.seek(0)
                shown = output.read().decode("utf-8", errors="replace")
                raise AssertionError(f"{error}; the server wrote:\n{shown}") from None
            yield process
        finally:
            _stop(process)
