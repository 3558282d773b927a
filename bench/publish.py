"""Publishing a large site under readers: failed requests while `impart publish` builds and switches.

A benchmark, not a test: it prints figures and never fails on them.

    .venv/bin/python bench/publish.py [--notes 1000] [--max-seconds 1200]

Generates N field notes (as bench/build.py does) into a copy of the site, publishes it once, starts
`impart serve` on the `site` link, and then, while a poller thread asks for pages in turn (the home
page, lists, categories, archive, notes, a feed, a stylesheet, a missing page; every kind from the
first release), changes one note and publishes again. It prints the requests made during the
second publish, how many got another answer than the first release gave (the target is 0), how
long the publish took, and whether the changed note was served after it.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import blog_settings, generate_notes, make_ours, venv_python  # noqa: E402

MARKER = "A sentence the second release adds."
POLL_LIMIT = 1_000_000  # requests, whatever the clock says


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_of(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def sample_paths(release: Path, count: int = 60) -> list[str]:
    pages = sorted(p.relative_to(release).parent.as_posix() for p in release.rglob("index.html"))
    step = max(1, len(pages) // count)
    paths = ["/" if page == "." else f"/{page}/" for page in pages[::step]]
    return [*paths, "/feed_rss_created.xml", "/assets/stylesheets/impart.css", "/no-such-page/"]


def publish(project: Path, env: dict, seconds: float) -> tuple[int, float, str]:
    started = time.perf_counter()
    done = subprocess.run([venv_python(), "-m", "impart", "publish"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=seconds)  # fmt: skip
    return done.returncode, time.perf_counter() - started, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=1200)
    args = parser.parse_args()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1795780800"}
    blog_dir, _ = blog_settings()
    notes = generate_notes(args.notes)
    with tempfile.TemporaryDirectory(prefix="impart-publish-") as folder:
        project = make_ours(Path(folder) / "ours", blog_dir, notes).parent
        code, first_seconds, errors = publish(project, env, args.max_seconds / 2)
        if code != 0:
            raise SystemExit(f"the first publish failed:\n{errors}")
        paths = sample_paths((project / "site").resolve())
        port = free_port()
        command = [venv_python(), "-m", "impart", "serve", "--site", "site", "--proposals", "proposals",
                   "--port", str(port)]  # fmt: skip
        server = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while status_of(port, "/") != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            expected = {path: status_of(port, path) for path in paths}
            note = next((project / "docs" / blog_dir / "posts").glob("*.md"))
            note.write_text(note.read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8")
            stop, tally = threading.Event(), {"requests": 0, "wrong": 0}

            def poll() -> None:
                end = time.monotonic() + args.max_seconds
                while not stop.is_set() and tally["requests"] < POLL_LIMIT and time.monotonic() < end:
                    for path in paths:
                        tally["requests"] += 1
                        tally["wrong"] += status_of(port, path) != expected[path]

            poller = threading.Thread(target=poll, daemon=True)
            poller.start()
            code, seconds, errors = publish(project, env, args.max_seconds / 2)
            time.sleep(1)
            stop.set()
            poller.join(timeout=30)
            served = MARKER in urllib.request.urlopen(
                f"http://127.0.0.1:{port}/{blog_dir}/{note.stem}/", timeout=10
            ).read().decode("utf-8")
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{args.notes} notes; first publish {first_seconds:.1f} s; second publish {seconds:.1f} s (exit {code})")
    print(f"during the second publish: {tally['requests']} requests over {len(paths)} paths, {tally['wrong']} wrong")
    print(f"the changed note served after the switch: {'yes' if served else 'no'}")


if __name__ == "__main__":
    main()
