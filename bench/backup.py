"""Backup and restore of a proposals folder: `impart proposals backup`/`restore` beside GNU tar, side by side.

    .venv/bin/python bench/backup.py [--proposals 5000] [--runs 3]

Makes a folder as a busy server leaves it (each proposal owing a mail and a
webhook, half of them sent, a dedupe record each), then times, alternately,
our backup (the consistent read under the senders' claims, the manifest's
SHA-256 of every file) against `tar -czf` of the same folder, and our restore
(every member checked before a byte is written) against `tar -xzf`. Prints
the medians, the ratios and the archive sizes. Local files only; every loop is
bounded by count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from machine import cpu_model  # noqa: E402

from impart.intake.backup import write_backup  # noqa: E402
from impart.intake.restore import read_backup, restore  # noqa: E402
from impart.intake.storage import new_reference  # noqa: E402


def make_folder(root: Path, count: int) -> None:
    """`count` proposals as the store writes them, with their outbox entries and dedupe records."""
    for folder in ("quarantine", ".state/dedupe", *(f".state/outbox/{s}" for s in ("pending", "sent", "failed"))):
        (root / folder).mkdir(parents=True, exist_ok=True)
    start = time.time() - 86400
    for n in range(count):
        reference = new_reference(start + n)
        record = {
            "reference": reference, "received": "", "form_version": 1, "status": "new",
            "from": "/field-notes/pilot-to-production/", "consent": True, "notify": ["mail", "webhook"],
            "fields": {"name": f"Bench {n}", "organisation": "Benchmark Ltd", "email": f"b{n}@example.com",
                       "use_case": "Answer routine questions for the claims team. " * 4,
                       "operator": "Sam Lee", "cost_line": "Under £25,000", "success_measure": "90% within 2 days",
                       "rollback": "Route claims back to the shared inbox.", "timeline": "Within a month"},
        }  # fmt: skip
        (root / f"{reference}.json").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        for channel in ("mail", "webhook"):
            state = "sent" if n % 2 else "pending"
            (root / f".state/outbox/{state}/{reference}.{channel}").touch()
        (root / f".state/dedupe/{n:064x}").write_text(reference)


def timed(action) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{dt.date.today()} · {os.cpu_count()} cores · {cpu_model()} · Python {platform.python_version()}")
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="impart-bench-backup-"))
    try:
        folder = work / "proposals"
        make_folder(folder, args.proposals)
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        times: dict[str, list[float]] = {"ours backup": [], "tar -czf": [], "ours restore": [], "tar -xzf": []}
        for run in range(args.runs):
            ours, theirs = work / f"ours-{run}.tar.gz", work / f"tar-{run}.tar.gz"
            times["ours backup"].append(timed(lambda ours=ours: write_backup(folder, ours)))
            tar = ["tar", "-czf", str(theirs), "-C", str(work), "proposals"]
            times["tar -czf"].append(timed(lambda tar=tar: subprocess.run(tar, check=True)))
            into = work / f"restored-{run}"
            into.mkdir()

            def ours_restore(ours=ours, into=into):
                found, manifest = read_backup(ours)
                restore(found, manifest, into)

            times["ours restore"].append(timed(ours_restore))
            plain = work / f"untarred-{run}"
            plain.mkdir()
            untar = ["tar", "-xzf", str(theirs), "-C", str(plain)]
            times["tar -xzf"].append(timed(lambda untar=untar: subprocess.run(untar, check=True)))
        sizes = {"ours": (work / "ours-0.tar.gz").stat().st_size, "tar": (work / "tar-0.tar.gz").stat().st_size}
        median = {name: statistics.median(values) for name, values in times.items()}
        print(f"{args.proposals} proposals, {files} files; medians of {args.runs} runs")
        for name, values in times.items():
            print(f"  {name:13} {median[name]:7.2f} s   runs {' '.join(f'{v:.2f}' for v in values)}")
        print(f"  archive: ours {sizes['ours'] / 1024:.0f} KiB (with its manifest), tar {sizes['tar'] / 1024:.0f} KiB")
        print(
            f"ratio backup ours/tar: {median['ours backup'] / median['tar -czf']:.2f}; "
            f"restore ours/tar: {median['ours restore'] / median['tar -xzf']:.2f}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
