from impart.content.readtime import count_words, reading_minutes


def test_code_blocks_and_notices_are_left_out():
    html = (
        "<p>One two three.</p><pre><code>not counted at all</code></pre>"
        '<aside role="note">nor this</aside><div class="admonition"><p>nor these words</p></div>'
        "<p>Four <code>five</code><br>six.</p>"
    )
    assert count_words(html) == 6


def test_minutes_round_up_and_never_fall_below_one():
    assert reading_minutes("") == 1
    assert reading_minutes("<p>" + "word " * 231 + "</p>", words_per_minute=230) == 2
    assert reading_minutes("<p>" + "word " * 230 + "</p>", words_per_minute=230) == 1


PLAIN_PROSE = [
    "<p>One two three.</p><p>Four <em>fi</em>ve, <strong>six</strong>-seven and eight's.</p>",
    '<h2 id="a-b">A heading &amp; more</h2><p>It&rsquo;s the team&#8217;s 2nd café, naïve or not.</p>',
    '<p>A <a href="/x/" title="a > b &quot;c&quot;">link</a> and <code>x_y</code> and a&nbsp;b &lt;c&gt;</p>',
    "<ul>\n<li>first-rate</li>\n<li>well--spaced -- words</li>\n</ul>\n<table><tr><td>1,000</td></tr></table>",
    "",
]
NOT_PLAIN_PROSE = [
    "<p>a < b and c</p>",  # a "<" that starts no tag
    "<p>one <!-- two --> three</p>",
    "<p>one</p><pre><code>two three</code></pre>",
    '<div class="admonition note"><p>skipped</p></div><p>kept</p>',
    "<p>an unclosed <em tag",
]


def test_plain_prose_is_counted_without_the_parser_and_alike():
    from impart.content.readtime import _count_words_by_parser, _plain_prose_text

    for html in PLAIN_PROSE:
        assert _plain_prose_text(html) is not None, html
        assert count_words(html) == _count_words_by_parser(html), html
    assert count_words(PLAIN_PROSE[0]) == 10


def test_anything_else_goes_to_the_parser():
    from impart.content.readtime import _count_words_by_parser, _plain_prose_text

    for html in NOT_PLAIN_PROSE:
        assert _plain_prose_text(html) is None, html
        assert count_words(html) == _count_words_by_parser(html), html
