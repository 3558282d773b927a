"""The handler and the built site as one WSGI app for gunicorn (or any WSGI server).

    IMPART_PROJECT=. gunicorn --workers 4 --bind 127.0.0.1:8000 'impart.serve.wsgi:app'

Settings come from the environment, with the same defaults as `impart serve`:
IMPART_PROJECT (the folder with mkdocs.yml, default .), IMPART_SITE (site),
IMPART_PROPOSALS (proposals), IMPART_ORIGINS (the site's own origins, space-separated;
default: site_url's), IMPART_ALLOW_ORIGINS (space-separated URLs),
IMPART_RATE_LIMIT (COUNT/SECONDS, default 5/600), IMPART_STATIC (1: also serve the site; 0: the
handler only, behind a proxy that serves the files), IMPART_PROXY_HOPS (how
many reverse proxies in front set X-Forwarded-For/-Proto/-Host; default 0:
behind nginx set 1, or the rate limit counts the proxy as one client).
The inbox at /inbox/ is mounted when `extra.inbox.enabled` is true in mkdocs.yml.
Notifications follow `extra.intake.notify` in mkdocs.yml, with the secrets
IMPART_SMTP_USER, IMPART_SMTP_PASSWORD and IMPART_WEBHOOK_SECRET (or
IMPART_WEBHOOK_SECRET_FILE); each worker sends from its own thread.
"""

from __future__ import annotations

import os
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

from impart.intake.rate_limit import DEFAULT_RATE
from impart.serve.site_app import site_app


def app_from_environment(environ=os.environ):
    project = Path(environ.get("IMPART_PROJECT", "."))
    site = project / environ.get("IMPART_SITE", "site")
    serve_static = environ.get("IMPART_STATIC", "1") != "0"
    app = site_app(
        project,
        site_dir=site,
        proposals_dir=project / environ.get("IMPART_PROPOSALS", "proposals"),
        origins=environ.get("IMPART_ORIGINS", "").split(),
        allowed_origins=environ.get("IMPART_ALLOW_ORIGINS", "").split(),
        rate_limit=environ.get("IMPART_RATE_LIMIT", DEFAULT_RATE),
        serve_static=serve_static,
    )
    app.notifications.wake()  # what a previous run left pending; a forked worker starts its own on first use
    hops = int(environ.get("IMPART_PROXY_HOPS", "0"))
    if hops:
        return ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
    return app


app = app_from_environment()
