"""The site's settings: where the notes live, and every `extra:` key impart reads, declared once.

Each `extra:` key is a MkDocs config option, as Material's plugins declare theirs: its type, its
default, and what to write instead when a value is wrong. A wrong value is one line naming the key,
`mkdocs.yml: extra.home.latest: 'four' is not a whole number; write how many notes, e.g. 4`, the
same from `impart check`, `mkdocs build`, `impart serve` and the WSGI entry point
(tests/pages/test_settings_schema.py). `extra.intake.notify` is checked key by key in
impart.intake.notify_settings, where the command line's overrides and the environment join it.

`mkdocs.yml` is read with MkDocs' own YAML loader (`!ENV`, `INHERIT`, `!!python/name:`), without
building; during a build the hooks take the same settings from the build's config (`settings_for`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import ConfigurationError, PluginError
from mkdocs.utils import yaml_load

PLACEHOLDER_LABEL = "Indicative editorial"
CTA_LABEL = "Request a Proposal"


class SettingsError(ValueError):
    """A wrong value in mkdocs.yml: one line naming the key and what to write instead."""


class Setting(c.Type):
    """A typed `extra:` option with its default and the advice shown when a value has the wrong type."""

    _KINDS = {str: "text", bool: "true or false", int: "a whole number", dict: "a mapping"}

    def __init__(self, type_, default=None, *, fix: str):
        super().__init__(type_, default=default)
        self.fix = fix

    def run_validation(self, value):
        # YAML reads `yes` as True and `4` as 4; a bool is an int to Python, but not a count to an editor.
        if not isinstance(value, self._type) or (self._type is int and isinstance(value, bool)):
            raise base.ValidationError(f"{value!r} is not {self._KINDS[self._type]}; {self.fix}")
        return value


class Positive(Setting):
    """A whole number of at least 1 (a lifetime of 0 would end every login as it starts)."""

    def __init__(self, default: int, *, fix: str):
        super().__init__(int, default, fix=fix)

    def run_validation(self, value):
        value = super().run_validation(value)
        if value < 1:
            raise base.ValidationError(f"{value!r} is less than 1; {self.fix}")
        return value


class IntakeExtra(base.Config):
    """`extra.intake`: where the intake page, its handler and its fallback address are."""

    page = Setting(str, "request-a-proposal.md", fix="name the intake page under docs/, e.g. request-a-proposal.md")
    path = Setting(str, "request-a-proposal/", fix="give the intake page's address, e.g. request-a-proposal/")
    action = c.Optional(Setting(str, fix="give the URL of a handler on another host, or leave it out"))
    contact = Setting(str, "proposals@impart.example", fix="give a mail address, e.g. proposals@impart.example")
    notify = c.Optional(c.Type(object))  # checked key by key in impart.intake.notify_settings


class CtaExtra(base.Config):
    """`extra.cta`: the closing call to action every note shows unless it sets its own."""

    enabled = Setting(bool, True, fix="write true or false")
    lead = Setting(str, "", fix="write the sentence shown above the button")
    label = Setting(str, CTA_LABEL, fix=f"write the button's text, e.g. {CTA_LABEL}")


class HomeExtra(base.Config):
    """`extra.home`: the home page's choice of notes and its own call-to-action lead."""

    latest = Setting(int, 7, fix="write how many notes the home page lists, the lead included, e.g. 7")
    cta_lead = c.Optional(Setting(str, fix="write the sentence shown above the home page's button"))


class PlaceholdersExtra(base.Config):
    """`extra.placeholders`: the site-wide indicative notice, and whether indicative pages are indexed."""

    site_wide = c.Optional(c.Type(object))  # a placeholder: parsed by impart.content.placeholders.parse_placeholder
    indexed = Setting(bool, False, fix="write true to keep indicative pages in search engines, else false")
    label = Setting(str, PLACEHOLDER_LABEL, fix=f"write the notice's label, e.g. {PLACEHOLDER_LABEL}")


class PublishExtra(base.Config):
    """`extra.publish`: how many earlier releases `impart publish` keeps for `impart rollback`."""

    keep = Setting(int, 3, fix="write how many earlier releases to keep for rollback, e.g. 3")


class HealthExtra(base.Config):
    """`extra.health`: when /readyz fails for notifications that keep failing."""

    notify_failing_minutes = Setting(
        int, 15, fix="write after how many minutes a notification still unsent makes /readyz fail, e.g. 15"
    )


class InboxExtra(base.Config):
    """`extra.inbox`: the operator's web inbox at /inbox/, off unless turned on, and how long a login lasts."""

    enabled = Setting(bool, False, fix="write true to serve the inbox at /inbox/, else false")
    accounts = Setting(
        str, "inbox-accounts.json", fix="name the accounts file beside mkdocs.yml, e.g. inbox-accounts.json"
    )
    idle_minutes = Positive(30, fix="write after how many idle minutes a login ends, e.g. 30")
    absolute_hours = Positive(12, fix="write after how many hours any login ends, e.g. 12")


_GROUPS = {
    "intake": IntakeExtra, "cta": CtaExtra, "home": HomeExtra, "placeholders": PlaceholdersExtra,
    "publish": PublishExtra, "health": HealthExtra, "inbox": InboxExtra,
}  # fmt: skip


@dataclass(frozen=True)
class ExtraSettings:
    """Every `extra:` group impart reads, validated; read as attributes, never with `.get()`."""

    intake: IntakeExtra
    cta: CtaExtra
    home: HomeExtra
    placeholders: PlaceholdersExtra
    publish: PublishExtra
    health: HealthExtra
    inbox: InboxExtra
    categories: dict[str, str]  # `extra.categories`: a category's title -> its one-line description


def extra_settings(extra: Mapping | ExtraSettings | None, source: str = "mkdocs.yml") -> ExtraSettings:
    """`extra:` from mkdocs.yml, validated against the schema above; raises SettingsError for a wrong value.

    Keys impart does not read (Material's own, such as `generator`) are left to their readers.
    """
    if isinstance(extra, ExtraSettings):
        return extra
    if not isinstance(extra, Mapping) and extra is not None:
        raise SettingsError(f"{source}: extra: not a mapping; write its settings as key: value lines")
    groups = {}
    for name, schema in _GROUPS.items():
        raw = (extra or {}).get(name)
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise SettingsError(f"{source}: extra.{name}: not a mapping; write its settings as key: value lines")
        group = schema(config_file_path=source)
        group.load_dict(dict(raw))
        failed, _unknown = group.validate()
        if failed:
            key, error = failed[0]
            raise SettingsError(f"{source}: extra.{name}.{key}: {error}")
        groups[name] = group
    return ExtraSettings(**groups, categories=_category_descriptions((extra or {}).get("categories"), source))


def _category_descriptions(found, source: str) -> dict[str, str]:
    if found is None:
        return {}
    if not isinstance(found, Mapping):
        raise SettingsError(f"{source}: extra.categories: not a mapping; write one `Category: description` a line")
    for title, text in found.items():
        if not isinstance(text, str):
            raise SettingsError(f"{source}: extra.categories.{title}: {text!r} is not text; write one sentence")
    return {str(title): text for title, text in found.items()}


@dataclass(frozen=True)
class SiteSettings:
    root: Path
    docs_dir: Path
    blog_dir: str
    categories_allowed: tuple[str, ...]
    extra: ExtraSettings
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
    """The settings of the site `config_file` describes, read without building; raises SettingsError."""
    config_path = Path(config_file)
    with config_path.open("rb") as handle:
        try:
            raw = yaml_load(handle) or {}
        except ConfigurationError as error:
            mark = getattr(error.__context__, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise SettingsError(f"{config_path}: not valid YAML{where}; fix its indentation") from None
    root = config_path.resolve().parent
    blog = _blog_plugin_config(raw.get("plugins"))
    return SiteSettings(
        root=root,
        docs_dir=root / raw.get("docs_dir", "docs"),
        blog_dir=blog.get("blog_dir", "blog"),
        categories_allowed=tuple(blog.get("categories_allowed") or ()),
        extra=extra_settings(raw.get("extra"), config_path.name),
        site_url=raw.get("site_url") or "",
        custom_dir=(raw.get("theme") or {}).get("custom_dir", "overrides"),
    )


# The build's settings, made once per build from its config and asked for by every hook of that build.
_build: dict = {}


def settings_for(config) -> SiteSettings:
    """The settings of the build `config` (a MkDocsConfig) is for; raises PluginError naming a wrong key."""
    if _build.get("config") is not config:
        blog = config.plugins["material/blog"].config
        try:
            extra = extra_settings(dict(config.extra), Path(config.config_file_path or "mkdocs.yml").name)
        except SettingsError as error:
            raise PluginError(str(error)) from None
        settings = SiteSettings(
            root=Path(config.config_file_path).resolve().parent,
            docs_dir=Path(config.docs_dir),
            blog_dir=blog.blog_dir,
            categories_allowed=tuple(blog.categories_allowed),
            extra=extra,
            site_url=config.site_url or "",
            custom_dir=config.theme.custom_dir or "overrides",
        )
        _build.update(config=config, settings=settings)
    return _build["settings"]
