"""The nginx configuration for the site and its handler, printed by `impart deploy nginx`.

The text is the template `templates/nginx-server.conf.j2` (the server blocks) or,
with --whole, `templates/nginx.conf.j2` (a complete nginx.conf around them); this
module checks what goes into it (an address, a folder, a name, a certificate's
path, a monitor's address) so that nothing given on the command line can add a
directive, and fills in the paths from mkdocs.yml, the handler's byte limit and
the handler's own security headers, so that a page answers with the same headers
through nginx as under `impart serve`. tests/serve/test_deploy_nginx.py and
tests/serve/test_deploy_https.py run the result in Debian's nginx in front of `impart serve`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from impart.intake.app import CONTENT_SECURITY_POLICY, MAX_BODY
from impart.intake.settings import IntakeSettings
from impart.serve.static_site import COMPRESSIBLE, FINGERPRINTED, IMMUTABLE, REVALIDATE

TEMPLATE = "nginx-server.conf.j2"
WHOLE_TEMPLATE = "nginx.conf.j2"
# The site's own page for a handler that does not answer (overrides/503.html, built as /503.html).
UNAVAILABLE_PAGE = "/503.html"
# A year: browsers keep to HTTPS for the site without asking; no includeSubDomains, since other
# hosts under the same name may not have HTTPS.
HSTS = "max-age=31536000"
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
    monitors: tuple[str, ...] = ()
    certificate: str = ""
    key: str = ""
    http_listen: str = "80"
    whole: bool = False
    inbox: bool = False  # proxy /inbox/ to the handler (over HTTPS only)
    inbox_allow: tuple[str, ...] = ()  # when given, the only addresses the inbox answers

    @property
    def https(self) -> bool:
        return bool(self.certificate)

    @property
    def https_port(self) -> str:
        """What the redirect adds after the host name: nothing for 443, else `:PORT`."""
        port = self.listen.rsplit(":", 1)[-1]
        return "" if port == "443" else f":{port}"


def address(option: str, value: str, *, host_required: bool) -> str:
    match = _ADDRESS.match(value)
    if not match or not 0 < int(match["port"]) < 65536 or (host_required and not match["host"]):
        form = "HOST:PORT, e.g. 127.0.0.1:8000" if host_required else "[HOST:]PORT, e.g. 0.0.0.0:80"
        raise DeployError(f"{option} {value!r} is not an address; write {form}")
    return value


def monitor(value: str, option: str = "--monitor") -> str:
    """An address or network allowed to read /healthz (or the inbox), as nginx's `allow` takes it."""
    try:
        return str(ipaddress.ip_network(value) if "/" in value else ipaddress.ip_address(value))
    except ValueError:
        raise DeployError(f"{option} {value!r} is not an IP address or network; write e.g. 203.0.113.7") from None


def tls_file(option: str, value: str) -> str:
    if not value.startswith("/") or _UNSAFE_PATH.search(value):
        raise DeployError(f"--{option} {value!r}: give the absolute plain path of the PEM file on the server")
    return value


def nginx_site(
    site: str,
    listen: str,
    upstream: str,
    server_name: str,
    intake: IntakeSettings,
    *,
    monitors: Iterable[str] = (),
    certificate: str | None = None,
    key: str | None = None,
    http_listen: str = "80",
    whole: bool = False,
    inbox: bool = False,
    inbox_allow: Iterable[str] = (),
) -> NginxSite:
    # Absolute but not resolved: `site` is the link `impart publish` switches, and nginx must follow it
    # at each request; a resolved path would pin the release served when the configuration was printed.
    folder = Path(os.path.abspath(site))
    if _UNSAFE_PATH.search(str(folder)):
        raise DeployError(f"--site {site!r}: nginx cannot take this path as written; move the site to a plain path")
    if not (folder / "index.html").is_file():
        raise DeployError(f"--site {site}: no built site here (no index.html); run make publish first")
    if not _SERVER_NAME.match(server_name):
        raise DeployError(f"--server-name {server_name!r} is not a host name; write e.g. impart.example")
    if intake.base != "/":
        raise DeployError(f"site_url has a path ({intake.base}); this server block serves a site at / only")
    if bool(certificate) != bool(key):
        raise DeployError("--tls-certificate and --tls-key go together; give both for HTTPS, or neither")
    return NginxSite(
        site=folder,
        listen=address("--listen", listen, host_required=False),
        upstream=address("--upstream", upstream, host_required=True),
        server_name=server_name,
        intake=intake.path,
        thanks=intake.thanks,
        monitors=tuple(monitor(value) for value in monitors),
        certificate=tls_file("tls-certificate", certificate) if certificate else "",
        key=tls_file("tls-key", key) if key else "",
        http_listen=address("--http-listen", http_listen, host_required=False),
        whole=whole,
        inbox=inbox or bool(inbox_allow),
        inbox_allow=tuple(monitor(value, "--inbox-allow") for value in inbox_allow),
    )


def render(config: NginxSite) -> str:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("impart.serve", "templates"),
        autoescape=False,  # nginx configuration, not HTML: every value is checked above instead
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(WHOLE_TEMPLATE if config.whole else TEMPLATE).render(
        config=config,
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
        # The handler's pages' own headers (impart.intake.app), for the intake page nginx serves itself.
        content_security_policy=CONTENT_SECURITY_POLICY,
        hsts=HSTS,
        unavailable=UNAVAILABLE_PAGE,
    )
