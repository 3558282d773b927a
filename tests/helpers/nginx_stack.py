"""Debian's nginx running what `impart deploy nginx` prints, in front of a real `impart serve`, for the deploy tests.

Everything nginx writes (pid, logs, temporary bodies) stays in the test's folder; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import shutil
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import trustme

from tests.helpers.servers import free_port, running, serve_command
from tests.helpers.site import PROJECT, run_env

FORM = "application/x-www-form-urlencoded"
_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def make_tls(folder: Path) -> tuple[ssl.SSLContext, Path, Path]:
    """A certificate for 127.0.0.1 and localhost from a CA made now: (a client context trusting that CA, the
    certificate chain file, the key file), the files in `folder`."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    chain, key = folder / "site.pem", folder / "site.key"
    certificate.private_key_pem.write_to_path(str(key))
    with chain.open("wb") as out:
        for blob in certificate.cert_chain_pems:
            out.write(blob.bytes())
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context, chain, key


def find_nginx() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).is_file():
        message = "Debian's nginx is not installed (bash .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def deploy_nginx_text(*options: str) -> str:
    """What `impart deploy nginx` prints, run as the operator runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "impart", "--config", str(PROJECT / "mkdocs.yml"), "deploy", "nginx", *options],
        capture_output=True, text=True, env=run_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def _user_line() -> str:
    return f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""


def around_server_blocks(folder: Path, server_blocks: Path) -> str:
    """A minimal nginx.conf around the printed server blocks, everything inside `folder`, as this user."""
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in _TEMP_PATHS)
    return f"""
{_user_line()}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "access.log"};
    {temp}
    include {server_blocks};
}}
"""


def whole_config_in(folder: Path, text: str) -> str:
    """The printed whole nginx.conf with Debian's system paths moved into `folder` and this user for www-data:
    the only changes; every directive of the site is as printed."""
    moved = {
        "user www-data;": _user_line(),
        "pid /run/nginx.pid;": f"pid {folder / 'nginx.pid'};",
        "/var/log/nginx/": f"{folder}/",
        "http {\n": "http {\n" + "".join(f"    {kind}_temp_path {folder / kind};\n" for kind in _TEMP_PATHS),
    }
    for old, new in moved.items():
        assert old in text, f"the whole nginx.conf no longer has {old!r}"
        text = text.replace(old, new, 1)
    return text


@dataclass
class Stack:
    port: int  # nginx
    handler_port: int  # impart serve, straight
    site: Path
    proposals: Path
    folder: Path


def site_with_a_secret(built_site_root: Path, folder: Path) -> Path:
    """The built site, with a secret dot file beside it that must never be served."""
    site = folder / "site"
    site.mkdir()
    for entry in built_site_root.iterdir():
        (site / entry.name).symlink_to(entry)
    (site / ".env").write_text("IMPART_SMTP_PASSWORD=secret\n")
    return site


@contextlib.contextmanager
def nginx_stack(
    built_site_root: Path,
    folder: Path,
    deploy_options: tuple[str, ...] = (),
    serve_options: tuple[str, ...] = ("--rate-limit", "2/600"),
    *,
    whole: bool = False,
    scheme: str = "http",
    handler: bool = True,
):
    """nginx on a free loopback port in front of `impart serve --trusted-proxy 127.0.0.1` on another
    (or, with handler=False, in front of a port where nothing listens)."""
    nginx = find_nginx()
    site = site_with_a_secret(built_site_root, folder)
    proposals = folder / "proposals"
    front, back = free_port(), free_port()
    options = ["--site", str(site), "--listen", f"127.0.0.1:{front}", "--upstream", f"127.0.0.1:{back}"]
    text = deploy_nginx_text(*options, *deploy_options, *(["--whole"] if whole else []))
    if whole:
        config = whole_config_in(folder, text)
    else:
        (folder / "impart.conf").write_text(text)
        config = around_server_blocks(folder, folder / "impart.conf")
    (folder / "nginx.conf").write_text(config)
    proxy = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log"),
             "-g", "daemon off;"]  # fmt: skip
    command = serve_command(
        site, proposals, back, "--trusted-proxy", "127.0.0.1", "--origin", f"{scheme}://127.0.0.1:{front}",
        "--origin", f"http://127.0.0.1:{back}", *serve_options,
    )  # fmt: skip
    with contextlib.ExitStack() as servers:
        if handler:
            servers.enter_context(running(command, back, log=folder / "serve.log"))
        servers.enter_context(running(proxy, front, log=folder / "nginx.out"))
        yield Stack(front, back, site, proposals, folder)


def request(port: int, method: str, path: str, body: bytes | str = b"", headers=None, *, source: str = "",
            tls: ssl.SSLContext | None = None):  # fmt: skip
    """One request on its own connection: (status, headers with lower-case names, body)."""
    address = (source, 0) if source else None
    if tls is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=address)
    else:
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, source_address=address, context=tls)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def submit(port: int, fields: dict, *, origin: str = "", tls: ssl.SSLContext | None = None, **headers: str):
    own = {"Content-Type": FORM, "Origin": origin or f"http://127.0.0.1:{port}"}
    return request(port, "POST", "/request-a-proposal/", urlencode(fields), {**own, **headers}, tls=tls)


def stored(proposals: Path) -> list[str]:
    return sorted(p.name for p in proposals.glob("*.json"))
