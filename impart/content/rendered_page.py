"""What a reader would see broken on a page once rendered, judged on the HTML the page's Markdown became: Markdown
left as text (links, images, notices, tabs, footnotes), code annotation markers left as plain comments, template
placeholders, an image, media or frame `src` or a link to a file (a clip, a PDF) that goes to no file of the built
site, anything loaded from another host.

The source checks (impart.content.body_checks) read the Markdown and cannot see what the parser did with it: a link or
a notice inside an HTML element, a frame written over two lines, a `(1)!` in a block with no list after it all
pass them and show broken. What they already report is not said again here.

Only a page whose Markdown holds something that can render broken (impart.content.render_marks) is judged: the
others cannot show any, and the build and `impart check` (which renders to know, impart.content.check_render) skip
the same pages, so both print the same lines. tests/content/test_rendered_page.py builds a note per finding.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from impart.content.body_checks import remote_fix
from impart.content.field_notes import Problem
from impart.content.page_html import CodeBlock, PageReader
from impart.content.references import Reference, links_to_file, local_target, references
from impart.content.render_marks import may_show_broken

# Markdown as a reader would see it written out, in the page's text (outside code).
_LEFT_AS_TEXT = (
    ("image", re.compile(r"!\[([^\]\n]*)\]\(([^()\n]*)\)")),
    ("link", re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^()\n]*)\)")),
    ("notice", re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]*[\w-]+[^\n]*", re.M)),
    ("tab", re.compile(r"^[ \t]*===\+?[ \t]+[\"“][^\n]*", re.M)),
    ("footnote", re.compile(r"\[\^([^\]\s]+)\](?!:)")),
    ("placeholder", re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)),
)
# Raw HTML elements that can hold Markdown blocks once they carry `markdown` (the md_in_html extension).
_RAW_BLOCKS = frozenset("div section article aside center figure details blockquote header footer main nav".split())
_MEDIA = frozenset({"img", "source", "video", "audio", "iframe"})
_NOUNS = {"img": "image", "link": "stylesheet"}
# Files the build writes beside the pages, not taken from docs/ (mkdocs' sitemap, mkdocs-rss-plugin's feeds): a link
# to one goes to a file, though no page's source names it.
BUILD_WRITES = frozenset(
    "sitemap.xml sitemap.xml.gz feed_rss_created.xml feed_rss_updated.xml feed_json_created.json "
    "feed_json_updated.json".split()
)
_TEMPLATE_CONFIG = re.compile(r"^\{\{\s*config\.([\w.]+)\s*\}\}$")


@dataclass(frozen=True)
class RenderedPage:
    """A page as rendered: where it is, its Markdown (the whole file) and the HTML its body became."""

    src_uri: str  # its path under docs/
    where: str  # the path an editor sees
    url: str  # its address in the site, as MkDocs gives it ("field-notes/a-note/")
    text: str  # the whole file, front matter included
    html: str  # the body's HTML, as the Markdown rendered it


@dataclass(frozen=True)
class Site:
    """What a page's findings are judged against: the files of the built site and of docs/."""

    site_files: Collection[str]  # every file's path in the built site ("field-notes/a-note/index.html")
    docs_files: Collection[str]  # every file under docs/, as src_uri
    site_path: str = "/"  # the path of site_url: where the site's root is on its host
    annotate: bool = True  # Material's `content.code.annotate` is on for every block
    page_url: Callable[[str], str | None] = lambda src_uri: None  # a page's address by its src_uri
    config_value: Callable[[str], str | None] = lambda dotted: None  # a `config.` value a placeholder names


class _Lines:
    """Finds the line of the page's file a finding comes from: the first line, after the last found for the same
    text, that holds it."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._after: dict[str, int] = {}

    def of(self, *needles: str) -> int | None:
        for needle in filter(None, needles):
            start = self._after.get(needle, 0)
            for index in range(start, len(self._lines)):
                if needle in self._lines[index]:
                    self._after[needle] = index + 1
                    return index + 1
        return None

    def line(self, number: int | None) -> str:
        return self._lines[number - 1] if number else ""


def judge(page: RenderedPage, site: Site) -> list[Problem]:
    """Everything on the rendered page a reader would see broken that the source checks do not report, each one
    line naming the file, the line where it can be found and the fix. Empty for a page `may_show_broken` passes."""
    if not may_show_broken(page.text):
        return []
    reader = PageReader()
    reader.feed(page.html)
    reader.close()
    lines = _Lines(page.text)
    # A template placeholder in an address the source checks report already, with its fix.
    said = tuple(ref.url for ref in references(page.text) if "{{" in ref.url or "{%" in ref.url)
    found = [
        problem
        for problem, shown in _left_as_text("".join(reader.text), reader.holders, page, site, lines)
        if not any(shown in url or url in shown for url in said)
    ]
    found += _annotations(reader.blocks, site, lines, page)
    body_refs = references(page.text)
    found += _fetched(reader.fetched, body_refs, page, site, lines)
    found += _linked(reader.linked, body_refs, page, site, lines)
    return sorted(found, key=lambda p: p.line or 0)


def _problem(page: RenderedPage, line: int | None, message: str) -> Problem:
    return Problem(page.where, "body", message, line=line)


def _straight(text: str) -> str:
    return text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")


def _left_as_text(
    text: str, holders: list[tuple[int, str]], page: RenderedPage, site: Site, lines: _Lines
) -> Iterator[tuple[Problem, str]]:
    """Each piece of Markdown shown as written, and that piece."""
    starts = [start for start, _ in holders]
    for kind, pattern in _LEFT_AS_TEXT:
        for match in pattern.finditer(text):
            shown = match.group(0).strip()
            at = bisect.bisect_right(starts, match.start() + len(match.group(0)) - len(match.group(0).lstrip())) - 1
            holder = holders[at][1] if at >= 0 else ""
            yield _left_as_text_problem(kind, match, shown, holder, page, site, lines), shown


def _raw_opening(tag: str, lines: _Lines, line: int | None) -> str | None:
    """The opening tag of the raw HTML element `tag` that holds the page's line `line`, as written."""
    pattern = re.compile(rf"<{tag}\b[^>]*>", re.I)
    for number in range(line or 0, 0, -1):
        found = pattern.findall(lines.line(number))
        if found:
            return found[-1]
    return None


def _left_as_text_problem(
    kind: str, match: re.Match, shown: str, holder: str, page: RenderedPage, site: Site, lines: _Lines
) -> Problem:
    if kind in ("image", "link"):
        label, url = match.group(1), match.group(2).strip()
        line = lines.of(f"]({match.group(2)})", _straight(shown))
        written = (
            f'<img src="{url}" alt="{label}">'
            if kind == "image"
            else f'<a href="{_html_href(url, page, site)}">{label}</a>'
        )
        return _problem(
            page,
            line,
            f"the {kind} {shown} shows as written, not as {'an image' if kind == 'image' else 'a link'} "
            f"(Markdown inside an HTML element is not read); write it as {written}",
        )
    if kind in ("notice", "tab"):
        straight = _straight(shown)
        line = lines.of(straight, " ".join(straight.split()[:2]))
        noun = "notice" if kind == "notice" else "content tab"
        opening = _raw_opening(holder, lines, line) if holder in _RAW_BLOCKS else None
        if opening and "markdown" not in opening.lower():
            fix = (
                f"it is inside an HTML element, where Markdown is not read unless the element asks for it: write "
                f"{opening} as {opening[:-1].rstrip('/ ')} markdown>"
            )
        else:
            fix = (
                "start it on a line of its own with a blank line before it, outside any HTML element, and indent "
                "its text by four spaces below it"
            )
        return _problem(page, line, f"the {noun} '{straight}' shows as written, not as a {noun}; {fix}")
    if kind == "footnote":
        name = match.group(1)
        if re.search(rf"^[ \t]*\[\^{re.escape(name)}\]:", page.text, re.M):
            fix = "it is inside an HTML element, where Markdown is not read: move it into a paragraph"
        else:
            fix = f"no note is written for it: add a line '[^{name}]: the note's text' at the end of the page"
        return _problem(page, lines.of(shown), f"the footnote {shown} shows as written, not as a footnote; {fix}")
    value = _config_value(shown, site)
    fix = f"write {value} in its place" if value is not None else "write the text it stands for in its place"
    return _problem(
        page,
        lines.of(_straight(shown), shown[:2]),
        f"the template placeholder {shown} shows as written (a page's Markdown is not a template); {fix}",
    )


def _config_value(placeholder: str, site: Site) -> str | None:
    found = _TEMPLATE_CONFIG.match(placeholder)
    return site.config_value(found.group(1)) if found else None


def _html_href(url: str, page: RenderedPage, site: Site) -> str:
    """The href that works in raw HTML (which MkDocs does not rewrite): a page's address, not its file."""
    parts = urlsplit(url)
    target = local_target(page.src_uri, url)
    address = site.page_url(target) if target and target.endswith(".md") else None
    if address is None:
        return url
    relative = posixpath.relpath("/" + address, "/" + page.url) if address != page.url else "."
    relative = relative + "/" if address.endswith("/") and not relative.endswith("/") else relative
    return relative + (f"#{parts.fragment}" if parts.fragment else "")


def _annotations(blocks: list[CodeBlock], site: Site, lines: _Lines, page: RenderedPage) -> Iterator[Problem]:
    for block in blocks:
        for number, in_comment in block.markers:
            marker = f"({number})!"
            line = lines.of(marker)
            if not in_comment:
                fix = (
                    "it is not in a comment of the block's language; name the language after the opening fence "
                    "(```python) and write the marker after its comment sign (# (1)! in Python, // (1)! in JavaScript)"
                )
            elif not site.annotate:
                fix = "turn on content.code.annotate in mkdocs.yml's theme features"
            elif block.list_items is None:
                fix = (
                    f"no numbered list follows the block; add one right after it, after a blank line: "
                    f"'{number}. the note'"
                )
            elif block.list_items < int(number):
                fix = f"the list after the block has {block.list_items} item(s); add item {number}"
            else:
                continue
            yield _problem(
                page, line, f"the code annotation {marker} shows as a plain comment, not as an annotation; {fix}"
            )


def _fetched(
    fetched: list[tuple[str, str]], body_refs: list[Reference], page: RenderedPage, site: Site, lines: _Lines
) -> Iterator[Problem]:
    said_remote = {ref.url for ref in body_refs if ref.kind != "link"}
    said_missing = {
        ref.url
        for ref in body_refs
        if ref.kind != "link" and (t := local_target(page.src_uri, ref.url)) is not None and t not in site.docs_files
    }
    folder = posixpath.dirname(page.where)
    for element, url in fetched:
        parts = urlsplit(url)
        noun = _NOUNS.get(element, element)
        if parts.scheme in ("http", "https") or url.startswith("//"):
            if url in said_remote:
                continue
            yield _problem(
                page,
                lines.of(url),
                f"the {noun} {url} is fetched from another host, which the site never asks of a reader's browser; "
                f"{remote_fix(_source_kind(element), url, folder)}",
            )
            continue
        if element not in _MEDIA or parts.scheme or not parts.path or url in said_missing:
            continue
        found = _site_file(page.url, parts.path, site.site_path)
        if found is not None and found in site.site_files:
            continue
        yield _problem(
            page,
            lines.of(url),
            f"the {noun} {url} goes to no file of the built site; "
            f"{_media_fix(url, page, site, found, 'files' if element == 'iframe' else 'images')}",
        )


def _linked(
    hrefs: list[str], body_refs: list[Reference], page: RenderedPage, site: Site, lines: _Lines
) -> Iterator[Problem]:
    """Each link to a file of the site (a clip, a PDF) that is not in the built site. Links to pages' files are the
    source checks' (impart.content.body_checks), as are links to files missing beside the note: not said again."""
    said = {
        ref.url
        for ref in body_refs
        if ref.kind == "link"
        and (target := local_target(page.src_uri, ref.url)) is not None
        and target not in site.docs_files
    }
    for url in dict.fromkeys(hrefs):
        parts = urlsplit(url)
        if url in said or parts.scheme or parts.netloc or url.startswith("//"):
            continue
        if not links_to_file(url):
            continue
        found = _site_file(page.url, parts.path, site.site_path)
        if found is not None and (found in site.site_files or found in BUILD_WRITES):
            continue
        yield _problem(
            page,
            lines.of(f'href="{url}"', f"href='{url}'", url),
            f"the link {url} goes to no file of the built site; {_media_fix(url, page, site, found, 'files')}",
        )


def _source_kind(element: str) -> str:
    return {"img": "image"}.get(element, element)


def _site_file(page_url: str, path: str, site_path: str) -> str | None:
    """The built site's file a path written on the page at `page_url` fetches; None when it leaves the site."""
    path = unquote(path)
    if path.startswith("/"):
        root = "/" + site_path.strip("/") + "/" if site_path.strip("/") else "/"
        if not path.startswith(root):
            return None
        return posixpath.normpath(path[len(root) :]) if path != root else None
    joined = posixpath.normpath(posixpath.join("/" + page_url, path))
    return joined.lstrip("/") or None


def _media_fix(url: str, page: RenderedPage, site: Site, looked: str | None, into: str = "images") -> str:
    name = posixpath.basename(urlsplit(url).path)
    same = [path for path in site.docs_files if posixpath.basename(path) == name]
    if len(same) == 1:
        written = posixpath.relpath(same[0], posixpath.dirname(page.src_uri) or ".")
        return f"the file is at docs/{same[0]}: write it as {written}, relative to this file"
    folder = posixpath.dirname(page.src_uri)
    beside = posixpath.join(folder, into, name)
    return f"save the file as docs/{beside} and write it as {posixpath.relpath(beside, folder or '.')}"
