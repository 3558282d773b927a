"""Where the speed layer applies: on the releases in `VERIFIED`, under MkDocs, and when not switched off.

On any other release (or under ProperDocs) the layer stays off and one INFO line says why: an upgrade can make a
build slower, never a page different. `IMPART_SPEED=0` turns it off; `IMPART_SPEED_SKIP=item,item` leaves items
off (bench/ablation.py). To verify a release: install it, run tests/speed/test_build_speed.py, then add it here."""

from __future__ import annotations

import functools
import os
from importlib import metadata

from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger("impart")

# The releases each patched package was read and tested at (tests/speed/test_build_speed.py passes on them).
VERIFIED = {
    "mkdocs": ("1.6.1",),
    "mkdocs-material": ("9.8.1", "9.8.2"),
    "mkdocs-rss-plugin": ("1.19.0",),
}

# The names impart.speed.registry's rows are switched by (preview-cache's memory also serves parallel-build).
ITEMS = (
    "excerpts",
    "post-lookups",
    "libyaml",
    "front-matter-cache",
    "readtime-cache",
    "dates",
    "template-dict",
    "exit-freeze",
    "translations",
    "listing-sources",
    "parser-reuse",
    "partials-memo",
    "parallel-build",
    "preview-cache",
    "preview-output",
)


def engine() -> str:
    """The package that runs the build: ProperDocs, when its `properdocs` command has aliased mkdocs.* to itself."""
    import mkdocs.plugins

    return "properdocs" if mkdocs.plugins.__name__.startswith("properdocs") else "mkdocs"


def unverified_versions() -> list[str]:
    """The installed releases of the patched packages that are not in VERIFIED, as 'name version'."""
    found = []
    for package, versions in VERIFIED.items():
        if package == "mkdocs" and engine() != "mkdocs":  # the fork runs the build: its own row, if any
            package, versions = engine(), VERIFIED.get(engine(), ())
        elif package == "properdocs":
            continue
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue  # not installed: nothing of it to patch (the RSS plugin is optional to the layer)
        if installed not in versions:
            found.append(f"{package} {installed}")
    return found


@functools.cache
def active() -> bool:
    """Whether the speed layer applies in this process; says once why not, when the cause is a version."""
    if os.environ.get("IMPART_SPEED", "1") == "0":
        return False
    unverified = unverified_versions()
    if unverified:
        log.info(
            f"the speed layer is off: {', '.join(unverified)} is not a release it was verified on "
            f"(impart/speed/fence.py); the build runs stock, slower but the same"
        )
        return False
    return True


@functools.cache
def skipped() -> frozenset[str]:
    names = {name.strip() for name in os.environ.get("IMPART_SPEED_SKIP", "").split(",") if name.strip()}
    unknown = names - set(ITEMS)
    if unknown:
        raise ValueError(f"IMPART_SPEED_SKIP: unknown item {sorted(unknown)[0]!r}; the items are {', '.join(ITEMS)}")
    return frozenset(names)


def on(item: str) -> bool:
    """Whether one item of the layer applies in this process."""
    assert item in ITEMS, item
    return active() and item not in skipped()
