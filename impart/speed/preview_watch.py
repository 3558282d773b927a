"""The live preview notices a save the moment it happens, where the filesystem says so.

`mkdocs serve` finds changes by listing the watched folders every half second
(watchdog's PollingObserver). That works on every filesystem, but a rebuild
starts a quarter of a second after a save on average, and while a rebuild runs
the listing competes with it for the interpreter (about 0.2 s a rebuild at
1,000 notes). On Linux, a local filesystem reports each change through inotify
as it happens. Network and shared-folder filesystems (NFS, SMB, 9p as in WSL,
Docker Desktop's shares, FUSE) may not report changes made on the other side,
so where any watched path is on one of those, or the check cannot tell, the
polling stays.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

# Filesystems that report every change made on this machine through inotify.
LOCAL_FILESYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "reiserfs", "tmpfs", "overlay", "zfs"}
)


def filesystem_of(path: str, mountinfo: str = "/proc/self/mountinfo") -> str | None:
    """The type of the filesystem that holds `path`, from the kernel's mount table; None when unknown."""
    path = os.path.realpath(path)
    try:
        with open(mountinfo, encoding="utf-8", errors="replace") as table:
            lines = table.read().splitlines()
    except OSError:
        return None
    deepest, kind = "", None
    for line in lines:
        fields = line.split()
        if "-" not in fields or len(fields) < 5:
            continue
        # Field 5 is the mount point (spaces written as \040); the type follows the lone "-".
        mount_point = fields[4].replace("\\040", " ")
        inside = path == mount_point or path.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(deepest):
            deepest, kind = mount_point, fields[fields.index("-") + 1]
    return kind


def reports_changes(paths: Iterable[str], mountinfo: str = "/proc/self/mountinfo") -> bool:
    """True when every path is on a local Linux filesystem, whose changes inotify reports."""
    paths = list(paths)
    return (
        sys.platform.startswith("linux")
        and bool(paths)
        and all(filesystem_of(path, mountinfo) in LOCAL_FILESYSTEMS for path in paths)
    )


def _inotify_can_watch(paths: Iterable[str]) -> bool:
    """Whether inotify takes watches on all the paths now (the per-user watch limit can refuse them):
    a throwaway observer starts on them and stops."""
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers.inotify import InotifyObserver
    except ImportError:
        return False
    probe, started = InotifyObserver(), False
    try:
        for path in paths:
            probe.schedule(FileSystemEventHandler(), path, recursive=True)
        probe.start()  # its watches are added here, in this thread: a refusal is raised here
        started = True
    except OSError:
        return False
    finally:
        if started:
            probe.stop()
            probe.join(timeout=5)
    return True


def _changes_observer():
    """An inotify observer that reports changes only. inotify also reports a file being opened, read and
    closed, and MkDocs rebuilds on any event: the build's own reading of the notes would start the next
    build, for ever. The polling observer never saw reads, so these are the events it reported."""
    from watchdog import events
    from watchdog.observers.inotify import InotifyObserver

    changes = [
        events.FileCreatedEvent, events.FileModifiedEvent, events.FileClosedEvent,
        events.FileMovedEvent, events.FileDeletedEvent,
        events.DirCreatedEvent, events.DirMovedEvent, events.DirDeletedEvent,
    ]  # fmt: skip

    class ChangesObserver(InotifyObserver):
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None):
            return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or changes)

    return ChangesObserver()


def watch_with_inotify(server) -> bool:
    """Move a LiveReloadServer's watches from polling to inotify when that is safe; whether it moved them.

    Called before the server starts (MkDocs' on_serve), when the docs folder and mkdocs.yml, and the theme
    with --watch-theme, are watched; paths watched later (the `watch:` setting) go to the new observer.
    """
    watched = getattr(server, "_watched_paths", None)  # MkDocs' own count of watch() calls per path
    if not isinstance(watched, dict) or not reports_changes(watched) or not _inotify_can_watch(watched):
        return False
    counts = dict(watched)
    for path, count in counts.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = _changes_observer()
    for path, count in counts.items():
        for _ in range(count):
            server.watch(path)
    return True
