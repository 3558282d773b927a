from impart.readtime import count_words, reading_minutes


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
