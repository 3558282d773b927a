"""The live preview survives a mistake: a failed rebuild leaves the last good build served, and every page shows
what failed until a save mends it.

Stock `mkdocs serve` (MkDocs 1.6) holds every request until a rebuild succeeds: its build loop marks the new
version wanted before building and marks it visible only after a build that did not raise, and each request
waits for the two to match. One broken note therefore made every page hang with the reason only in the
terminal; and MkDocs drops any line its build logger has printed before, so a second failure with the same
count lost its "N error(s)" line.

Here the server's builder is wrapped (`install`): a rebuild that raises is caught, so the loop marks the
version visible and browsers reload (live reload), and the output folder keeps what the last good build wrote
(the content checks stop a build before it writes: hooks/note_metadata.py). The build's error lines (the same
lines `impart check` prints) are kept, a count of them is printed through impart's logger on each failure, and
`with_panel` writes them into every HTML page served, at the top of its body, in a panel read out as an alert.
The next good build empties them, and live reload brings each page back without the panel. A first build that
fails (`survive_first_build`) leaves the preview running too: each address answers "not found" under the panel,
with live reload, until a save mends it. The last good build is kept because the speed layer's `preview-output`
does not empty the folder before a rebuild; with IMPART_SPEED=0 MkDocs empties it before the checks run, and a
failed rebuild shows the panel over "not found".

The wrapping reads MkDocs' server as it is in the releases in VERIFIED_MKDOCS (impart/speed/registry.py lists
it with the rest of what impart replaces); on another release the preview stays stock and one line says so.
Proved by tests/serve/test_preview_mistakes.py (a real `mkdocs serve`, notes broken and mended).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Iterable
from importlib import metadata

import jinja2

VERIFIED_MKDOCS = ("1.6.1",)  # the releases whose LiveReloadServer this module was read and tested on

_PREFIX = "impart: "  # impart's logger writes it before its lines; the panel shows the lines as check prints them
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


class PreviewErrors:
    """What the last rebuild of the preview failed on: its error lines, empty after a good build, and whether any
    build has succeeded yet. Written by the build loop's thread, read by the server's threads (one tuple, replaced
    whole)."""

    def __init__(self) -> None:
        self.lines: tuple[str, ...] = ()
        self.built = False


ERRORS = PreviewErrors()  # one preview a process: the first build's failure and the server's share it


class _ErrorLines(logging.Handler):
    """The error lines logged under `mkdocs` while one build runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(line.removeprefix(_PREFIX))


def _cause(error: BaseException) -> BaseException:
    """The error that stopped the build: MkDocs turns a plugin's error into a bare "Aborted with a BuildError!"."""
    if isinstance(error, SystemExit) and error.__context__ is not None:
        return error.__context__
    return error


def failure_lines(logged: Iterable[str], error: BaseException) -> tuple[str, ...]:
    """The lines a person acts on: each error logged during the build, less MkDocs' echo of the error that stopped
    it (for impart, the count); that error's own message when nothing else was logged."""
    cause = _cause(error)
    message = " ".join(str(cause).split()) or type(cause).__name__
    lines = tuple(dict.fromkeys(line for line in logged if line.strip() and line != str(cause)))
    return lines or (message,)


def surviving(builder: Callable, errors: PreviewErrors, log: logging.LoggerAdapter | logging.Logger) -> Callable:
    """The server's builder, not raising: a failure keeps its lines in `errors` and prints their count."""

    def build(config=None):
        collected = _ErrorLines()
        logging.getLogger("mkdocs").addHandler(collected)
        try:
            if config is None:
                builder()
            else:
                builder(config)
        except (Exception, SystemExit) as error:  # MkDocs' Abort is a SystemExit
            errors.lines = failure_lines(collected.lines, error)
            if not collected.lines:
                log.error(errors.lines[0])  # the error no one logged, e.g. mkdocs.yml that is not YAML
            shown = "the last good build" if errors.built else "no page yet (nothing has built)"
            log.error(
                f"{len(errors.lines)} error(s): the preview shows {shown}, with these errors at the top of every "
                "page, until a save mends them"
            )
            return
        finally:
            logging.getLogger("mkdocs").removeHandler(collected)
        if errors.lines:
            log.info("the errors are mended: the preview shows the new build")
        errors.lines, errors.built = (), True

    return build


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("impart.serve", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=False,
)


def panel(lines: tuple[str, ...], built: bool) -> bytes:
    """The panel that heads every page while the preview's last rebuild failed."""
    template = _TEMPLATES.get_template("preview-errors.html.j2")
    return template.render(lines=lines, built=built).encode("utf-8")


def with_panel(errors: PreviewErrors, html: bytes) -> bytes:
    """The page with the panel first in its body; an answer that is no page (MkDocs' bare "404 Not Found") becomes
    one, with the panel and that answer."""
    lines, built = errors.lines, errors.built
    opened = _BODY.search(html)
    if opened is None:
        answer = html.decode("utf-8", errors="replace").strip()
        page = _TEMPLATES.get_template("preview-errors-page.html.j2")
        return page.render(lines=lines, built=built, answer=answer).encode("utf-8")
    return html[: opened.end()] + panel(lines, built) + html[opened.end() :]


def panel_middleware(app: Callable, errors: PreviewErrors, reloading: Callable[[bytes], bytes] | None = None):
    """`app` (the preview's WSGI app), with the panel written into each HTML page it answers while `errors`.
    `reloading` adds live reload to a page that has none (MkDocs gives it only to the site's files, not to a page
    not found, all there is before a first good build, nor to the form page the handler answers), so the page
    comes back by itself once a save mends the errors."""

    def answer(environ, start_response):
        lines = errors.lines
        if not lines:
            return app(environ, start_response)
        held: dict = {}

        def hold(status, headers, exc_info=None):
            held.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: held.setdefault("written", []).append(data)

        result = app(environ, hold)
        try:
            body = b"".join([*held.get("written", []), *result])
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = held["headers"]
        kind = next((value for name, value in headers if name.lower() == "content-type"), "")
        if kind.split(";")[0].strip().lower() == "text/html" and environ.get("REQUEST_METHOD") == "GET":
            body = with_panel(errors, body)
            if reloading is not None and b"livereload(" not in body:
                body = reloading(body)
            headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(held["status"], headers, held["exc_info"])
        return [body]

    return answer


def _engine() -> tuple[str, str]:
    """The package that runs the preview and its release: ProperDocs aliases `mkdocs` to itself."""
    name = importlib.import_module("mkdocs").__name__
    try:
        return name, metadata.version(name)
    except metadata.PackageNotFoundError:
        return name, "of no known release"


def unverified_mkdocs() -> str | None:
    """One line saying the installed MkDocs is not a release this module was verified on, or None."""
    engine, installed = _engine()
    if engine == "mkdocs" and installed in VERIFIED_MKDOCS:
        return None
    return (
        f"{engine} {installed} is not a release impart/serve/preview_errors.py was verified on "
        f"({', '.join(VERIFIED_MKDOCS)}): the preview stays stock, and a failed rebuild holds every page until it "
        "is mended; run tests/serve/test_preview_mistakes.py, then add it to VERIFIED_MKDOCS"
    )


def survive_first_build(log) -> bool:
    """Lets `mkdocs serve` start when its first build fails (the pages, not found, show the errors): the first call
    of the build its serve command makes is caught; later ones are the server's builder's (`install`)."""
    import mkdocs.commands.serve as serve_command

    if unverified_mkdocs() is not None:
        return False  # install() says so once
    original = serve_command.build
    if getattr(original, "first_caught", False):
        return True  # one preview a process
    made = []

    def build(config, **options):
        if made:
            return original(config, **options)
        made.append(config)
        return surviving(lambda: original(config, **options), ERRORS, log)()

    build.first_caught = True
    serve_command.build = build
    return True


def install(server, log, errors: PreviewErrors = ERRORS) -> PreviewErrors | None:
    """Wraps the live-reload `server`'s builder and app (see the module's docstring); None when it stays stock."""
    refusal = unverified_mkdocs()
    if refusal is not None or not callable(getattr(server, "builder", None)):
        log.info(refusal or "the preview stays stock: its server has no builder to wrap")
        return None
    server.builder = surviving(server.builder, errors, log)

    def reloading(html: bytes) -> bytes:
        return server._inject_js_into_html(html, server._visible_epoch)

    server.set_app(panel_middleware(server.get_app(), errors, reloading))
    return errors
