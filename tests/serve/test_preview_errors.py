"""impart.serve.preview_errors on its own: the builder that does not raise, and the panel written into pages.
The whole preview, broken and mended, is tests/serve/test_preview_mistakes.py."""

from __future__ import annotations

import logging

from bs4 import BeautifulSoup
from mkdocs.exceptions import Abort, PluginError
from werkzeug.test import Client
from werkzeug.wrappers import Response

from impart.serve.preview_errors import PreviewErrors, panel_middleware, surviving

PAGE = b'<!doctype html><html><head><title>t</title></head><body class="x"><main><h1>A note</h1></main></body></html>'


class Said(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[tuple[str, str]] = []

    def emit(self, record):
        self.lines.append((record.levelname, record.getMessage()))


def _failing_like_the_content_check():
    logging.getLogger("mkdocs.plugins.impart").error("impart: docs/a.md:3: 'date' is missing; write date: 2026-04-26")
    logging.getLogger("mkdocs.plugins.impart").error("impart: docs/b.md: the link x.md goes to no page; fix the path")
    try:
        raise PluginError("2 error(s) in the pages, each on a line above")
    except PluginError as error:
        logging.getLogger("mkdocs.commands.build").error(str(error))  # MkDocs echoes it
        raise Abort("Aborted with a BuildError!") from None


def _run(builder, errors):
    said = Said()
    log = logging.getLogger("tests.preview")
    log.setLevel(logging.INFO)
    log.addHandler(said)
    try:
        surviving(builder, errors, log)()
    finally:
        log.removeHandler(said)
    return said.lines


def test_a_failed_build_keeps_the_lines_check_prints_and_prints_their_count():
    errors = PreviewErrors()
    errors.built = True
    said = _run(_failing_like_the_content_check, errors)
    assert errors.lines == (
        "docs/a.md:3: 'date' is missing; write date: 2026-04-26",
        "docs/b.md: the link x.md goes to no page; fix the path",
    )
    assert said == [("ERROR", said[0][1])] and said[0][1].startswith(
        "2 error(s): the preview shows the last good build"
    )


def test_an_error_nobody_logged_is_the_one_line_and_is_printed_too():
    def config_not_yaml():
        raise ValueError("mkdocs.yml, line 2: expected ',' or ']'")

    errors = PreviewErrors()
    said = _run(config_not_yaml, errors)
    assert errors.lines == ("mkdocs.yml, line 2: expected ',' or ']'",)
    assert [message for _, message in said][0] == errors.lines[0]
    assert said[1][1].startswith("1 error(s): the preview shows no page yet (nothing has built)")


def test_a_good_build_after_a_failure_empties_the_panel_and_says_so():
    errors = PreviewErrors()
    errors.lines = ("docs/a.md: 'date' is missing",)
    said = _run(lambda: None, errors)
    assert errors.lines == () and said == [("INFO", "the errors are mended: the preview shows the new build")]


def _app(body: bytes, kind: str):
    return Response(body, content_type=kind)


def test_html_pages_get_the_panel_first_in_their_body_with_its_length_and_nothing_else_changes():
    errors = PreviewErrors()
    errors.lines = ("docs/a.md:3: <script>alert(1)</script> is not a key",)
    page = Client(panel_middleware(_app(PAGE, "text/html; charset=utf-8"), errors)).get("/")
    html = page.get_data()
    assert int(page.headers["Content-Length"]) == len(html)
    body = BeautifulSoup(html, "html.parser").body
    first = body.find(True)
    assert "impart-preview-errors" in first["class"] and first.select_one('[role="alert"]') is not None
    assert first.select_one("li").get_text() == errors.lines[0]  # as text: a file's words never become markup
    assert body.select_one("script") is None and body.select_one("main h1").get_text() == "A note"

    css = Client(panel_middleware(_app(b"body{}", "text/css"), errors)).get("/a.css")
    assert css.get_data() == b"body{}"
    posted = Client(panel_middleware(_app(PAGE, "text/html"), errors)).post("/")
    assert posted.get_data() == PAGE


def test_with_no_errors_the_page_is_the_servers_own():
    page = Client(panel_middleware(_app(PAGE, "text/html"), PreviewErrors())).get("/")
    assert page.get_data() == PAGE


def test_an_answer_that_is_no_page_becomes_one_with_the_panel():
    errors = PreviewErrors()
    errors.lines = ("docs/a.md: 'authors' is missing; write authors: [impart]",)
    answer = Client(panel_middleware(_app(b"404 Not Found", "text/html"), errors)).get("/field-notes/")
    page = BeautifulSoup(answer.get_data(), "html.parser")
    assert page.html["lang"] == "en" and page.title.get_text() == "The preview did not build"
    assert page.select_one('[role="alert"] li').get_text() == errors.lines[0]
    assert "Nothing has built yet" in page.select_one('[role="alert"]').get_text()
    assert page.select_one("main").get_text(strip=True) == "404 Not Found"
