"""Fixes to Material's markup outside its template blocks (see impart.content.markup_fixes).

Events: on_post_page (every built page), on_post_template (404.html). Reads: nothing from front matter.
"""

from __future__ import annotations

from impart.content.markup_fixes import fix_material_markup


def on_post_page(output, *, page, config):
    return fix_material_markup(output)


def on_post_template(output_content, *, template_name, config):
    if template_name.endswith(".html"):  # 404.html
        return fix_material_markup(output_content)
    return None
