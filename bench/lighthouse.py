"""Lighthouse (mobile) scores and bytes transferred for a note, the front page and the intake page on `impart serve`.

    (cd bench/lighthouse && npm ci --ignore-scripts) && .venv/bin/python bench/lighthouse.py [PAGE ...]

PAGE is any of note, home, intake, toolkit (all four when none is named).

The site is a copy of the project with the authoring corpus (tests/fixtures/authoring) among its notes, so
the third page measured is a note using highlighted code, tabs, footnotes, task lists and images.

A benchmark, not a test: it prints the four category scores (performance,
accessibility, best practices, SEO) and the total byte weight of each page.
Lighthouse is pinned in bench/lighthouse/package.json and drives the machine's
Chromium (CHROME_PATH, default /usr/bin/chromium). Only 127.0.0.1 is used.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "bench/lighthouse/node_modules/.bin/lighthouse"
PAGES = {
    "note": "/field-notes/pilot-to-production/",
    "home": "/",
    "intake": "/request-a-proposal/",
    "toolkit": "/field-notes/toolkit-tour/",
}
CORPUS = ROOT / "tests/fixtures/authoring"
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
FLAGS += " --disable-sync --no-first-run"


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(PAGES))
    if unknown:
        print(f"no page named {unknown[0]}; name any of {', '.join(PAGES)}", file=sys.stderr)
        return 2
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} is missing: run (cd bench/lighthouse && npm ci --ignore-scripts)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="impart-lighthouse-"))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CHROME_PATH=chrome)
    site = work / "site"
    project = work / "project"
    project.mkdir()
    for part in ("mkdocs.yml", "docs", "overrides", "hooks"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, project / part)
    shutil.copytree(CORPUS, project / "docs/field-notes/posts", dirs_exist_ok=True)
    config = project / "mkdocs.yml"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                   check=True, env=env)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "impart", "--config", str(config), "serve", "--site", str(site),
         "--proposals", str(work / "proposals"), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"Lighthouse (mobile) on impart serve, {dt.date.today()}, {os.cpu_count()} cores, Chromium {chrome}")
        print(f"{'page':8} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5} {'bytes':>8}")
        for name, path in PAGES.items():
            if names and name not in names:
                continue
            report = work / f"{name}.json"
            subprocess.run(
                [str(LIGHTHOUSE), f"http://127.0.0.1:{port}{path}", "--quiet", "--output=json",
                 f"--output-path={report}", "--form-factor=mobile", f"--chrome-flags={FLAGS}",
                 "--only-categories=performance,accessibility,best-practices,seo"],
                env=env, check=True, timeout=300,
            )  # fmt: skip
            result = json.loads(report.read_text())
            scores = [round(result["categories"][c]["score"] * 100) for c in
                      ("performance", "accessibility", "best-practices", "seo")]  # fmt: skip
            weight = int(result["audits"]["total-byte-weight"]["numericValue"])
            print(f"{name:8} " + " ".join(f"{s:5d}" for s in scores) + f" {weight:8d}")
            for category in result["categories"].values():
                for ref in category["auditRefs"]:
                    audit = result["audits"][ref["id"]]
                    if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                        print(f"         below 100: {category['id']} / {ref['id']} {audit.get('displayValue', '')}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
