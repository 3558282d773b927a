"""The `impart` command: content checks and, later, the intake's operator tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impart.content.dates import build_date
from impart.content.placeholders import PlaceholderError, indicative_pages, overdue_message
from impart.content.site_checks import check_site
from impart.intake.definition import FormDefinitionError, load_form
from impart.intake.notify_settings import add_notify_options, overrides_from
from impart.intake.settings import intake_settings
from impart.proposals_cli import add_proposals_commands
from impart.proposals_workflow_cli import add_workflow_commands
from impart.settings import load_settings


def _config_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value} not found; run from the project's folder or pass --config PATH")
    return path


def _indicative(settings, texts=None):
    try:
        return indicative_pages(settings, texts)
    except PlaceholderError as error:
        return [], [f"mkdocs.yml: {error}"]


def cmd_check(args) -> int:
    """The build's checks, without building: front matter, titles, links, images, other hosts, placeholder
    promises, the form definition; every problem of every file, then their count."""
    settings = load_settings(args.config)
    today = build_date()
    _, problems, texts = check_site(settings)
    lines = [f"{'warning' if p.severity == 'warning' else 'error'}: {p}" for p in problems]
    intake = intake_settings(settings.extra, settings.site_url)
    try:
        load_form(settings.docs_dir / intake.page_source, settings.relative(settings.docs_dir / intake.page_source))
    except FormDefinitionError as error:
        lines.append(f"error: {error}")
    pages, unreadable = _indicative(settings, texts)
    lines += [f"error: {line}" for line in unreadable]
    lines += [f"warning: {p.path}: {overdue_message(p.notice, today)}" for p in pages if p.notice.is_overdue(today)]
    for line in lines:
        print(line)
    checked = len(list(settings.posts_dir.rglob("*.md")))
    if lines:
        files = len({line.split(": ", 1)[1].split(":", 1)[0] for line in lines})
        print(f"{len(lines)} problem(s) in {files} file(s); {checked} field note(s) checked", file=sys.stderr)
        return 1
    print(f"{checked} field note(s) checked: no problems")
    return 0


def cmd_placeholders(args) -> int:
    """Every indicative page with its promised date; exit 1 when any is overdue."""
    settings = load_settings(args.config)
    today = build_date()
    pages, unreadable = _indicative(settings)
    for line in unreadable:
        print(f"error: {line}", file=sys.stderr)
    if not pages:
        print("no indicative pages")
        return 1 if unreadable else 0
    width = max(len(p.path) for p in pages)
    print(f"{'page':<{width}}  {'arrives':<16}  status")
    overdue = 0
    for page in sorted(pages, key=lambda p: (p.notice.arrival.deadline, p.path)):
        left = page.notice.days_left(today)
        overdue += left < 0
        status = f"{-left} day(s) overdue" if left < 0 else f"{left} day(s) left"
        print(f"{page.path:<{width}}  {page.notice.arrival.text:<16}  {status}")
    print(f"{len(pages)} indicative page(s), {overdue} overdue, as of {today.isoformat()}")
    return 1 if overdue or unreadable else 0


def _served_origins(args) -> list[str]:
    """The origins `impart serve` answers for: --origin (or site_url's), and its own listening address."""
    from impart.intake.origin import address_origins, origin_of

    configured = args.origin or [origin_of(load_settings(args.config).site_url or "")]
    if not any(configured):
        return []
    return [*configured, *address_origins(args.host, args.port)]


def cmd_serve(args) -> int:
    """The built site and the proposal handler together, on waitress (hardened: impart.serve.hardened_server)."""
    from impart.intake.app import create_app
    from impart.intake.rate_limit import parse_rate
    from impart.serve.hardened_server import serve as serve_hardened
    from impart.serve.sender_process import start_sender_process
    from impart.serve.server_log import logging_to_stderr
    from impart.serve.static_site import StaticSite

    project = Path(args.config).resolve().parent
    site_dir = Path(args.site)
    if not (site_dir / "index.html").is_file():
        print(f"{site_dir}: no built site here; run make build first, or pass --site DIR", file=sys.stderr)
        return 2
    try:
        rate = parse_rate(args.rate_limit)
    except ValueError as error:
        print(f"--rate-limit: {error}", file=sys.stderr)
        return 2
    origins = _served_origins(args)
    if not origins:
        print(
            f"{args.config}: site_url is not set; set it to the site's address, or pass --origin URL", file=sys.stderr
        )
        return 2
    try:
        app = create_app(
            project,
            site_dir=site_dir,
            proposals_dir=Path(args.proposals),
            origins=origins,
            allowed_origins=args.allow_origin,
            rate_limit=rate,
            fallback=StaticSite(site_dir),
            notify=overrides_from(args),
        )
    except (FormDefinitionError, OSError) as error:
        print(f"impart serve: {error}", file=sys.stderr)
        return 2
    print(f"serving {site_dir} on http://{args.host}:{args.port}/ ; proposals land in {args.proposals}", flush=True)
    # Which Host names are answered (others get 421): the first thing to check when a proxy's requests are refused.
    print(f"answering for {', '.join(dict.fromkeys(origins))}", flush=True)
    print(app.notifications.settings.describe(), flush=True)
    start_sender_process(app.notifications, logging_to_stderr)  # before any thread or worker: it forks
    proxy = {}
    if args.trusted_proxy:
        proxy = {
            "trusted_proxy": args.trusted_proxy,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
        }
    options = dict(
        threads=args.threads,
        ident="impart",
        # Slow clients hold a connection each until the request deadline: allow many, and poll()
        # rather than select(), which cannot watch more than 1024 descriptors.
        connection_limit=args.connection_limit,
        request_timeout=args.request_timeout,
        asyncore_use_poll=True,
        # Refuse an oversized body as it arrives, rather than spool it to disk first.
        max_request_body_size=app.max_body + 1,
        **proxy,
    )
    if args.workers <= 1:
        with logging_to_stderr():
            serve_hardened(app, host=args.host, port=args.port, **options)
        return 0
    from impart.serve.prefork import listening_socket, serve_in_workers

    def serve_one_worker(listening) -> None:
        with logging_to_stderr():  # in each process: the writer thread does not survive fork()
            serve_hardened(app, sockets=[listening], **options)

    serve_in_workers(serve_one_worker, listening_socket(args.host, args.port), args.workers)
    return 0


def cmd_deploy_nginx(args) -> int:
    """Print the nginx server block for the built site and `impart serve` behind it."""
    from impart.serve.nginx_config import DeployError, nginx_site, render

    settings = load_settings(args.config)
    try:
        config = nginx_site(
            args.site, args.listen, args.upstream, args.server_name, intake_settings(settings.extra, settings.site_url)
        )
    except DeployError as error:
        print(f"impart deploy nginx: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render(config))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="impart", description=__doc__)
    parser.add_argument(
        "--config", "-f", type=_config_path, default="mkdocs.yml", help="the site's mkdocs.yml (default: ./mkdocs.yml)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check", help="every check the strict build makes (front matter, links, images, other hosts), without building"
    )
    check.set_defaults(run=cmd_check)
    placeholders = commands.add_parser(
        "placeholders", help="list indicative pages with their promised dates; exit 1 when any is overdue"
    )
    placeholders.set_defaults(run=cmd_placeholders)
    serve = commands.add_parser("serve", help="serve the built site and the proposal handler on waitress")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--site", default="site", help="the built site (default: site)")
    serve.add_argument("--proposals", default="proposals", help="where proposals land (default: proposals)")
    serve.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="URL",
        help="the site's own origin, e.g. https://impart.example (default: site_url's); requests for another Host "
        "are refused",
    )
    serve.add_argument(
        "--allow-origin", action="append", default=[], metavar="URL", help="another origin whose pages may post"
    )
    serve.add_argument("--rate-limit", default="5/600", metavar="COUNT/SECONDS", help="per client (default: 5/600)")
    serve.add_argument("--threads", type=int, default=8, help="waitress threads per process (default: 8)")
    serve.add_argument(
        "--workers", type=int, default=1, help="processes sharing the port, e.g. one per core (default: 1)"
    )
    serve.add_argument(
        "--connection-limit", type=int, default=4000, help="open connections at once, per process (default: 4000)"
    )
    serve.add_argument(
        "--request-timeout",
        type=float,
        default=20,  # a 256 KiB form on a poor mobile line
        metavar="SECONDS",
        help="a request must arrive whole within this time of its first byte, or it is dropped (default: 20)",
    )
    serve.add_argument(
        "--trusted-proxy", metavar="ADDR", help="a reverse proxy whose X-Forwarded-For/-Proto/-Host to believe"
    )
    # -- notifications: kept apart from the serving options above --
    add_notify_options(serve)
    serve.set_defaults(run=cmd_serve)
    deploy = commands.add_parser("deploy", help="print configuration for running the site in production")
    targets = deploy.add_subparsers(dest="target", required=True, metavar="TARGET")
    nginx = targets.add_parser("nginx", help="an nginx server block: the built site, and the handler behind it")
    nginx.add_argument("--site", required=True, metavar="DIR", help="the built site, as the server will see it")
    nginx.add_argument("--listen", required=True, metavar="[HOST:]PORT", help="where nginx listens, e.g. 80")
    nginx.add_argument("--upstream", required=True, metavar="HOST:PORT", help="where `impart serve` listens")
    nginx.add_argument("--server-name", default="_", metavar="NAME", help="the site's host name (default: any)")
    nginx.set_defaults(run=cmd_deploy_nginx)
    add_workflow_commands(*add_proposals_commands(commands))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as error:  # a setting someone can fix: SOURCE_DATE_EPOCH, mkdocs.yml
        print(f"impart {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
