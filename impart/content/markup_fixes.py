"""Corrections to markup that Material writes outside any template block we can override.

Each fix names the checker rule it answers. They are applied to each built page
after rendering (MkDocs' on_post_page), and each is a no-op when Material's
markup changes, so a Material upgrade cannot break a page, only bring back a
finding that the accessibility and validity tests will report.
"""

from __future__ import annotations

import re

# Nu Html Checker: `autocomplete` is not allowed on checkboxes (base.html's drawer and search toggles).
_TOGGLE_AUTOCOMPLETE = re.compile(r'(<input class="md-toggle"[^>]*type="checkbox"[^>]*?) autocomplete="off"')
# axe aria-dialog-name: the search dialog (partials/search.html) has no accessible name.
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
# Nu Html Checker: partials/toc.html labels a `__toc` toggle that only exists when the navigation is shown.
_TOC_LABEL = '<label class="md-nav__title" for="__toc">'
# A Tab stop a reader cannot see: partials/search.html makes the results' scroll box focusable, and while
# search is closed it is 0 px high. Its results are links, each a Tab stop of its own.
_SEARCH_SCROLLWRAP = '<div class="md-search__scrollwrap" tabindex="0" data-md-scrollfix>'


# Everything the fixes touch is in the header and the sidebars, which come before the page's content.
_CONTENT = '<div class="md-content"'


def fix_material_markup(html: str) -> str:
    end = html.find(_CONTENT)
    head, rest = (html, "") if end < 0 else (html[:end], html[end:])
    head = _TOGGLE_AUTOCOMPLETE.sub(r"\1", head)
    head = head.replace(_SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + ' aria-label="Search">')
    head = head.replace(_SEARCH_SCROLLWRAP, _SEARCH_SCROLLWRAP.replace(' tabindex="0"', ""))
    if 'id="__toc"' not in head:
        head = head.replace(_TOC_LABEL, '<label class="md-nav__title">')
    return head + rest
