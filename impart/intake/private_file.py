"""Writing a file that only the operator may read: exports and the report's chart.

What the commands write about proposals is 0600 whatever the umask, and a file
that existed already (the shell's `> out.csv` makes one 0644) is tightened
before a byte goes in; a symlink in the file's place is refused, not followed.
"""

from __future__ import annotations

import os
import stat


def write_private(path: str | os.PathLike, data: bytes) -> None:
    """Write data to path as a 0600 file; OSError (ELOOP for a symlink) is the caller's to report."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
