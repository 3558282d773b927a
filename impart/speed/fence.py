"""Where the speed layer applies: on the releases in `VERIFIED`, under MkDocs, unless `IMPART_SPEED=0`. Elsewhere
(ProperDocs too) one INFO line says why it is off: an upgrade can make a build slower, never a page different.
To verify a release: install it, run tests/speed/test_build_speed.py, then add it here."""

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


def unverified_versions() -> list[str]:
    """The installed releases of the patched packages that are not in VERIFIED, as 'name version'. Under
    ProperDocs (its `properdocs` command aliases mkdocs.* to itself) the fork's release stands for MkDocs'."""
    import mkdocs.plugins

    engine = "properdocs" if mkdocs.plugins.__name__.startswith("properdocs") else "mkdocs"
    found = []
    for package in (engine, *(name for name in VERIFIED if name not in ("mkdocs", "properdocs"))):
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue  # not installed: nothing of it to patch (the RSS plugin is optional to the layer)
        if installed not in VERIFIED.get(package, ()):
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
