"""Published releases of the site: each build in its own folder, the served path a symlink switched atomically.

The served path (`site`) is a symlink to `releases/<UTC time>/` beside it. A new build goes into a
`.partial` folder first and takes its release name only once it passed, so a half-built or failed
build is never a release and never served. The switch makes a new symlink under a temporary name and
renames it over `site` (rename(2) is atomic): a reader resolving `site` gets the old release or the
new one, never neither. `impart serve` resolves the link once per request; nginx, whose root is the
link, resolves it per file unless told to cache open files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import shutil
from pathlib import Path

RELEASES = "releases"
PARTIAL = ".partial"
RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z(?:-\d+)?$")  # 20261203T102749Z, -2 when two land in one second


class ReleaseError(Exception):
    """A publish or rollback that cannot go ahead: one line saying why and what to do."""


LOCK = ".lock"


@contextlib.contextmanager
def exclusive(site: Path):
    """Held for a whole publish or rollback: a second one at the same time (a cron job and a person) is refused
    rather than interleaved, so each switch and each pruning sees the releases as the other left them."""
    folder = releases_dir(site)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReleaseError(
                f"{folder}: another impart publish or rollback is running; wait for it, then run this again"
            ) from None
        yield
    finally:
        os.close(fd)


def releases_dir(site: Path) -> Path:
    return Path(site).parent / RELEASES


def releases(site: Path) -> list[Path]:
    """The finished releases beside `site`, oldest first (their names sort by time)."""
    folder = releases_dir(site).resolve()  # absolute, as current() answers
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and RELEASE_NAME.match(p.name))


def current(site: Path) -> Path | None:
    """The release `site` points at, or None when it is not a link to one."""
    site = Path(site)
    if not site.is_symlink():
        return None
    target = (site.parent / os.readlink(site)).resolve()
    return target if target.parent == releases_dir(site).resolve() else None


def new_release_name(site: Path, now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder, name, count = releases_dir(site), stamp, 1
    while (folder / name).exists() or (folder / (name + PARTIAL)).exists():
        count += 1
        name = f"{stamp}-{count}"
    return name


def partial_folder(site: Path, name: str) -> Path:
    """Where a build for release `name` is written before it passes."""
    folder = releases_dir(site)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (name + PARTIAL)


def switch_to(site: Path, release: Path) -> None:
    """Point `site` at `release` atomically: a new link under a temporary name, renamed over the old one."""
    site = Path(site)
    temporary = site.with_name(f".{site.name}.switching.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    # Relative, so the folder can be moved or mounted elsewhere with its releases.
    temporary.symlink_to(Path(RELEASES) / release.name, target_is_directory=True)
    os.replace(temporary, site)


def adopt_folder(site: Path, before: dt.datetime) -> Path | None:
    """A first publish over a real `site/` folder: move it into releases/, named for when it was built, so
    rollback reaches it.

    A rename, not a copy, so it is instant; the folder is then served through the link switched in next.
    Returns the adopted release, or None when `site` is not a real folder.
    """
    site = Path(site)
    if site.is_symlink() or not site.is_dir():
        return None
    built = dt.datetime.fromtimestamp(site.stat().st_mtime, dt.UTC)
    # Named before the release replacing it, so it sorts first and rollback returns to it.
    adopted = releases_dir(site) / new_release_name(site, min(built, before - dt.timedelta(seconds=1)))
    os.rename(site, adopted)
    return adopted


def finish(site: Path, partial: Path, keep: int) -> tuple[Path, Path | None, list[Path]]:
    """Name a passed build as a release and switch `site` to it; remove releases beyond `keep` previous ones.

    Returns (the new release, the one served before or None, the releases removed). When `site` is a
    real folder (the first publish), it is moved into releases/ first: between that rename and the link's
    there is no site, for the microseconds two renames take, once (impart serve's static site waits it out).
    """
    site = Path(site)
    release = partial.with_name(partial.name.removesuffix(PARTIAL))
    os.rename(partial, release)
    before = current(site)
    if site.exists() and not site.is_symlink() and not site.is_dir():
        raise ReleaseError(f"{site}: a file, not the site's folder or link; move it away, then publish again")
    adopted = adopt_folder(site, dt.datetime.strptime(release.name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC))
    switch_to(site, release)
    return release, before or adopted, prune(site, keep)


def prune(site: Path, keep: int) -> list[Path]:
    """Remove releases older than the `keep` before the served one; the served one and newer ones stay."""
    served = current(site)
    found = releases(site)
    if served not in found:
        return []
    older = found[: found.index(served)]
    removed = older[: max(0, len(older) - keep)]
    for release in removed:
        shutil.rmtree(release)
    return removed


def not_a_release(site: Path) -> str:
    return f"{site}: not a link to a release; publish with impart publish first"


def rollback(site: Path) -> tuple[Path, Path]:
    """Switch `site` back to the release before the served one; returns (from, to). Raises ReleaseError."""
    served = current(site)
    if served is None:
        raise ReleaseError(not_a_release(site))
    found = releases(site)
    older = found[: found.index(served)] if served in found else []
    if not older:
        raise ReleaseError(
            f"{site}: {served.name} is the oldest release kept in {releases_dir(site)}; nothing to roll back to"
        )
    switch_to(site, older[-1])
    return served, older[-1]
