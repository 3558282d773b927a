"""The `impart` command: content checks and, later, the intake's operator tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from impart.field_notes import check_all
from impart.settings import load_settings


def _config_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value} not found; run from the project's folder or pass --config PATH")
    return path


def cmd_check(args) -> int:
    settings = load_settings(args.config)
    notes, problems = check_all(settings)
    for problem in problems:
        label = "warning" if problem.severity == "warning" else "error"
        print(f"{label}: {problem}")
    checked = len(list(settings.posts_dir.rglob("*.md")))
    if problems:
        print(f"{len(problems)} problem(s) in {checked} field note(s)", file=sys.stderr)
        return 1
    print(f"{checked} field note(s) checked: no problems")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="impart", description=__doc__)
    parser.add_argument(
        "--config", "-f", type=_config_path, default="mkdocs.yml", help="the site's mkdocs.yml (default: ./mkdocs.yml)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="validate every field note's front matter without building")
    check.set_defaults(run=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
