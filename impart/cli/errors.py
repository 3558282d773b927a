"""The `impart` command's exit codes and the refusals every subcommand words the same way.

0: done. 1: the command ran and found something to act on (a check failed, a page is overdue, a
notification still fails, a file could not be written). 2: refused before doing anything (a wrong
option, a missing folder, a reference that names no proposal, a wrong setting); nothing was written.
The README's operator section lists the same three.
"""

from __future__ import annotations

import sys

DONE = 0
FOUND = 1
REFUSED = 2


def refuse(line: str) -> int:
    """Print one line saying what was refused and what to do, on the standard error; return REFUSED."""
    print(line, file=sys.stderr)
    return REFUSED


def unknown_reference(given: str, folder) -> int:
    """The one wording of a reference that names no proposal in `folder`."""
    return refuse(f"{given}: no proposal with this reference in {folder}; see impart proposals list")


def cannot_write(path, error: OSError) -> int:
    """The one wording of an output file (a chart, an export) the account could not write; return FOUND."""
    print(
        f"{path}: cannot write: {error.strerror}; nothing was written; "
        "name a file (not a symbolic link) in a folder this account can write",
        file=sys.stderr,
    )
    return FOUND
