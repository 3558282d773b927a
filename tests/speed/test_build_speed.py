"""The speed layer (hooks/speed.py) changes how long a build takes, never what it writes."""

from __future__ import annotations

import re

import pytest
import yaml

from impart.content.front_matter import split_front_matter
from impart.speed import parallel_build
from impart.speed.fingerprint import digest
from tests.helpers.many_notes import add_many_notes
from tests.helpers.site import copy_site, corpus_project, files_under, mkdocs_build

SPEED_HOOKS = ("  - hooks/speed.py",)


@pytest.mark.build
def test_the_optimised_build_writes_the_same_files(tmp_path, built_site):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert all(hook in text for hook in SPEED_HOOKS)
    config.write_text("\n".join(line for line in text.splitlines() if not line.startswith(SPEED_HOOKS)) + "\n")
    plain = tmp_path / "plain"
    result = mkdocs_build(config, plain)
    assert result.returncode == 0, result.stderr

    optimised = {p.relative_to(built_site.root): p.read_bytes() for p in files_under(built_site.root)}
    unoptimised = {p.relative_to(plain): p.read_bytes() for p in files_under(plain)}
    assert sorted(optimised) == sorted(unoptimised)
    different = [str(name) for name in optimised if optimised[name] != unoptimised[name]]
    assert different == []


@pytest.mark.build
def test_the_speed_layer_writes_the_same_files_on_a_site_with_every_listing_kind(tmp_path):
    project = corpus_project(tmp_path / "project")  # the real notes and the authoring toolkit's corpus
    add_many_notes(project, 64)
    fast, stock = tmp_path / "fast", tmp_path / "stock"
    for site, env in ((fast, {}), (stock, {"IMPART_SPEED": "0"})):
        result = mkdocs_build(project / "mkdocs.yml", site, **env)
        assert result.returncode == 0, result.stderr
    fast_files = {p.relative_to(fast): p.read_bytes() for p in files_under(fast)}
    stock_files = {p.relative_to(stock): p.read_bytes() for p in files_under(stock)}
    listings = {str(name.parent) for name in fast_files if name.name == "index.html"}
    for kind in (
        "field-notes/page/2",
        "field-notes/archive/2024",
        "field-notes/category/operations",
        "field-notes/author/desk",
        "field-notes/author/impart/page/2",
    ):
        assert kind in listings, kind  # fmt: skip
    assert sorted(fast_files) == sorted(stock_files)
    assert [str(name) for name in fast_files if fast_files[name] != stock_files[name]] == []


HELPED = re.compile(
    r"Parallel build: (\d+) Markdown renders and (\d+) pages from the helper, (\d+) of them written by it"
)


@pytest.mark.build
def test_on_two_cores_the_build_takes_part_of_its_pages_from_the_helper(built_site):
    if parallel_build.cores() < 2:
        pytest.skip("one core: the build runs without a helper")
    helped = HELPED.search(built_site.log)
    assert helped, built_site.log
    markdown, pages, written = map(int, helped.groups())
    assert markdown > 0 and pages > 0
    assert 0 < written <= pages  # the pages the helper wrote are not written again by the build


def test_a_page_the_helper_wrote_is_written_again_only_when_the_builds_bytes_differ(monkeypatch):
    writes = []
    write = parallel_build.written_by_helper(lambda content, path: writes.append((path, content)))
    monkeypatch.setattr(parallel_build, "WRITTEN", {})
    monkeypatch.setattr(parallel_build, "BUILD_WROTE", set())
    for path, content in (("a/index.html", b"<p>a</p>"), ("b/index.html", b"<p>b</p>")):
        parallel_build.WRITTEN[path] = digest(content)

    write(b"<p>a</p>", "a/index.html")  # the same bytes: left as the helper wrote them
    write(b"<p>b, changed</p>", "b/index.html")  # the build's own output differs: it replaces the helper's
    write(b"<p>c</p>", "c/index.html")  # a page the helper never wrote
    write(b"<p>a</p>", "a/index.html")  # a second write of a path is the build's own
    assert writes == [
        ("b/index.html", b"<p>b, changed</p>"),
        ("c/index.html", b"<p>c</p>"),
        ("a/index.html", b"<p>a</p>"),
    ]


def test_a_path_the_build_wrote_before_the_helpers_pages_came_is_written_again(monkeypatch):
    writes = []
    write = parallel_build.written_by_helper(lambda content, path: writes.append((path, content)))
    monkeypatch.setattr(parallel_build, "WRITTEN", {})
    monkeypatch.setattr(parallel_build, "BUILD_WROTE", set())

    write(b"<p>first page</p>", "shared/index.html")  # the build's own page, before the helper's come
    parallel_build.take_written({"shared/index.html": digest(b"<p>last page</p>")})
    write(b"<p>last page</p>", "shared/index.html")  # the helper's file there was overwritten: write it again
    assert writes == [("shared/index.html", b"<p>first page</p>"), ("shared/index.html", b"<p>last page</p>")]


@pytest.mark.build
def test_warnings_from_the_helpers_markdown_are_logged_once_and_fail_a_strict_build(tmp_path):
    project = copy_site(tmp_path / "project")
    notes = sorted((project / "docs/field-notes/posts").glob("*.md"))
    for note in notes:  # a lapsed promise is warned of as the note's Markdown is rendered, in the helper or not
        meta, body = split_front_matter(note.read_text(encoding="utf-8"))
        day = meta["date"]["created"] if isinstance(meta["date"], dict) else meta["date"]
        meta["placeholder"] = {"arrives": day.isoformat()}  # the day it was written: overdue on the build's day
        note.write_text(f"---\n{yaml.safe_dump(meta)}---\n{body}", encoding="utf-8")
    result = mkdocs_build(project / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    for note in notes:
        where = f"field-notes/posts/{note.name}"
        warnings = [line for line in result.stderr.splitlines() if where in line and "overdue" in line]
        assert len(warnings) == 1, result.stderr


def test_without_a_second_core_or_when_turned_off_there_is_no_helper(monkeypatch):
    monkeypatch.setenv("IMPART_PARALLEL_BUILD", "0")
    assert not parallel_build.available()
    monkeypatch.delenv("IMPART_PARALLEL_BUILD")
    monkeypatch.setattr(parallel_build, "cores", lambda: 1)
    assert not parallel_build.available()


def test_a_listings_further_pages_get_its_source_in_memory_and_no_copy_on_disk(tmp_path):
    from mkdocs.structure.files import File, Files

    from impart.speed.build_speed import ListingPageSources

    source = tmp_path / "docs" / "blog" / "index.md"
    source.parent.mkdir(parents=True)
    source.write_bytes("\ufeff# Blog\n\n".encode())
    temp = tmp_path / "temp"
    further = [File(f"blog/page/{n}.md", str(temp), str(tmp_path / "site"), True) for n in (2, 3)]
    other = File("other.md", str(tmp_path / "docs"), str(tmp_path / "site"), True)
    sources = ListingPageSources()
    for file in further:
        sources(str(source), file.abs_src_path)
    source.write_text("# Changed after the copies\n")  # a copy holds the bytes as they were when it was made
    sources.hand_over(Files([*further, other]))

    assert [file.content_string for file in further] == ["# Blog\n\n", "# Blog\n\n"]  # read as MkDocs reads a file
    assert other.abs_src_path == str(tmp_path / "docs" / "other.md")  # files that were not copies are left alone
    assert not temp.exists()
    next_build = File("blog/page/2.md", str(temp), str(tmp_path / "site"), True)  # not copied in the next build
    sources.hand_over(Files([next_build]))
    assert next_build.abs_src_path == str(temp / "blog" / "page" / "2.md")  # nothing carried over


def test_a_file_only_the_helper_wrote_is_removed_when_the_build_ends(tmp_path, monkeypatch):
    kept, unclaimed = tmp_path / "kept.html", tmp_path / "empty-for-the-build.html"
    for path in (kept, unclaimed):
        path.write_bytes(b"<p>made by the helper</p>")
    monkeypatch.setattr(parallel_build, "WRITTEN", {str(unclaimed): digest(b"<p>made by the helper</p>")})
    parallel_build.finish()  # the build never wrote `unclaimed`: its own output for that page was empty
    assert kept.exists() and not unclaimed.exists()
    assert parallel_build.WRITTEN == {}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the helper is a forked process")
def test_the_build_and_its_helper_never_do_the_same_page(tmp_path):
    import time

    pages = list(range(120))
    received = []

    def do_page(page):  # in the helper
        (tmp_path / f"helper-{page}").touch()
        time.sleep(0.001)

    for attempt in range(3):  # where they meet depends on timing: meet in several places
        for marker in tmp_path.iterdir():
            marker.unlink()
        helper = parallel_build.Helper(f"test{attempt}", pages, lambda p: p, do_page, lambda: "made", received.append)
        mine = []
        for page in pages:  # the build, going forwards
            if not helper.covers(page):
                mine.append(page)
                time.sleep(0.001 * (attempt + 1))
        helper.finish()
        by_helper = sorted(int(m.name.split("-")[1]) for m in tmp_path.iterdir())
        assert sorted(mine + by_helper) == pages  # every page done once, by one of them
        assert by_helper == [page for page in pages if helper.covers(page)]
    assert received == ["made"] * 3


def test_pages_markdown_is_converted_by_one_parser_reset_between_pages_with_a_fresh_parsers_results():
    import markdown

    from impart.speed.build_speed import MarkdownParserReused

    extensions = ["toc", "tables", "fenced_code", "admonition", "attr_list", "md_in_html"]
    options = {"toc": {"permalink": False}}
    pages = [
        "# Intro\n\n## Scope\n\nSee [the plan][plan].\n\n[plan]: plan.md\n\n!!! note\n    Kept *short*.\n",
        "## Scope\n\n## Scope\n\n<div markdown>**raw** block</div>\n\n```\ncode <b>\n```\n",
        "Uses [plan][] without defining it.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n{: #t }\n",
    ]
    reused = MarkdownParserReused(markdown)
    parsers, results = [], []
    for text in pages:
        parser = reused.Markdown(extensions=extensions, extension_configs=options)
        parsers.append(parser)
        results.append((parser.convert(text), parser.toc_tokens))
    fresh = []
    for text in pages:
        parser = markdown.Markdown(extensions=extensions, extension_configs=options)
        fresh.append((parser.convert(text), parser.toc_tokens))

    assert parsers[0] is parsers[1] is parsers[2]
    assert results == fresh  # no heading ids, references or stashed HTML carried from one page to the next
    other_options = {"toc": {"permalink": True}}
    assert reused.Markdown(extensions=extensions, extension_configs=other_options) is not parsers[0]
    assert reused.Markdown(extensions=list(extensions), extension_configs=other_options) is not parsers[0]
    assert reused.treeprocessors is markdown.treeprocessors  # the rest of the module is markdown's own


def test_the_reused_parser_keeps_no_footnote_abbreviation_or_tab_from_the_page_before():
    import markdown
    from mkdocs.config import load_config

    from impart.speed.build_speed import MarkdownParserReused
    from tests.helpers.site import PROJECT

    config = load_config(str(PROJECT / "mkdocs.yml"))
    extensions, options = config.markdown_extensions, config.mdx_configs
    pages = [
        "Baseline.[^a] The SLA holds.\n\n*[SLA]: Service level agreement\n\n[^a]: Before launch.\n\n"
        '=== "One"\n\n    1\n\n=== "Two"\n\n    2\n\n- [x] Done :warning:\n',
        'No notes here, and SLA is plain.[^a]\n\n=== "Three"\n\n    3\n\n```python\nx = 1\n```\n',
        "Second page's own.[^b]\n\n[^b]: Its note.\n\n*[OPS]: Operations\n\nOPS, not SLA.\n",
    ]
    reused = MarkdownParserReused(markdown)
    results = [reused.Markdown(extensions=extensions, extension_configs=options).convert(text) for text in pages]
    fresh = [markdown.Markdown(extensions=extensions, extension_configs=options).convert(text) for text in pages]
    assert results == fresh
    assert "<abbr" not in results[1] and "__tabbed_1_1" in results[1] and "fn:a" not in results[1]
