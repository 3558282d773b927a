"""impart.content.rendered_page: what a reader would see broken on the rendered page, which the source checks pass.
One note per kind of finding (tests/fixtures/shown-broken/) is built into a copy of the site: `impart check` and the
strict build say each finding in the same line, naming the file, the line and the fix, and the build writes no page.
Smaller cases are judged on HTML written here, the way Material's script reads it."""

from __future__ import annotations

import shutil

import pytest

from impart.content.render_marks import may_show_broken
from impart.content.rendered_page import RenderedPage, Site, judge
from tests.helpers.site import PROJECT, copy_site, files_under, impart, mkdocs_build

FIXTURES = PROJECT / "tests/fixtures/shown-broken"
POSTS = "docs/field-notes/posts"

EXPECTED = [
    "annotation-without-list.md:12: the code annotation (1)! shows as a plain comment, not as an annotation; no "
    "numbered list follows the block; add one right after it, after a blank line: '1. the note'",
    "footnote-without-note.md:9: the footnote [^baseline] shows as written, not as a footnote; no note is written "
    "for it: add a line '[^baseline]: the note's text' at the end of the page",
    "frame-over-two-lines.md:13: the iframe https://video.example.net/embed/rollout-demo is fetched from another "
    "host, which the site never asks of a reader's browser; replace the element with a link to it, "
    '<a href="https://video.example.net/embed/rollout-demo">Watch it on its own site</a>',
    "markdown-in-html.md:12: the image ![The handover in three boxes](images/handoff.png) shows as written, not as "
    "an image (Markdown inside an HTML element is not read); write it as "
    '<img src="images/handoff.png" alt="The handover in three boxes">',
    "markdown-in-html.md:12: the link [Read the handover runbook](../index.md) shows as written, not as a link "
    '(Markdown inside an HTML element is not read); write it as <a href="../">Read the handover runbook</a>',
    "notice-in-html.md:12: the notice '!!! warning \"Before the cut-over\"' shows as written, not as a notice; it is "
    "inside an HTML element, where Markdown is not read unless the element asks for it: write "
    '<div align="center"> as <div align="center" markdown>',
    "site-path-image.md:11: the image /images/queue-tuesday.png goes to no file of the built site; save the file as "
    "docs/field-notes/posts/images/queue-tuesday.png and write it as images/queue-tuesday.png",
    "template-in-text.md:9: the template placeholder {{ config.site_name }} shows as written (a page's Markdown is "
    "not a template); write Impart in its place",
]


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shown-broken")
    project = copy_site(folder / "project")
    posts = project / POSTS
    for note in sorted(FIXTURES.glob("*.md")):
        shutil.copy2(note, posts / note.name)
    (posts / "images").mkdir(exist_ok=True)
    shutil.copy2(PROJECT / "tests/fixtures/authoring/images/handoff.png", posts / "images/handoff.png")
    check = impart("check", cwd=project)
    build = mkdocs_build(project / "mkdocs.yml", folder / "site")
    return check, build, folder / "site"


@pytest.mark.build
def test_check_names_each_thing_a_reader_would_see_broken_with_its_line_and_fix(judged):
    check, _, _ = judged
    assert "Traceback" not in check.stdout + check.stderr, check.stderr
    assert check.returncode == 1
    assert check.stdout.splitlines() == [f"error: {POSTS}/{line}" for line in EXPECTED]


@pytest.mark.build
def test_the_strict_build_says_the_same_lines_and_writes_no_page(judged):
    _, build, site = judged
    assert build.returncode == 1
    logged = build.stderr.splitlines()
    for line in EXPECTED:
        assert f"ERROR   -  impart: {POSTS}/{line}" in logged, line
    assert "8 error(s) in the rendered pages, each on a line above; fix them, or see them with impart check" in (
        build.stderr
    )
    assert files_under(site) == []  # stopped before writing a page


def _judged(html: str, markdown: str = "(1)! `x` ](") -> list[str]:
    page = RenderedPage("field-notes/posts/n.md", "docs/field-notes/posts/n.md", "field-notes/n/", markdown, html)
    site = Site(site_files={"field-notes/posts/a.png"}, docs_files={"field-notes/posts/a.png"})
    return [problem.message for problem in judge(page, site)]


CODE = '<div class="language-python highlight"><pre><span></span><code>{}</code></pre></div>'
COMMENT = '<span class="n">go</span><span class="p">()</span>  <span class="c1"># ({})!</span>\n'


@pytest.mark.parametrize(
    ("html", "said"),
    [
        # Material's script looks past an empty paragraph to the list, and takes item N for marker N.
        (CODE.format(COMMENT.format(1)) + "<p></p><ol><li>One.</li></ol>", None),
        (
            CODE.format(COMMENT.format(2)) + "<ol><li>One.</li></ol>",
            "the list after the block has 1 item(s); add item 2",
        ),
        (CODE.format(COMMENT.format(1)) + "<p>Prose between.<em>x</em></p><ol><li>One.</li></ol>", "no numbered list"),
        (CODE.format(COMMENT.format(1)) + "<ul><li>One.</li></ul>", "no numbered list follows the block"),
        # Not in a comment token (a block with no language): the script never sees the marker.
        (CODE.format("go()  # (1)!\n") + "<ol><li>One.</li></ol>", "it is not in a comment of the block's language"),
    ],
)
def test_an_annotation_marker_is_judged_as_materials_script_reads_it(html, said):
    found = _judged(html)
    if said is None:
        assert found == []
    else:
        [message] = found
        assert message.startswith("the code annotation (") and said in message, message


@pytest.mark.parametrize(
    ("html", "said"),
    [
        ('<p><img src="../posts/a.png" alt="x"></p>', None),  # rewritten by MkDocs: the file is there
        ('<p><img src="../posts/b.png" alt="x"></p>', "the image ../posts/b.png goes to no file of the built site"),
        ('<picture><source srcset="../posts/a.png 1x, ../c.png 2x"></picture>', "the source ../c.png goes to no file"),
        ('<link rel="stylesheet" href="https://fonts.example.com/a.css">', "the stylesheet https://fonts.example.com"),
        ("<pre><code>[a](b.md) {{ x }} [^1]</code></pre>", None),  # code shows Markdown on purpose
        ("<p>[a](b.md)</p>", "the link [a](b.md) shows as written"),
    ],
)
def test_media_other_hosts_and_text_are_judged_on_the_html(html, said):
    found = _judged(html)
    if said is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(said), found


WELL_FORMED = """Plain words, [a link](other.md "its title"), [one that
wraps](../index.md#top), ![an image](images/a.png), <https://example.org/> and a footnote.[^1]

!!! note "A notice"
    Its text.

??? tip
    Folded.

=== "A tab"

    Its text.

A heading underlined
====================

[^1]: The note.
"""


@pytest.mark.parametrize(
    ("markdown", "judged"),
    [
        (WELL_FORMED, False),  # renders as written: not worth rendering in check
        (WELL_FORMED + '\n<div align="center">\nAnything.\n</div>\n', True),
        (WELL_FORMED + "\n[an address with a space](my note.md)\n", True),
        (WELL_FORMED + "\nAn escaped \\[bracket](x.md).\n", True),
        (WELL_FORMED + "\n!!! Note: the header is not one\n", True),
        (WELL_FORMED + "\n=== Tab without quotes\n", True),
        (WELL_FORMED + "\nA marker with no note.[^2]\n", True),
        (WELL_FORMED + "\n```python\nx = 1  # (1)!\n```\n", True),
        (WELL_FORMED + "\n{{ config.site_name }}\n", True),
        (WELL_FORMED + "\n![From the root](/images/a.png)\n", True),
    ],
)
def test_only_a_page_with_something_that_can_render_broken_is_judged(markdown, judged):
    assert may_show_broken(markdown) is judged


def test_a_page_without_any_mark_is_not_judged_at_all():
    assert _judged("<p>[a](b.md)</p>", markdown="Plain words only.") == []


def test_a_mkdocs_yml_the_renderer_cannot_read_is_one_line_naming_the_key(tmp_path):
    project = copy_site(tmp_path / "project")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nuse_directory_urls: perhaps\n", encoding="utf-8")
    shutil.copy2(FIXTURES / "template-in-text.md", project / POSTS / "template-in-text.md")
    check = impart("check", cwd=project)
    assert "Traceback" not in check.stdout + check.stderr, check.stderr
    assert check.returncode == 1
    assert check.stdout.splitlines() == [
        "error: mkdocs.yml: 'use_directory_urls': Expected type: <class 'bool'> but received: <class 'str'>; "
        "fix it as the MkDocs documentation of 'use_directory_urls' says"
    ]
    assert sorted(path.name for path in project.iterdir()) == sorted(["mkdocs.yml", "docs", "overrides", "hooks"])


def test_a_link_to_a_file_the_site_lacks_is_named_and_one_to_a_file_the_build_writes_is_not():
    said = _judged(
        '<p><a href="/feed_rss_created.xml">the feed</a> <a href="../../sitemap.xml">map</a> '
        '<a href="/assets/handout.pdf">the handout</a> <a href="../posts/a.png">the chart</a></p>'
    )
    assert said == [
        "the link /assets/handout.pdf goes to no file of the built site; save the file as "
        "docs/field-notes/posts/files/handout.pdf and write it as files/handout.pdf"
    ]
