"""The Request a Proposal page, assembled from the one form definition, and the live preview's handler.

Events: on_page_markdown (load and check `form:` from the intake page's front
matter), on_page_context (hand the form and its paths to intake.html),
on_serve (mount the proposal handler, so `mkdocs serve` has a working form that
writes into proposals/, answering only for the preview's own address, and notifies
as `extra.intake.notify` says; and the operator's inbox at /inbox/ when
`extra.inbox.enabled`). Reads: `form` of the intake page; `site_url`,
`dev_addr`, `extra.intake` (`page`, `path`, `action`, `contact`, `notify`) and
`extra.inbox` from mkdocs.yml.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from impart.intake.definition import FormDefinitionError, parse_form
from impart.intake.settings import intake_page_source, intake_settings
from impart.settings import project_relative, settings_for

log = get_plugin_logger("impart")


def _is_intake(page, config) -> bool:
    return page.file.src_uri == intake_page_source(settings_for(config).extra)


def on_page_markdown(markdown, *, page, config, files):
    if not _is_intake(page, config):
        return None
    where = project_relative(Path(config.docs_dir, page.file.src_uri), Path(config.config_file_path).parent)
    try:
        page.meta["intake_form"] = parse_form(page.meta.get("form"), where)
    except FormDefinitionError as error:
        raise PluginError(str(error)) from None
    return None


def on_page_context(context, *, page, config, nav):
    form = page.meta.get("intake_form")
    if form is None:
        return None
    settings = intake_settings(settings_for(config).extra, config.site_url)
    context["intake"] = {
        "form": form,
        "action": settings.action,
        "contact": settings.contact,
        "thanks": settings.thanks,
    }
    return context


def on_serve(server, *, config, builder):
    from impart.intake.app import create_app  # the handler and werkzeug: loaded when serving, not for every build
    from impart.intake.origin import address_origins
    from impart.serve.site_app import mount_inbox

    project = Path(config.config_file_path).resolve().parent
    try:
        app = create_app(
            project,
            site_dir=Path(config.site_dir),
            proposals_dir=project / "proposals",
            origins=address_origins(config.dev_addr.host, config.dev_addr.port),  # its own address, never Host
            fallback=server.get_app(),
            reload_definition=True,  # an editor may change the form while previewing
        )
    except ValueError as error:  # a notification setting that cannot work, named with its place
        raise PluginError(str(error)) from None
    if mount_inbox(app, project, project / "proposals", config_file=Path(config.config_file_path)):
        log.info("the inbox is live at /inbox/ (accounts: impart inbox add-user NAME)")
    server.set_app(app)
    log.info(f"the proposal form is live: submissions land in {project / 'proposals'}")
    log.info(app.notifications.settings.describe())
    return server
