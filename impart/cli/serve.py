"""`impart serve`: the built site and the proposal handler on waitress, one process or several."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impart.cli.errors import refuse
from impart.cli.notify_options import add_notify_options, overrides_from
from impart.cli.one_account import other_account
from impart.intake.definition import FormDefinitionError
from impart.intake.rate_limit import DEFAULT_RATE, parse_rate
from impart.settings import load_settings


def _served_origins(args) -> list[str]:
    """The origins `impart serve` answers for: --origin (or site_url's), and its own listening address."""
    from impart.intake.origin import address_origins, origin_of

    configured = args.origin or [origin_of(load_settings(args.config).site_url or "")]
    if not any(configured):
        return []
    return [*configured, *address_origins(args.host, args.port)]


def cmd_serve(args) -> int:
    """The built site and the proposal handler together, on waitress (hardened: impart.serve.hardened_server)."""
    from impart.serve.hardened_server import serve as serve_hardened
    from impart.serve.sender_process import start_sender_process
    from impart.serve.server_log import logging_to_stderr
    from impart.serve.site_app import site_app

    refusal = other_account(Path(args.proposals))
    if refusal:  # every proposal it stored would be this account's, unreadable to the service's commands
        return refuse(refusal)
    project = Path(args.config).resolve().parent
    site_dir = Path(args.site)
    if not (site_dir / "index.html").is_file():
        print(
            f"{site_dir}: no built site here; run make publish (or make build) first, or pass --site DIR",
            file=sys.stderr,
        )
        return 2
    try:
        parse_rate(args.rate_limit)
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
        app = site_app(
            project,
            site_dir=site_dir,
            proposals_dir=Path(args.proposals),
            origins=origins,
            allowed_origins=args.allow_origin,
            rate_limit=args.rate_limit,
            notify=overrides_from(args),
            inbox=args.inbox,
            inbox_accounts=Path(args.inbox_accounts) if args.inbox_accounts else None,
        )
    except (FormDefinitionError, OSError, ValueError) as error:
        print(f"impart serve: {error}", file=sys.stderr)
        return 2
    print(f"serving {site_dir} on http://{args.host}:{args.port}/ ; proposals land in {args.proposals}", flush=True)
    # Which Host names are answered (others get 421): the first thing to check when a proxy's requests are refused.
    print(f"answering for {', '.join(dict.fromkeys(origins))}", flush=True)
    print(app.notifications.settings.describe(), flush=True)
    for _, inbox in app.mounts:
        accounts = inbox.accounts.path
        print(f"the inbox is at /inbox/ (over HTTPS but on loopback), with the accounts in {accounts}", flush=True)
        if not accounts.is_file():
            print(
                f"{accounts}: no accounts yet, so no one can log in; impart inbox add-user NAME makes one", flush=True
            )
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


def add_serve_command(commands) -> None:
    """Add `serve` and its options to the sub-parsers of the `impart` command."""
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
    serve.add_argument(
        "--rate-limit", default=DEFAULT_RATE, metavar="COUNT/SECONDS", help=f"per client (default: {DEFAULT_RATE})"
    )
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
    serve.add_argument(
        "--inbox",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="serve the operator's inbox at /inbox/ (default: extra.inbox.enabled in mkdocs.yml)",
    )
    serve.add_argument(
        "--inbox-accounts",
        metavar="FILE",
        help="the inbox's accounts, as made by impart inbox add-user --accounts FILE "
        "(default: extra.inbox.accounts, inbox-accounts.json beside mkdocs.yml)",
    )
    # -- notifications (issue 19): kept apart from the serving options above --
    add_notify_options(serve)
    serve.set_defaults(run=cmd_serve)
