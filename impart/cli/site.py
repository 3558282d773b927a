"""`impart check` and `impart placeholders`: the site's checks, without building."""

from __future__ import annotations

import sys
from pathlib import Path

from impart.content.dates import build_date
from impart.content.placeholders import PlaceholderError, indicative_pages, overdue_message
from impart.intake.definition import FormDefinitionError, site_form
from impart.settings import load_settings


def _indicative(settings, texts=None):
    try:
        return indicative_pages(settings, texts)
    except PlaceholderError as error:
        return [], [f"mkdocs.yml: {error}"]


def cmd_check(args) -> int:
    """The build's checks, without building: front matter, titles, links, images, other hosts, placeholder
    promises, the form definition; every problem of every file, then their count."""
    from impart.content.site_checks import check_site  # the checks' parsers: here, not in every command's start

    settings = load_settings(args.config)
    today = build_date()
    _, problems, texts = check_site(settings, Path(args.config))
    lines = [f"{'warning' if p.severity == 'warning' else 'error'}: {p}" for p in problems]
    try:
        site_form(settings)
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


def add_site_commands(commands) -> None:
    """Add `check` and `placeholders` to the sub-parsers of the `impart` command."""
    check = commands.add_parser(
        "check", help="every check the strict build makes (front matter, links, images, other hosts), without building"
    )
    check.set_defaults(run=cmd_check)
    placeholders = commands.add_parser(
        "placeholders", help="list indicative pages with their promised dates; exit 1 when any is overdue"
    )
    placeholders.set_defaults(run=cmd_placeholders)
