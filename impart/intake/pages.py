"""The pages the handler answers with, filled in from the built site and the form's template.

The build writes the intake and thank-you pages with marked regions
(`<!--impart:form-->`, `<!--impart:reference-->`); the handler re-renders only
those regions with the same partial templates, so an error page is the same
page as the form, with the answers kept.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from impart.intake.definition import FormDefinition
from impart.intake.settings import IntakeSettings

FORM_TEMPLATE = "partials/intake-form.html"
REFERENCE_TEMPLATE = "partials/intake-reference.html"
PLAIN_TEMPLATE = "handler-page.html"


def _splice(html: str, marker: str, fragment: str) -> str | None:
    start, end = f"<!--impart:{marker}-->", f"<!--/impart:{marker}-->"
    i, j = html.find(start), html.find(end)
    if i < 0 or j < i:
        return None
    return html[:i] + fragment + html[j + len(end) :]


class IntakePages:
    def __init__(self, site_dir: Path, templates_dir: Path, settings: IntakeSettings, form: FormDefinition):
        self.site_dir = Path(site_dir)
        self.settings = settings
        self.form = form
        # As MkDocs does: no autoescape; the templates escape every value explicitly.
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)), autoescape=False)

    def _built(self, site_path: str) -> str | None:
        try:
            return (self.site_dir / self.settings.in_site(site_path) / "index.html").read_text(encoding="utf-8")
        except OSError:
            return None

    def plain(self, title: str, message: str, body: str = "") -> str:
        return self.env.get_template(PLAIN_TEMPLATE).render(
            title=title, message=message, body=body, back=self.settings.path, contact=self.settings.contact
        )

    def form_page(
        self, values: dict | None = None, errors: dict | None = None, came_from: str = "", problem: str = ""
    ) -> str:
        """The intake page; with errors or a problem, titled `Error: ` and with the summary filled."""
        fragment = self.env.get_template(FORM_TEMPLATE).render(
            form=self.form,
            values=values or {},
            errors=errors or {},
            action=self.settings.action,
            came_from=came_from,
            contact=self.settings.contact,
            thanks=self.settings.thanks,
            problem=problem,
        )
        failed = bool(errors or problem)
        page = self._built(self.settings.path)
        html = _splice(page, "form", fragment) if page else None
        if html is None:
            return self.plain("Error: Request a Proposal" if failed else "Request a Proposal", problem, fragment)
        if failed:
            html = html.replace("<title>", "<title>Error: ", 1)
        return html

    def thanks_page(self, reference: str) -> str:
        fragment = self.env.get_template(REFERENCE_TEMPLATE).render(reference=reference)
        page = self._built(self.settings.thanks)
        html = _splice(page, "reference", fragment) if page else None
        if html is None:
            return self.plain("Thank you: your request has reached us", f"Your reference is {reference}.")
        return html
