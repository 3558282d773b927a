"""A cold `mkdocs build` on two cores: forked helpers render the notes' Markdown, then pages, from the last page
backwards while the build goes forwards, and hand their results over under the preview's keys (kept_results.py), so
a result that does not match is made again. A helper that fails costs time, never pages."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import tempfile
import time
from collections.abc import Callable

from mkdocs import utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.structure.files import InclusionLevel

from impart.speed import build_speed
from impart.speed.fingerprint import digest
from impart.speed.kept_results import MEMORY, markdown_slot

log = logging.getLogger("mkdocs.plugins.impart")


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def available() -> bool:
    return hasattr(os, "fork") and cores() >= 2 and os.environ.get("IMPART_PARALLEL_BUILD", "1") != "0"


WAITED: dict[str, float] = {}  # seconds the build waited for each helper, for the log
WRITTEN: dict[str, bytes] = {}  # output path -> digest of what the template helper wrote there
BUILD_WROTE: set[str] = set()  # output paths the build itself has written (two pages may share one)
KEPT = {"files": 0}  # files the helper wrote that the build found the same and did not write again


class Helper:
    """A forked process running `do_page` from the last page backwards, each side taking, under a shared lock, no page
    the other has taken; when the build reaches the helper's pages, it stops it and `receive`s what `collect` gave."""

    def __init__(self, name: str, pages: list, slot_of, do_page, collect, receive):
        self.name = name
        self.positions = {slot_of(page): index for index, page in enumerate(pages)}
        self._receive = receive
        self._merged = False
        # Shared with the helper: the lowest page it has taken, the highest the build has taken, and "stop".
        fork = multiprocessing.get_context("fork")
        self._shared, self._lock = fork.RawArray("q", [len(pages), -1, 0]), fork.Lock()
        handle, self.path = tempfile.mkstemp(prefix=f"impart-{name}-")
        os.close(handle)
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            code = 1
            try:
                for logger in map(logging.getLogger, ("", "mkdocs")):
                    logger.handlers = [logging.NullHandler()]  # the build logs what it uses of the helper's work
                    logger.propagate = False
                for index in range(len(pages) - 1, -1, -1):
                    with self._lock:
                        if self._shared[_STOP] or index <= self._shared[_BUILD_TOOK]:
                            break
                        self._shared[_HELPER_TOOK] = index
                    do_page(pages[index])
                with open(self.path, "wb") as out:
                    pickle.dump(collect(), out, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)  # no atexit, no plugin shutdown: those belong to the build

    def covers(self, index: int) -> bool:
        """Whether the helper may have made this page's results (the build then checks their keys)."""
        if not self._merged:
            with self._lock:
                if index < self._shared[_HELPER_TOOK]:  # the helper has not taken it, and now never will
                    self._shared[_BUILD_TOOK] = max(index, self._shared[_BUILD_TOOK])
                    return False
            self.finish()
        return index >= self._shared[_HELPER_TOOK]

    def finish(self) -> None:
        """Stop the helper after its current page, wait for it and hand over what it made."""
        if self._merged:
            return
        self._merged = True
        with self._lock:
            self._shared[_STOP] = 1
        began = time.perf_counter()
        try:
            _, status = os.waitpid(self.pid, 0)
            WAITED[self.name] = time.perf_counter() - began
            if status != 0:
                log.info(f"Parallel build: the {self.name} helper failed; the build makes its pages itself")
                self._shared[_HELPER_TOOK] = len(self.positions)
                return
            with open(self.path, "rb") as made:
                self._receive(pickle.load(made))
        finally:
            os.unlink(self.path)


_HELPER_TOOK, _BUILD_TOOK, _STOP = 0, 1, 2  # where each is in a Helper's shared memory


def start_markdown_helper(config, files) -> None:
    def do_page(page) -> None:
        MEMORY.keeping = True
        mkdocs_build._populate_page(page, config, files)

    def collect() -> dict:
        made = MEMORY.markdown.made()
        for _, rendered in made.values():
            for record in rendered.warnings:  # what a record carries must survive pickling
                record.msg, record.args, record.exc_info = record.getMessage(), None, None
        return {"markdown": made, "words": build_speed.COUNTED}

    def receive(made: dict) -> None:
        MEMORY.markdown.receive(made["markdown"])
        build_speed.COUNTED.update(made["words"])

    # Only editors' own files: pages a plugin generates are cheap to render, and their Markdown may come
    # from other pages rendered before them (Material's paginated listings take their first page's title).
    built = files.documentation_pages(inclusion=InclusionLevel.is_included)  # in the build's order
    pages = [file.page for file in built if file.generated_by is None]
    MEMORY.helpers.append(Helper("markdown", pages, markdown_slot, do_page, collect, receive))


def start_template_helper(config, files, nav, env) -> None:
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    written: dict[str, bytes] = {}

    def do_page(page) -> None:
        MEMORY.keeping = True
        page.active = True
        try:  # what mkdocs' _build_page does, up to and with the write
            context = mkdocs_build.get_context(nav, doc_files, config, page)
            template = env.get_template(page.meta.get("template", "main.html"))
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            output = config.plugins.on_post_page(template.render(context), page=page, config=config)
            if output.strip():
                content = output.encode("utf-8", errors="xmlcharrefreplace")
                utils.write_file(content, page.file.abs_dest_path)
                written[page.file.abs_dest_path] = digest(content)
        finally:
            page.active = False

    def collect() -> dict:
        return {"pages": MEMORY.pages.made(), "search": MEMORY.search.made(), "written": written}

    def receive(made: dict) -> None:
        MEMORY.pages.receive(made["pages"])
        MEMORY.search.receive(made["search"])
        take_written(made["written"])

    pages = [file.page for file in doc_files]
    MEMORY.helpers.append(Helper("templates", pages, lambda page: page.url, do_page, collect, receive))


def take_written(written: dict[str, bytes]) -> None:
    """What the template helper wrote, by path, but where the build wrote already: the helper's file there was
    overwritten since (of two pages with one output path, the last one built wins, as without the helper)."""
    WRITTEN.update((path, made) for path, made in written.items() if path not in BUILD_WROTE)


def written_by_helper(write_file: Callable[[bytes, str], None]) -> Callable[[bytes, str], None]:
    """MkDocs' write_file, leaving a file alone when the template helper wrote these same bytes to it."""

    def write_unless_written(content: bytes, output_path: str) -> None:
        helpers = WRITTEN.pop(output_path, None)
        if helpers is not None and helpers == digest(content):
            KEPT["files"] += 1
            return
        BUILD_WROTE.add(output_path)
        write_file(content, output_path)

    write_unless_written.impart_parallel = True
    return write_unless_written


def finish() -> None:
    """Wait for any helper whose results were never asked for, so none is left behind."""
    # A file only the helper wrote: the build's own output for that page was empty (MkDocs skips it), so it goes.
    unclaimed = list(WRITTEN)
    MEMORY.await_helpers()
    WRITTEN.clear()
    BUILD_WROTE.clear()
    for path in unclaimed:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    waited = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in WAITED.items())
    log.info(
        f"Parallel build: {MEMORY.hits['markdown']} Markdown renders and {MEMORY.hits['page']} pages "
        f"from the helper, {KEPT['files']} of them written by it (waited for it: {waited})"
    )
