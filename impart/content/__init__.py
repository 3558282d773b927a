"""What a page is: front matter, byline, reading time, placeholders, call to action, metadata, dates.

Depends on nothing else in `impart` but `impart.settings`: the intake reads front matter
through it, the speed layer reads it, never the reverse.
"""
