"""The nginx server block for the site and its handler, printed by `impart deploy nginx`.

The text is the template `templates/nginx-server.conf.j2`; this module checks
what goes into it (an address, a folder, a name) so that nothing given on the
command line can add a directive, and fills in the paths from mkdocs.yml and
the handler's byte limit. tests/serve/test_deploy_nginx.py runs the result in
Debian's nginx in front of `impart serve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from impart.intake.app import MAX_BODY
from impart.intake.settings import IntakeSettings
from impart.serve.static_site import COMPRESSIBLE, FINGERPRINTED, IMMUTABLE, REVALIDATE

TEMPLATE = "nginx-server.conf.j2"
_ADDRESS = re.compile(r"^(?:(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]):)?(?P<port>[0-9]{1,5})\Z")
_SERVER_NAME = re.compile(r"^(?:[A-Za-z0-9*](?:[A-Za-z0-9\-*.]{0,251}[A-Za-z0-9])?|_)\Z")
_UNSAFE_PATH = re.compile(r'["\\;{}$#\s]')


class DeployError(ValueError):
    """A value that cannot go into the configuration; the message names the option and the fix."""


@dataclass(frozen=True)
class NginxSite:
    site: Path
    listen: str
    upstream: str
    server_name: str
    intake: str
    thanks: str


def address(option: str, value: str, *, host_required: bool) -> str:
    match = _ADDRESS.match(value)
    if not match or not 0 < int(match["port"]) < 65536 or (host_required and not match["host"]):
        form = "HOST:PORT, e.g. 127.0.0.1:8000" if host_required else "[HOST:]PORT, e.g. 0.0.0.0:80"
        raise DeployError(f"{option} {value!r} is not an address; write {form}")
    return value


def nginx_site(site: str, listen: str, upstream: str, server_name: str, intake: IntakeSettings) -> NginxSite:
    folder = Path(site).resolve()
    if _UNSAFE_PATH.search(str(folder)):
        raise DeployError(f"--site {site!r}: nginx cannot take this path as written; move the site to a plain path")
    if not (folder / "index.html").is_file():
        raise DeployError(f"--site {site}: no built site here (no index.html); run make build first")
    if not _SERVER_NAME.match(server_name):
        raise DeployError(f"--server-name {server_name!r} is not a host name; write e.g. impart.example")
    if intake.base != "/":
        raise DeployError(f"site_url has a path ({intake.base}); this server block serves a site at / only")
    return NginxSite(
        site=folder,
        listen=address("--listen", listen, host_required=False),
        upstream=address("--upstream", upstream, host_required=True),
        server_name=server_name,
        intake=intake.path,
        thanks=intake.thanks,
    )


def render(config: NginxSite) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("impart.serve", "templates"),
        autoescape=False,  # nginx configuration, not HTML: every value is checked above instead
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(TEMPLATE).render(
        site=config.site.as_posix(),
        listen=config.listen,
        upstream=config.upstream,
        server_name=config.server_name,
        intake=config.intake,
        thanks=config.thanks,
        max_body=f"{MAX_BODY // 1024}k",
        # What `impart serve` compresses and how it caches (impart.serve.static_site), so the two agree;
        # nginx always compresses text/html, and warns when gzip_types lists it.
        gzip_types=" ".join(sorted(COMPRESSIBLE - {"text/html"})),
        fingerprinted=FINGERPRINTED.pattern,
        immutable=IMMUTABLE,
        revalidate=REVALIDATE,
    )
