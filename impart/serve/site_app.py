"""The handler with the built site behind it: assembled here once for `impart serve` and the WSGI entry point.

Both name the same parts (the project, the site folder, the proposals folder, the origins, the rate
limit, the notification overrides); only how they run it differs (waitress here, any WSGI server there).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

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
    return app
