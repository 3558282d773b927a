"""A cold `mkdocs build` on two cores: a forked helper process makes half the pages' results.

MkDocs builds one page after another on one core. With this module (turned on
by hooks/parallel_build.py for `mkdocs build` on a machine with two or more
cores), the build forks a helper twice:

1. when the pages are known but not yet read (on_nav), a helper renders the
   Markdown of the second half of the pages (by source size), running the same
   events as the build;
2. when every page is rendered to HTML (on_env), a helper renders the templates
   of the second half of the pages, with their search entries.

Meanwhile the build does the first half. When it reaches a page of the second
half, it takes the helper's result through impart.preview_cache's memory,
under the same keys the live preview uses: a result is used only when
everything it was made from matches the build's own (the page's Markdown, the
files, the configuration; for a template, a fingerprint of its whole context),
else the build makes it itself. Every event still runs in the build, so plugins
see every page. A helper that fails costs time, never pages: its results are
simply missing. Warnings from a helper's Markdown renders are logged by the
build when it uses them.

tests/test_build_speed.py checks that the site is byte for byte the one
built without this module and hooks/build_speed.py.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable

from mkdocs.commands import build as mkdocs_build
from mkdocs.structure.files import InclusionLevel

from impart import readtime
from impart.preview_cache import MEMORY, markdown_slot

log = logging.getLogger("mkdocs.plugins.impart")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def available() -> bool:
    return hasattr(os, "fork") and cores() >= 2 and os.environ.get("IMPART_PARALLEL_BUILD", "1") != "0"


# The helper's share of the work. The build still runs every event for the helper's pages and checks
# each result's key, while the helper also runs the events and computes those keys: half each.
MARKDOWN_SHARE = 0.5
TEMPLATE_SHARE = 0.5

WAITED: dict[str, float] = {}  # seconds the build waited for each helper, for the log


class Helper:
    """A forked process that runs `work` and writes what it returns to a file; the build reads it when needed."""

    def __init__(self, name: str, work: Callable[[], dict]):
        self.name = name
        handle, self.path = tempfile.mkstemp(prefix=f"impart-{name}-")
        os.close(handle)
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            code = 1
            try:
                _quiet_logging()
                made = work()
                with open(self.path, "wb") as out:
                    pickle.dump(made, out, protocol=pickle.HIGHEST_PROTOCOL)
                code = 0
            finally:
                os._exit(code)  # no atexit, no plugin shutdown: those belong to the build

    def results(self) -> dict | None:
        began = time.perf_counter()
        try:
            _, status = os.waitpid(self.pid, 0)
            WAITED[self.name] = time.perf_counter() - began
            if status != 0:
                log.info(f"Parallel build: the {self.name} helper failed; the build makes its pages itself")
                return None
            with open(self.path, "rb") as made:
                return pickle.load(made)
        finally:
            os.unlink(self.path)


def _quiet_logging() -> None:
    """The helper logs nothing itself: the build logs what it uses of the helper's work."""
    for name in ("", "mkdocs"):
        logger = logging.getLogger(name)
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False


def last_part(pages: list, share: float, weight: Callable[[object], int]) -> list:
    """The last pages, worth about `share` of the whole by `weight`."""
    total = sum(weight(page) for page in pages)
    done = 0
    for index, page in enumerate(pages):
        if done >= total * (1 - share):
            return pages[index:]
        done += weight(page)
    return []


def _markdown_cost(page) -> int:
    """About what rendering a page's Markdown costs: a fixed part (a parser per page) and its size."""
    try:
        return 1000 + os.path.getsize(page.file.abs_src_path)
    except (OSError, TypeError):
        return 1000


def built_pages(files) -> list:
    """The pages `mkdocs build` populates and builds, in its order."""
    return [file.page for file in files.documentation_pages(inclusion=InclusionLevel.is_included)]


def start_markdown_helper(config, files) -> None:
    pages = last_part(built_pages(files), MARKDOWN_SHARE, _markdown_cost)

    def work() -> dict:
        MEMORY.keeping = True
        for page in pages:
            mkdocs_build._populate_page(page, config, files)
        made = MEMORY.markdown.made()
        for _, rendered in made.values():
            for record in rendered.warnings:  # what a record carries must survive pickling
                record.msg, record.args, record.exc_info = record.getMessage(), None, None
        return {"markdown": made, "words": readtime.counts()}

    helper = Helper("markdown", work)

    def receive() -> None:
        made = helper.results()
        if made:
            MEMORY.markdown.receive(made["markdown"])
            readtime.receive_counts(made["words"])

    MEMORY.expect((markdown_slot(page) for page in pages), receive)


def start_template_helper(config, files, nav, env) -> None:
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    pages = last_part([file.page for file in doc_files], TEMPLATE_SHARE, lambda page: 1)

    def work() -> dict:
        MEMORY.keeping = True
        for page in pages:
            page.active = True
            try:
                context = mkdocs_build.get_context(nav, doc_files, config, page)
                template = env.get_template(page.meta.get("template", "main.html"))
                context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
                template.render(context)
            finally:
                page.active = False
        return {"pages": MEMORY.pages.made(), "search": MEMORY.search.made()}

    helper = Helper("templates", work)

    def receive() -> None:
        made = helper.results()
        if made:
            MEMORY.pages.receive(made["pages"])
            MEMORY.search.receive(made["search"])

    MEMORY.expect((page.url for page in pages), receive)


def finish() -> None:
    """Wait for any helper whose results were never asked for, so none is left behind."""
    MEMORY.await_helpers()
    waited = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in WAITED.items())
    log.info(
        f"Parallel build: {MEMORY.hits['markdown']} Markdown renders and {MEMORY.hits['page']} pages "
        f"from the helper (waited for it: {waited})"
    )
