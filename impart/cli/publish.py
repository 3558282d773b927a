"""`impart publish` and `impart rollback`: build into a new release, switch the served site only if it passed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from impart.cli.errors import DONE, FOUND, refuse
from impart.cli.site import cmd_check
from impart.serve import releases
from impart.settings import load_settings

BUILD_SECONDS = 1800  # a build that takes longer is stuck: stopped, and nothing is switched


def _build(config: Path, into: Path) -> subprocess.CompletedProcess:
    """The strict build, in its own process, so that the hooks' state never outlives it."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", str(config),
               "--site-dir", str(into.resolve())]  # fmt: skip
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=BUILD_SECONDS)


def _still_serving(site: Path) -> str:
    served = releases.current(site)
    if served is not None:
        return f"{site} still serves {served.name}"
    return f"{site} is unchanged"


def cmd_publish(args) -> int:
    """Check, build strictly into releases/<UTC time>/, and only then switch `site` to it; keep `keep` earlier ones."""
    site = Path(args.site)
    keep = load_settings(args.config).extra.publish.keep if args.keep is None else args.keep
    if keep < 0:
        return refuse(f"--keep {keep}: give how many earlier releases to keep, 0 or more")
    if site.exists() and not site.is_dir():
        return refuse(f"{site}: a file, not the site's folder or link; move it away, then publish again")
    try:
        with releases.exclusive(site):
            return _publish(args, site, keep)
    except releases.ReleaseError as error:
        return refuse(str(error))


def _publish(args, site: Path, keep: int) -> int:
    if cmd_check(args) != DONE:
        print(f"impart publish: nothing published; {_still_serving(site)}", file=sys.stderr)
        return FOUND
    partial = releases.partial_folder(site, releases.new_release_name(site))
    try:
        built = _build(Path(args.config), partial)
    except subprocess.TimeoutExpired:
        built = None
    if built is None or built.returncode != 0 or not (partial / "index.html").is_file():
        shutil.rmtree(partial, ignore_errors=True)
        for line in (built.stderr if built else f"the build took over {BUILD_SECONDS}s").splitlines():
            if line.strip():
                print(line, file=sys.stderr)
        print(f"impart publish: the build failed; nothing published; {_still_serving(site)}", file=sys.stderr)
        return FOUND
    release, before, removed = releases.finish(site, partial, keep)
    print(f"published {release.name}: {site} -> {releases.RELEASES}/{release.name}")
    if before is not None:
        print(f"previous release {before.name}; impart rollback returns to it")
    for old in removed:
        print(f"removed {old.name} (keeping {keep} earlier release(s))")
    return DONE


def cmd_rollback(args) -> int:
    """Switch `site` back to the release before the one it serves."""
    site = Path(args.site)
    if releases.current(site) is None:  # refused before the lock, which would make releases/
        return refuse(releases.not_a_release(site))
    try:
        with releases.exclusive(site):
            left, now = releases.rollback(site)
    except releases.ReleaseError as error:
        return refuse(str(error))
    print(f"rolled back: {site} -> {releases.RELEASES}/{now.name} (was {left.name})")
    return DONE


def add_publish_commands(commands) -> None:
    """Add `publish` and `rollback` to the sub-parsers of the `impart` command."""
    publish = commands.add_parser(
        "publish", help="build strictly into releases/<UTC time>/ and switch the served site to it if it passed"
    )
    publish.add_argument("--site", default="site", help="the served path, a link to the release (default: site)")
    publish.add_argument(
        "--keep", type=int, default=None, help="earlier releases to keep for rollback (default: extra.publish.keep, 3)"
    )
    publish.set_defaults(run=cmd_publish)
    rollback = commands.add_parser("rollback", help="serve the release before the current one again")
    rollback.add_argument("--site", default="site", help="the served path, a link to the release (default: site)")
    rollback.set_defaults(run=cmd_rollback)
