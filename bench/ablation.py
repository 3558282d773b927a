"""What each item of the speed layer is worth: the build and the preview save with each item off in turn.

    .venv/bin/python bench/ablation.py [--notes 1000] [--runs 2] [--saves 2] [--only build|preview]

Every item of impart/speed (impart.speed.fence.ITEMS) can be left off with
IMPART_SPEED_SKIP. On one generated site (bench/build.py's generator):

- build: `mkdocs build` with everything on, then with each build item off, then
  with the whole layer off (IMPART_SPEED=0), in that order, `--runs` rounds;
- preview: `mkdocs serve` with everything on, then with each item that acts in
  the preview off, then everything on again (drift), each saving one note
  `--saves` times (bench/serve.py's measure).

It prints, for each item, the median with that item off and its ratio to all
on: an item worth keeping makes the build slower when it is off (ratio above
1). A benchmark: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build import Builder, blog_settings, generate_notes, has_gnu_time, make_ours, venv_python  # noqa: E402
from machine import cpu_model  # noqa: E402
from serve import measure  # noqa: E402

from impart.speed.fence import ITEMS  # noqa: E402

BUILD_ONLY = ("parallel-build", "template-precompile")  # act in `mkdocs build`, never in the preview
PREVIEW_ONLY = ("preview-cache", "preview-output", "preview-watch", "preview-memory")
ALL_ON = "(all on)"
LAYER_OFF = "(layer off)"


def environment(config: str) -> dict[str, str]:
    if config == ALL_ON:
        return {}
    if config == LAYER_OFF:
        return {"IMPART_SPEED": "0"}
    return {"IMPART_SPEED_SKIP": config}


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def print_table(title: str, unit: str, figures: dict[str, list[float]]) -> None:
    base = median(figures[ALL_ON])
    print(f"\n{title}")
    print(f"{'item off':<22} {unit:>10} {'÷ all on':>9}  runs")
    for config, values in figures.items():
        value = median(values)
        ratio = f"{value / base:.3f}" if value and base else "-"
        shown = f"{value:.2f}" if value else "-"
        print(f"{config:<22} {shown:>10} {ratio:>9}  {', '.join(f'{v:.2f}' for v in values)}")


def ablate_build(notes, runs: int, deadline: float) -> dict[str, list[float]]:
    configs = [ALL_ON, *(item for item in ITEMS if item not in PREVIEW_ONLY), LAYER_OFF]
    figures: dict[str, list[float]] = {config: [] for config in configs}
    work = Path(tempfile.mkdtemp(prefix="impart-ablation-"))
    blog_dir, _ = blog_settings()
    config_file = make_ours(work / "project", blog_dir, notes)
    builder = Builder(venv_python(), "gnu-time" if has_gnu_time() else "launcher")
    base_env = dict(builder.env)
    try:
        for run in range(runs):
            for config in configs:
                if time.monotonic() > deadline:
                    return figures
                builder.env = dict(base_env, **environment(config))
                build = builder.run(config_file, work / "site", timeout=deadline - time.monotonic())
                if build.ok:
                    figures[config].append(build.seconds)
                print(f"  build run {run + 1}, {config}: {build.seconds:.2f} s{'' if build.ok else ' FAILED'}",
                      flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def ablate_preview(count: int, saves: int, deadline: float) -> dict[str, list[float]]:
    configs = [ALL_ON, *(item for item in ITEMS if item not in BUILD_ONLY)]
    figures: dict[str, list[float]] = {config: [] for config in configs}
    for config in [*configs, ALL_ON]:  # all on again at the end: how far the machine drifted meanwhile
        results = measure(count, saves, deadline, environment(config), quiet=True)
        totals = [total for _, total in results if total is not None]
        figures[config] += totals
        print(f"  preview, {config}: {', '.join(f'{t:.2f}' for t in totals) or 'no save measured'}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="build rounds (2)")
    parser.add_argument("--saves", type=int, default=2, help="saves per preview session (2)")
    parser.add_argument("--only", choices=("build", "preview"))
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"speed layer ablation, {args.notes} notes; {dt.date.today()}, {os.cpu_count()} cores, {cpu_model()}, "
          f"Python {sys.version.split()[0]}, load {load}", flush=True)  # fmt: skip
    if args.only != "preview":
        figures = ablate_build(generate_notes(args.notes), args.runs, deadline)
        print_table(f"mkdocs build, {args.notes} notes (seconds, median of {args.runs})", "build s", figures)
    if args.only != "build":
        figures = ablate_preview(args.notes, args.saves, deadline)
        print_table(f"mkdocs serve, save to rebuilt note and listing, {args.notes} notes", "save s", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
