"""What each item of the speed layer is worth: the build and the preview save with each item off in turn.

    .venv/bin/python bench/ablation.py [--notes 1000] [--runs 2] [--saves 2] [--only build|preview] [--items a,b]

Every item of impart/speed (impart.speed.registry.ITEMS) can be left off with
IMPART_SPEED_SKIP. On one generated site (bench/build.py's generator):

- build: `mkdocs build` with everything on, then with each build item off, then
  with the whole layer off (IMPART_SPEED=0), in that order, `--runs` rounds;
- preview: `mkdocs serve` with everything on, then with each item that acts in
  the preview off, then everything on again (drift), each saving one note
  `--saves` times (bench/serve.py's measure).

It prints, for each item, the median wall-clock and CPU seconds with that item
off and their ratios to all on: an item worth keeping makes the build slower
when it is off (ratio above 1). The CPU figure (the build's process and its
helpers; the preview server's process over each save) is the steadier one on a
shared machine. A benchmark: it prints figures and never fails on them.
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

from impart.speed.registry import ITEMS  # noqa: E402

BUILD_ONLY = ("parallel-build",)  # act in `mkdocs build`, never in the preview
PREVIEW_ONLY = ("preview-cache", "preview-output")
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


def print_table(title: str, figures: dict[str, list[tuple[float, float]]]) -> None:
    """Wall-clock and CPU seconds, each as a median and as a ratio to all on. On a shared machine the CPU
    figure is the steadier; the wall clock is what counts for the items that use the second core."""
    base_wall = median([wall for wall, _ in figures[ALL_ON]])
    base_cpu = median([cpu for _, cpu in figures[ALL_ON] if cpu is not None])
    print(f"\n{title}")
    print(f"{'item off':<22} {'wall s':>8} {'÷ all on':>9} {'cpu s':>8} {'÷ all on':>9}  runs (wall/cpu)")
    for config, values in figures.items():
        wall = median([w for w, _ in values])
        cpu = median([c for _, c in values if c is not None])
        wall_ratio = f"{wall / base_wall:.3f}" if wall and base_wall else "-"
        cpu_ratio = f"{cpu / base_cpu:.3f}" if cpu and base_cpu else "-"
        runs = ", ".join(f"{w:.2f}/{c:.2f}" if c is not None else f"{w:.2f}/-" for w, c in values)
        print(f"{config:<22} {wall or 0:>8.2f} {wall_ratio:>9} {cpu or 0:>8.2f} {cpu_ratio:>9}  {runs}")


def ablate_build(notes, runs: int, deadline: float, items: tuple[str, ...]) -> dict[str, list[tuple[float, float]]]:
    configs = [ALL_ON, *(item for item in items if item not in PREVIEW_ONLY), LAYER_OFF]
    figures: dict[str, list[tuple[float, float]]] = {config: [] for config in configs}
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
                    figures[config].append((build.seconds, build.cpu_seconds))
                print(f"  build run {run + 1}, {config}: {build.seconds:.2f} s (cpu {build.cpu_seconds} s)"
                      f"{'' if build.ok else ' FAILED'}", flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def ablate_preview(
    count: int, saves: int, deadline: float, items: tuple[str, ...]
) -> dict[str, list[tuple[float, float]]]:
    configs = [ALL_ON, *(item for item in items if item not in BUILD_ONLY)]
    figures: dict[str, list[tuple[float, float]]] = {config: [] for config in configs}
    for config in [*configs, ALL_ON]:  # all on again at the end: how far the machine drifted meanwhile
        results = measure(count, saves, deadline, environment(config), quiet=True)
        measured = [(total, cpu) for _, total, cpu in results if total is not None]
        figures[config] += measured
        shown = ", ".join(f"{total:.2f} s (cpu {cpu:.2f} s)" for total, cpu in measured)
        print(f"  preview, {config}: {shown or 'no save measured'}", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2, help="build rounds (2)")
    parser.add_argument("--saves", type=int, default=2, help="saves per preview session (2)")
    parser.add_argument("--only", choices=("build", "preview"))
    parser.add_argument("--items", default=",".join(ITEMS), help="the items to turn off in turn (all)")
    parser.add_argument("--max-seconds", type=float, default=3600)
    args = parser.parse_args()
    items = tuple(item for item in args.items.split(",") if item)
    if unknown := set(items) - set(ITEMS):
        parser.error(f"--items: unknown item {sorted(unknown)[0]!r}; the items are {', '.join(ITEMS)}")
    deadline = time.monotonic() + args.max_seconds
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"speed layer ablation, {args.notes} notes; {dt.date.today()}, {os.cpu_count()} cores, {cpu_model()}, "
          f"Python {sys.version.split()[0]}, load {load}", flush=True)  # fmt: skip
    if args.only != "preview":
        figures = ablate_build(generate_notes(args.notes), args.runs, deadline, items)
        print_table(f"mkdocs build, {args.notes} notes (seconds, median of {args.runs})", figures)
    if args.only != "build":
        figures = ablate_preview(args.notes, args.saves, deadline, items)
        print_table(f"mkdocs serve, save to rebuilt note and listing, {args.notes} notes", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
