"""Read the site's settings from `mkdocs.yml` without building.

`impart check` and the proposal handler need a few settings (where the notes
live, the allowed categories, `extra:`) but must not depend on MkDocs, so this
reads the YAML itself and tolerates MkDocs' custom tags (`!ENV`, `!!python/...`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads unknown tags as plain values instead of failing."""


def _construct_unknown(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("!", _construct_unknown)
_TolerantLoader.add_multi_constructor("tag:", _construct_unknown)


@dataclass(frozen=True)
class SiteSettings:
    root: Path
    docs_dir: Path
    blog_dir: str
    categories_allowed: tuple[str, ...]
    extra: dict = field(default_factory=dict)
    site_url: str = ""
    custom_dir: str = "overrides"

    @property
    def posts_dir(self) -> Path:
        return self.docs_dir / self.blog_dir / "posts"

    @property
    def authors_file(self) -> Path:
        return self.docs_dir / self.blog_dir / ".authors.yml"

    def relative(self, path: Path) -> str:
        """The path as an editor sees it: relative to the project's root."""
        return project_relative(path, self.root)


def project_relative(path, root) -> str:
    """`path` relative to the project's `root` as an editor writes it, or as given when outside the project."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return Path(path).as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _blog_plugin_config(plugins) -> dict:
    for entry in plugins or []:
        if isinstance(entry, dict):
            for name, value in entry.items():
                if name in ("blog", "material/blog"):
                    return value or {}
        elif entry in ("blog", "material/blog"):
            return {}
    if isinstance(plugins, dict):
        return plugins.get("blog") or plugins.get("material/blog") or {}
    return {}


def load_settings(config_file: str | Path) -> SiteSettings:
    config_path = Path(config_file)
    with config_path.open(encoding="utf-8") as handle:
        try:
            raw = yaml.load(handle, Loader=_TolerantLoader) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise ValueError(f"{config_path}: not valid YAML{where}; fix its indentation") from None
    root = config_path.resolve().parent
    blog = _blog_plugin_config(raw.get("plugins"))
    return SiteSettings(
        root=root,
        docs_dir=root / raw.get("docs_dir", "docs"),
        blog_dir=blog.get("blog_dir", "blog"),
        categories_allowed=tuple(blog.get("categories_allowed") or ()),
        extra=raw.get("extra") or {},
        site_url=raw.get("site_url") or "",
        custom_dir=(raw.get("theme") or {}).get("custom_dir", "overrides"),
    )
