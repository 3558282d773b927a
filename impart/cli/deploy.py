"""`impart deploy nginx`: the configuration for running the site in production, printed."""

from __future__ import annotations

import sys

from impart.intake.settings import intake_settings
from impart.settings import load_settings


def cmd_deploy_nginx(args) -> int:
    """Print the nginx server block for the built site and `impart serve` behind it."""
    from impart.serve.nginx_config import DeployError, nginx_site, render

    settings = load_settings(args.config)
    try:
        config = nginx_site(
            args.site,
            args.listen,
            args.upstream,
            args.server_name,
            intake_settings(settings.extra, settings.site_url),
            monitors=args.monitor,
            certificate=args.tls_certificate,
            key=args.tls_key,
            http_listen=args.http_listen,
            whole=args.whole,
            inbox=args.inbox,
            inbox_allow=args.inbox_allow,
        )
    except DeployError as error:
        print(f"impart deploy nginx: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render(config))
    return 0


def add_deploy_commands(commands) -> None:
    """Add `deploy` and its targets to the sub-parsers of the `impart` command."""
    deploy = commands.add_parser("deploy", help="print configuration for running the site in production")
    targets = deploy.add_subparsers(dest="target", required=True, metavar="TARGET")
    nginx = targets.add_parser("nginx", help="an nginx server block: the built site, and the handler behind it")
    nginx.add_argument("--site", required=True, metavar="DIR", help="the built site, as the server will see it")
    nginx.add_argument("--listen", required=True, metavar="[HOST:]PORT", help="where nginx listens, e.g. 80")
    nginx.add_argument("--upstream", required=True, metavar="HOST:PORT", help="where `impart serve` listens")
    nginx.add_argument("--server-name", default="_", metavar="NAME", help="the site's host name (default: any)")
    nginx.add_argument("--whole", action="store_true", help="a whole nginx.conf (default: the server blocks alone)")
    nginx.add_argument("--monitor", action="append", default=[], metavar="ADDR", help="may read /healthz (repeatable)")
    nginx.add_argument("--tls-certificate", metavar="FILE", help="HTTPS: the certificate chain (PEM), with --tls-key")
    nginx.add_argument("--tls-key", metavar="FILE", help="HTTPS: its private key (PEM)")
    nginx.add_argument("--http-listen", default="80", metavar="[HOST:]PORT", help="HTTPS: redirected (default: 80)")
    nginx.add_argument("--inbox", action="store_true", help="proxy the inbox at /inbox/ (over HTTPS only)")
    nginx.add_argument(
        "--inbox-allow", action="append", default=[], metavar="ADDR",
        help="the inbox answers only these addresses or networks (repeatable; implies --inbox)",
    )  # fmt: skip
    nginx.set_defaults(run=cmd_deploy_nginx)
