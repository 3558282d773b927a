"""Who hears of a proposal, and how: the notification channels and where their secrets come from.

Three layers, later ones winning: `extra.intake.notify` in mkdocs.yml (nothing
secret, the CA file of a private mail server included), the `impart serve` /
`impart proposals notify` options, and the
environment for secrets only (IMPART_SMTP_USER, IMPART_SMTP_PASSWORD,
IMPART_WEBHOOK_SECRET, or IMPART_WEBHOOK_SECRET_FILE / --webhook-secret-file).
A secret written in mkdocs.yml is refused, as is any setting that could not work
(an address that is not one, a webhook without a secret), with one line naming
where it was set and what to do. tests/intake/test_notify_settings.py proves each case.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from urllib.parse import urlsplit

from impart.settings import ExtraSettings, extra_settings

MAIL, WEBHOOK, ACKNOWLEDGE = "mail", "webhook", "acknowledge"
TLS_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
_LOOPBACK = ("localhost", "127.0.0.1", "::1")  # a login without TLS stays on this machine
DEFAULT_ACKNOWLEDGE_PER_HOUR = 30  # well above a consultancy's hour of real requests, far below a mail cannon
_SECRET_KEYS = ("smtp_user", "smtp_password", "webhook_secret", "password", "secret")
# An address as a person types it: no spaces, quotes, brackets or control characters, a dotted domain.
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\Z")


class NotifySettingsError(ValueError):
    """A notification setting that cannot work; the message names where it was set and the fix."""


def mail_address(value) -> Address | None:
    """`value` as one plain address (no display name, nothing a header could be built from), or None."""
    if not isinstance(value, str) or not _ADDRESS.match(value) or ".." in value or "." not in value.split("@")[1]:
        return None
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError):
        return None
    return address if address.addr_spec == value else None


@dataclass(frozen=True)
class NotifySettings:
    operators: tuple[str, ...] = ()  # who gets the mail about each proposal
    mail_from: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_ca_file: str = ""  # the CA(s) trusted for the mail server instead of the system's; "" for the system's
    smtp_user: str = field(default="", repr=False)
    smtp_password: str = field(default="", repr=False)
    webhook: str = ""
    webhook_secret: bytes = field(default=b"", repr=False)
    acknowledge: bool = False
    acknowledge_per_hour: int = DEFAULT_ACKNOWLEDGE_PER_HOUR  # site-wide; each address at most once a day

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels each new proposal is recorded for, in the order they are sent."""
        chosen = []
        if self.operators:
            chosen.append(MAIL)
        if self.webhook:
            chosen.append(WEBHOOK)
        if self.acknowledge:
            chosen.append(ACKNOWLEDGE)
        return tuple(chosen)

    def describe(self) -> str:
        """One line for the operator at start: where notifications go (never a secret)."""
        if not self.channels:
            return "notifications: none set; see README, Notifications"
        parts = []
        if self.operators:
            parts.append(f"mail to {', '.join(self.operators)} via {self.smtp_host}:{self.smtp_port}")
        if self.webhook:
            parts.append(f"signed webhook to {shown_url(self.webhook)}")
        if self.acknowledge:
            parts.append(f"acknowledgement to the prospect (at most {self.acknowledge_per_hour} an hour)")
        return "notifications: " + "; ".join(parts)


def shown_url(url: str) -> str:
    """The URL as it may be printed or logged: without user:password, query or fragment, which can carry a token."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


_OPTION_NAMES = {
    "email": "--notify-email",
    "mail_from": "--mail-from",
    "smtp_host": "--smtp-host",
    "smtp_port": "--smtp-port",
    "smtp_tls": "--smtp-tls",
    "smtp_ca_file": "--smtp-ca-file",
    "webhook": "--notify-webhook",
    "acknowledge": "--acknowledge",
    "acknowledge_per_hour": "--acknowledge-per-hour",
}
_KEYS = tuple(_OPTION_NAMES)  # the keys extra.intake.notify takes, each with its option


def notify_settings(
    extra: ExtraSettings | Mapping,
    overrides: Mapping | None = None,
    environ: Mapping[str, str] = os.environ,
    *,
    contact: str = "",
) -> NotifySettings:
    """The channels from mkdocs.yml's `extra.intake.notify`, then `overrides` (command-line options), then secrets."""
    configured = extra_settings(extra).intake.notify or {}
    if not isinstance(configured, Mapping):
        raise NotifySettingsError("mkdocs.yml: extra.intake.notify: not a mapping; write keys such as email: under it")
    for key in configured:
        where = f"mkdocs.yml: extra.intake.notify.{key}"
        if key in _SECRET_KEYS:
            raise NotifySettingsError(f"{where}: secrets are never read from mkdocs.yml; remove it and {_HOW_SECRETS}")
        if key not in _KEYS:
            raise NotifySettingsError(f"{where}: not a setting; use one of {', '.join(_KEYS)}")
    overrides = dict(overrides or {})
    merged = {key: (overrides[key], _OPTION_NAMES[key]) for key in _KEYS if key in overrides}
    for key in _KEYS:
        if key not in merged and key in configured:
            merged[key] = (configured[key], f"mkdocs.yml: extra.intake.notify.{key}")

    def value(key, default=None):
        return merged[key][0] if key in merged else default

    def where(key):
        return merged[key][1]

    operators = value("email", [])
    operators = [operators] if isinstance(operators, str) else list(operators or [])
    for address in operators:
        if mail_address(address) is None:
            raise NotifySettingsError(f"{where('email')}: {address!r} is not a mail address; write it as name@domain")
    tls = value("smtp_tls", "none")
    if tls not in TLS_MODES:
        raise NotifySettingsError(f"{where('smtp_tls')}: {tls!r} is not one of {', '.join(TLS_MODES)}; pick one")
    port = value("smtp_port", DEFAULT_PORTS[tls])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise NotifySettingsError(f"{where('smtp_port')}: {port!r} is not a port; give a number from 1 to 65535")
    host = value("smtp_host", "localhost")
    if not isinstance(host, str) or not host or any(c.isspace() for c in host):
        raise NotifySettingsError(f"{where('smtp_host')}: {host!r} is not a host name; give one, e.g. localhost")
    ca_file = _ca_file(value("smtp_ca_file", ""), tls, where("smtp_ca_file") if "smtp_ca_file" in merged else "")
    user = environ.get("IMPART_SMTP_USER", "")
    if user and tls == "none" and host not in _LOOPBACK:
        source = where("smtp_tls") if "smtp_tls" in merged else "smtp_tls (none unless set)"
        raise NotifySettingsError(
            f"{source}: IMPART_SMTP_USER is set, and without TLS its password would cross the network in clear; "
            "set --smtp-tls starttls (port 587) or tls (465)"
        )
    acknowledge = value("acknowledge", False)
    if not isinstance(acknowledge, bool):
        raise NotifySettingsError(f"{where('acknowledge')}: {acknowledge!r} is not true or false; write one of them")
    per_hour = value("acknowledge_per_hour", DEFAULT_ACKNOWLEDGE_PER_HOUR)
    if isinstance(per_hour, bool) or not isinstance(per_hour, int) or not 0 < per_hour <= 10000:
        raise NotifySettingsError(
            f"{where('acknowledge_per_hour')}: {per_hour!r} is not a count; give a whole number from 1 to 10000"
        )
    mail_from = value("mail_from", contact)
    if (operators or acknowledge) and mail_address(mail_from) is None:
        source = where("mail_from") if "mail_from" in merged else "mail_from (defaults to extra.intake.contact)"
        raise NotifySettingsError(f"{source}: {mail_from!r} is not a mail address; set --mail-from name@domain")
    webhook = value("webhook", "")
    secret = b""
    if webhook:
        parts = urlsplit(webhook) if isinstance(webhook, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise NotifySettingsError(
                f"{where('webhook')}: {shown_url(webhook) if parts else webhook!r} is not an http(s) URL; give one"
            )
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise NotifySettingsError(
                f"{where('webhook')}: {shown_url(webhook)} is http://, so each proposal and its signature would "
                "cross the network in clear; use https://, or http:// only to this machine (127.0.0.1, ::1, localhost)"
            )
        secret = _webhook_secret(overrides.get("webhook_secret_file"), environ)
    return NotifySettings(
        operators=tuple(operators),
        mail_from=mail_from or "",
        smtp_host=host,
        smtp_port=port,
        smtp_tls=tls,
        smtp_ca_file=ca_file,
        smtp_user=user,
        smtp_password=environ.get("IMPART_SMTP_PASSWORD", ""),
        webhook=webhook,
        webhook_secret=secret,
        acknowledge=acknowledge,
        acknowledge_per_hour=per_hour,
    )


def _ca_file(value, tls: str, where: str) -> str:
    """The CA file, checked now: loaded as the sender will load it, so a wrong one fails at start, not at 3 a.m."""
    if not value:
        return ""
    if not isinstance(value, str) or not Path(value).is_absolute():
        raise NotifySettingsError(f"{where}: {value!r} is not an absolute path; give the CA's PEM file in full")
    if tls == "none":
        raise NotifySettingsError(f"{where}: a CA file needs TLS; set smtp_tls to starttls or tls, or remove it")
    try:
        ssl.create_default_context(cafile=value)
    except FileNotFoundError:
        raise NotifySettingsError(f"{where}: {value}: no such file; give the CA's PEM file") from None
    except OSError as error:  # ssl.SSLError is one: not certificates in PEM
        reason = getattr(error, "reason", None) or error.strerror or error
        raise NotifySettingsError(
            f"{where}: {value}: not a CA certificate in PEM ({reason}); give the CA's PEM file"
        ) from None
    return value


_HOW_SECRETS = "set IMPART_SMTP_USER / IMPART_SMTP_PASSWORD or IMPART_WEBHOOK_SECRET in the environment"


def _webhook_secret(secret_file: str | None, environ: Mapping[str, str]) -> bytes:
    secret_file = secret_file or environ.get("IMPART_WEBHOOK_SECRET_FILE")
    if secret_file:
        try:
            secret = Path(secret_file).read_bytes().strip()
        except OSError as error:
            raise NotifySettingsError(f"{secret_file}: cannot read the webhook secret: {error.strerror}") from None
        if not secret:
            raise NotifySettingsError(f"{secret_file}: empty; write the webhook's signing secret in it")
        return secret
    secret = environ.get("IMPART_WEBHOOK_SECRET", "").strip().encode("utf-8")
    if not secret:
        raise NotifySettingsError(
            "--notify-webhook: no signing secret; set IMPART_WEBHOOK_SECRET or pass --webhook-secret-file FILE"
        )
    return secret
