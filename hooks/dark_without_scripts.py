"""The dark scheme without JavaScript: writes impart.content.dark_without_scripts' stylesheet from the built
stylesheets, for overrides/main.html's <noscript> link.

Events: on_post_build. Reads: the site folder's Material palette stylesheet and extra stylesheets.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

from impart.content.dark_without_scripts import FILE_NAME, dark_stylesheet


def on_post_build(*, config):
    stylesheets = Path(config.site_dir) / "assets" / "stylesheets"
    palette = sorted(stylesheets.glob("palette.*.min.css"))
    if not palette:
        raise PluginError(f"{stylesheets}: no Material palette stylesheet; set theme.palette in mkdocs.yml")
    sources = [palette[0], stylesheets / "impart.css", *(Path(config.site_dir) / p for p in config.extra_css)]
    texts = [path.read_text(encoding="utf-8") for path in sources if path.is_file()]
    (Path(config.site_dir) / FILE_NAME).write_text(dark_stylesheet(texts), encoding="utf-8")
