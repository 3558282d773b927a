"""The notification options of `impart serve` and `impart proposals notify`, and what a command line gave.

Each overrides the same key of `extra.intake.notify` in mkdocs.yml; the keys and their checks live in
impart.intake.notify_settings, which reads the result of `overrides_from`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from impart.intake.notify_settings import DEFAULT_ACKNOWLEDGE_PER_HOUR, TLS_MODES


def add_notify_options(parser: argparse.ArgumentParser) -> None:
    """The notification options of `impart serve` and `impart proposals notify`; each overrides mkdocs.yml."""
    group = parser.add_argument_group("notifications (override extra.intake.notify in mkdocs.yml)")
    group.add_argument(
        "--notify-email", action="append", metavar="ADDRESS", help="mail each proposal here (repeatable)"
    )
    group.add_argument("--mail-from", metavar="ADDRESS", help="the From of notification mail")
    group.add_argument("--smtp-host", metavar="HOST", help="the mail server (default: localhost)")
    group.add_argument("--smtp-port", type=int, metavar="PORT", help="default: 25, 587 with starttls, 465 with tls")
    group.add_argument("--smtp-tls", choices=TLS_MODES, help="none, starttls or tls (default: none)")
    group.add_argument(
        "--smtp-ca-file",
        metavar="FILE",
        help="PEM file of the CA that signed the mail server's certificate, if private",
    )
    group.add_argument("--notify-webhook", metavar="URL", help="POST each proposal, signed, to this URL")
    group.add_argument(
        "--webhook-secret-file", metavar="FILE", help="the webhook's signing secret (else IMPART_WEBHOOK_SECRET)"
    )
    group.add_argument(
        "--acknowledge",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="mail the prospect their reference and what happens next",
    )
    group.add_argument(
        "--acknowledge-per-hour",
        type=int,
        metavar="N",
        help=f"acknowledge at most N proposals an hour, site-wide (default: {DEFAULT_ACKNOWLEDGE_PER_HOUR})",
    )


def overrides_from(args: argparse.Namespace) -> dict:
    """The options a command line gave, by setting name; options not given are left out."""
    given = {
        "email": args.notify_email,
        "mail_from": args.mail_from,
        "smtp_host": args.smtp_host,
        "smtp_port": args.smtp_port,
        "smtp_tls": args.smtp_tls,
        "smtp_ca_file": str(Path(args.smtp_ca_file).resolve()) if args.smtp_ca_file else None,
        "webhook": args.notify_webhook,
        "acknowledge": args.acknowledge,
        "acknowledge_per_hour": args.acknowledge_per_hour,
        "webhook_secret_file": args.webhook_secret_file,
    }
    return {key: value for key, value in given.items() if value is not None}
