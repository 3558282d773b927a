"""The handler with the built site behind it: assembled here once for `impart serve` and the WSGI entry point.

Both name the same parts (the project, the site folder, the proposals folder, the origins, the rate
limit, the notification overrides, the inbox); only how they run it differs (waitress here, any WSGI
server there). The inbox (impart.inbox) is mounted at /inbox/ only when `extra.inbox.enabled` is true in
mkdocs.yml or `inbox=True` is asked for (`impart serve --inbox`); otherwise /inbox/ is the site's 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from impart.inbox.app import PREFIX, create_inbox
from impart.intake.app import IntakeApp, create_app
from impart.intake.folder_hold import hold_for_serving
from impart.intake.rate_limit import DEFAULT_RATE, parse_rate
from impart.serve.static_site import StaticSite


def site_app(
    project: Path,
    *,
    site_dir: Path,
    proposals_dir: Path,
    origins: Iterable[str] = (),
    allowed_origins: Iterable[str] = (),
    rate_limit: str = DEFAULT_RATE,
    serve_static: bool = True,
    notify: dict | None = None,
    inbox: bool | None = None,
    inbox_accounts: Path | None = None,
) -> IntakeApp:
    """The proposal handler, answering every other path from `site_dir` (unless a proxy serves the files).

    Raises ValueError for a wrong `rate_limit`, FormDefinitionError or OSError when the form or the folder fail
    (FolderBusy while a restore runs into the folder).
    """
    rate = parse_rate(rate_limit)
    # Held before anything is written, for as long as the app lives: a restore is refused while it runs.
    hold = hold_for_serving(Path(proposals_dir))
    app = create_app(
        Path(project),
        site_dir=Path(site_dir),
        proposals_dir=Path(proposals_dir),
        origins=origins,
        allowed_origins=allowed_origins,
        rate_limit=rate,
        fallback=StaticSite(Path(site_dir)) if serve_static else None,
        notify=notify,
    )
    app.folder_hold = hold
    mount_inbox(app, Path(project), Path(proposals_dir), inbox, accounts_file=inbox_accounts)
    return app


def mount_inbox(
    app: IntakeApp,
    project: Path,
    proposals_dir: Path,
    enabled: bool | None = None,
    *,
    config_file: Path | None = None,
    accounts_file: Path | None = None,
) -> bool:
    """Mount the inbox on `app` when `enabled` (None: as mkdocs.yml's `extra.inbox.enabled` says); whether it was.

    The accounts are `accounts_file`, else `extra.inbox.accounts` beside mkdocs.yml."""
    from impart.settings import SettingsError, load_settings

    site = load_settings(config_file or project / "mkdocs.yml")
    settings = site.extra.inbox
    if not (settings.enabled if enabled is None else enabled):
        return False
    accounts = (Path(project) / (accounts_file or settings.accounts)).resolve()
    for folder in (site.docs_dir, site.root / "site"):
        if accounts.is_relative_to(folder.resolve()):
            raise SettingsError(
                f"mkdocs.yml: extra.inbox.accounts: {accounts} is inside {folder}, where a build would publish it; "
                "name a file outside, e.g. inbox-accounts.json"
            )
    inbox = create_inbox(
        project,
        proposals_dir=proposals_dir,
        accounts_file=str(accounts),
        idle_minutes=settings.idle_minutes,
        absolute_hours=settings.absolute_hours,
        labels={f.name: f.label for f in app.form.fields},
        notifications=app.notifications,
    )
    app.mounts = ((PREFIX, inbox),)
    return True
