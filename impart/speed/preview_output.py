"""The live preview's output folder: not emptied before a rebuild; a file whose bytes would be the same is left
alone, and what the rebuild did not write is removed at the end, so the folder holds what a cold build writes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from mkdocs import utils

from impart.speed.fingerprint import digest, stat_of


@dataclass
class OutputFolder:
    made: dict[str, tuple[object, tuple[int, int]]] = field(default_factory=dict)  # path -> what it holds, its stat
    before: dict[str, tuple[int, int]] = field(default_factory=dict)  # what the folder held when the build began
    touched: set[str] = field(default_factory=set)
    kept_files: int = 0
    root: str = ""

    def begin(self, directory: str) -> None:
        self.before, self.touched, self.kept_files = {}, set(), 0
        self.root = os.path.abspath(directory)
        for folder, dirs, names in os.walk(self.root):  # nothing when there is no folder yet
            if folder == self.root:  # MkDocs leaves hidden entries at the top alone
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                names = [n for n in names if not n.startswith(".")]
            for name in names:
                path = os.path.join(folder, name)
                if (stat := stat_of(path)) is not None:
                    self.before[path] = stat

    def _make(self, output_path: str, holds: object, make: Callable[[], None]) -> None:
        """`make()`, unless the file is the one this folder made to hold `holds`, untouched since."""
        path = os.path.abspath(output_path)
        self.touched.add(path)
        known = self.made.get(path)
        if known is not None and known[0] == holds and stat_of(path) == known[1]:
            self.kept_files += 1
            return
        make()
        if (stat := stat_of(path)) is not None:
            self.made[path] = (holds, stat)

    def write(self, content: bytes, output_path: str) -> None:
        self._make(output_path, digest(content), lambda: _original_write_file(content, output_path))

    def copy(self, source_path: str, output_path: str) -> None:
        if os.path.isdir(output_path):
            output_path = os.path.join(output_path, os.path.basename(source_path))
        holds = (source_path, stat_of(source_path))
        self._make(output_path, holds, lambda: _original_copy_file(source_path, output_path))

    def finish(self) -> int:
        """Remove what the build left over from the one before; the number of files removed."""
        removed = []
        for path, stat in self.before.items():
            if path in self.touched or stat_of(path) != stat:
                continue  # written or kept by this build, or rewritten by another writer
            try:
                os.remove(path)
            except OSError:
                continue
            self.made.pop(path, None)
            removed.append(path)
        for folder in sorted({os.path.dirname(path) for path in removed}, key=len, reverse=True):
            while folder != self.root and folder.startswith(self.root + os.sep):
                try:
                    os.rmdir(folder)  # only succeeds when the folder is empty
                except OSError:
                    break
                folder = os.path.dirname(folder)
        self.before = {}
        return len(removed)


OUTPUT = OutputFolder()
_original_write_file = utils.write_file
_original_copy_file = utils.copy_file


def save_unless_same(_plugin, path: str, content: str) -> None:
    """The blog's writer of a listing's generated source, leaving a file that already holds this text untouched:
    the sources (one line each) are written again on every rebuild, which would make every copy of them look stale."""
    with contextlib.suppress(OSError, UnicodeDecodeError), open(path, encoding="utf-8") as existing:
        if existing.read() == content:
            return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(content)
