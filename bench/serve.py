"""The live preview: seconds from saving one note to its rebuilt page in `mkdocs serve`, listings included.

    .venv/bin/python bench/serve.py [--notes 300,1000] [--saves 2] [--max-seconds 900]

For each note count it generates the notes (bench/build.py's generator) into a
temporary copy of the site, starts `mkdocs serve` on 127.0.0.1, waits for the
first build, then saves one note with a new title and a new word in its body
and polls until both the note's page shows the word and the field-notes
listing page that holds the note shows the new title. It prints the seconds
from the save to each. A benchmark: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import blog_settings, generate_notes, make_ours  # noqa: E402
from machine import free_port  # noqa: E402

PER_PAGE = 5


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return ""


def wait_until(check, deadline: float, step: float = 0.1) -> float | None:
    began = time.monotonic()
    while time.monotonic() < deadline:
        if check():
            return time.monotonic() - began
        time.sleep(step)
    return None


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from /proc: a figure load on the machine barely moves."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    count: int, saves: int, stop_at: float, extra_env: dict[str, str] | None = None, quiet: bool = False
) -> list[tuple[float | None, float | None, float]]:
    work = Path(tempfile.mkdtemp(prefix=f"impart-serve-{count}-"))
    notes = generate_notes(count)
    blog_dir, _ = blog_settings()
    config = make_ours(work / "project", blog_dir, notes)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(extra_env or {}))
    server = subprocess.Popen(  # from the project's folder, where an editor runs it
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=config.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    results = []
    try:
        if wait_until(lambda: "impart-summary" in fetch(base + "/field-notes/"), stop_at, 0.5) is None:
            return results
        # The newest note sits on the first listing page; it stays there when its title changes.
        newest = max(range(count), key=lambda i: notes[i].text.split("date: ", 1)[1][:10])
        source = work / "project/docs" / blog_dir / "posts" / f"{notes[newest].stem}.md"
        note_url = f"{base}/field-notes/{notes[newest].stem}/"
        for save in range(saves):
            marker = f"Zqxsave{save}word"
            text = source.read_text(encoding="utf-8")
            title_line = next(line for line in text.splitlines() if line.startswith("title:"))
            text = text.replace(title_line, f"title: Saved {marker}", 1) + f"\n\nA new sentence with {marker}.\n"
            saved, cpu_before = time.monotonic(), cpu_seconds(server.pid)
            source.write_text(text, encoding="utf-8")
            page = wait_until(lambda m=marker: m in fetch(note_url), stop_at)
            listing = wait_until(lambda m=marker: f"Saved {m}" in fetch(base + "/field-notes/"), stop_at)
            total = time.monotonic() - saved
            cpu = cpu_seconds(server.pid) - cpu_before
            results.append((page, total if listing is not None else None, cpu))
            if not quiet:
                print(f"  {count} notes, save {save + 1}: note page after {page and round(page, 2)} s, "
                      f"listing after {round(total, 2)} s")  # fmt: skip
            time.sleep(1)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", default="300,1000")
    parser.add_argument("--saves", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args()
    stop_at = time.monotonic() + args.max_seconds
    print(f"mkdocs serve, save to rebuilt page; {dt.date.today()}, {os.cpu_count()} cores")
    for count in (int(n) for n in args.notes.split(",")):
        results = measure(count, args.saves, stop_at)
        shown = sorted(total for _, total, _ in results if total is not None)
        if shown:
            print(f"  {count} notes: median {statistics.median(shown):.2f} s, worst {shown[-1]:.2f} s "
                  f"from save to note page and listing, over {len(shown)} saves")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
