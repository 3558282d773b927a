"""The theme's templates compiled on the second core while a cold `mkdocs build` finishes reading pages.

When the Markdown helper stops (impart.speed.parallel_build), the build still has the
rest of the pages to read on one core, and the second core is idle. A forked
process then compiles the templates the pages will use: every top-level
template of the theme's folders (main.html, blog.html, 404.html, ...), and
each template they name in `extends`, `include` and `import`, transitively.
The build takes the compiled code at on_env, before it renders anything, into
its environment's bytecode cache (impart.speed.preview_cache's compiled-templates
memory), where Jinja finds it as it finds any bytecode cache's: by template name and file, checked against a
checksum of the template's source. Without this, the build and the template
helper each compiled the same ~50 templates, about half a second each.

Jinja's compiled code depends on the environment it was compiled for: its
syntax settings and extensions, and whether each filter and test is passed the
context. The compiled code is used only when the build's environment, after
every plugin's on_env, matches the one it was compiled for in all of these.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import tempfile
from collections import deque

from jinja2 import meta

from impart.speed.preview_cache import CompiledTemplates

log = logging.getLogger("mkdocs.plugins.impart")

_SUFFIXES = (".html", ".xml", ".txt")


def environment_signature(env) -> tuple:
    """What Jinja's compiled code depends on in an environment, besides the template's source."""
    passed = {}
    for kind, functions in (("filter", env.filters), ("test", env.tests)):
        for name, function in functions.items():
            pass_arg = getattr(function, "jinja_pass_arg", None)
            if pass_arg is not None:  # a function passed nothing compiles as a missing one does
                passed[f"{kind}:{name}"] = pass_arg.name
    settings = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        repr(env.autoescape) if not callable(env.autoescape) else env.autoescape.__qualname__,
        env.finalize is None,
    )
    return settings, tuple(sorted(env.extensions)), tuple(sorted(passed.items()))


def top_level_templates(folders: list[str]) -> list[str]:
    """The templates at the top of the theme's folders, a name once (the first folder's file wins)."""
    names: dict[str, None] = {}
    for folder in folders:
        with contextlib.suppress(OSError):
            for name in sorted(os.listdir(folder)):
                if name.endswith(_SUFFIXES) and os.path.isfile(os.path.join(folder, name)):
                    names.setdefault(name, None)
    return list(names)


def compile_reachable(env, names: list[str]) -> int:
    """Compiles each template and the templates it names, into env's bytecode cache; returns how many."""
    cache = env.bytecode_cache
    queue, seen, compiled = deque(names), set(), 0
    while queue:
        name = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
            queue.extend(ref for ref in meta.find_referenced_templates(tree) if ref)
            bucket = cache.get_bucket(env, name, filename, source)
            if bucket.code is None:
                bucket.code = env.compile(tree, name, filename)
                cache.set_bucket(bucket)
                compiled += 1
        except Exception:  # noqa: BLE001 (a template that fails here is compiled by the build, which reports it)
            continue
    return compiled


def quiet_logging() -> None:
    """A helper logs nothing itself: the build logs what it uses of the helper's work."""
    for name in ("", "mkdocs"):
        logger = logging.getLogger(name)
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False


class Precompiling:
    """A forked process compiling the theme's templates; `take` waits for it and keeps what it made."""

    def __init__(self, theme) -> None:
        handle, self.path = tempfile.mkstemp(prefix="impart-templates-")
        os.close(handle)
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                quiet_logging()
                env = theme.get_env()  # a new environment, given the compiled-templates memory (preview_cache)
                compile_reachable(env, top_level_templates(list(theme.dirs)))
                with open(self.path, "wb") as out:
                    pickle.dump((environment_signature(env), env.bytecode_cache.compiled()), out)
                code = 0
            finally:
                os._exit(code)

    def take(self, env) -> int:
        """Waits for the compiling process; its code joins the memory when `env` matches. Returns templates kept."""
        try:
            _, status = os.waitpid(self.pid, 0)
            if status != 0:
                return 0
            with open(self.path, "rb") as made:
                signature, compiled = pickle.load(made)
            if signature != environment_signature(env):
                log.debug("Precompiled templates not used: the build's Jinja environment differs")
                return 0
            cache = env.bytecode_cache
            return cache.receive(compiled) if isinstance(cache, CompiledTemplates) else 0
        finally:
            os.unlink(self.path)


_running: list[Precompiling] = []


def start(theme) -> None:
    """Starts compiling the theme's templates in a forked process, unless one is already running."""
    if not _running:
        _running.append(Precompiling(theme))


def take(env) -> int:
    """The templates compiled in advance, if a process was started; nothing otherwise."""
    return _running.pop().take(env) if _running else 0


def discard() -> None:
    """A failed build: the compiling process is waited for and what it made is dropped."""
    while _running:
        job = _running.pop()
        with contextlib.suppress(OSError):
            os.waitpid(job.pid, 0)
        with contextlib.suppress(OSError):
            os.unlink(job.path)
