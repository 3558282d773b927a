"""The `impart` command: the site's checks, serving, the proposals and deployment, one module per group."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from impart.cli.deploy import add_deploy_commands
from impart.cli.errors import DONE, REFUSED
from impart.cli.inbox import add_inbox_commands
from impart.cli.proposals import add_proposals_commands
from impart.cli.publish import add_publish_commands
from impart.cli.serve import add_serve_command
from impart.cli.site import add_site_commands


def _config_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value} not found; run from the project's folder or pass --config PATH")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="impart", description=__doc__)
    parser.add_argument(
        "--config", "-f", type=_config_path, default="mkdocs.yml", help="the site's mkdocs.yml (default: ./mkdocs.yml)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_site_commands(commands)
    add_publish_commands(commands)
    add_serve_command(commands)
    add_deploy_commands(commands)
    add_proposals_commands(commands)
    add_inbox_commands(commands)
    return parser


def _reader_left() -> int:
    """The reader of the standard output stopped reading (`impart proposals report | head -1`): end quietly.

    What it read is what it asked for, so this is done, not a failure. The standard output is pointed at
    /dev/null first, or the interpreter's last flush of the unsent rest prints a second traceback.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return DONE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, not at exit, so that a reader gone early is met by the handler below
        return code
    except BrokenPipeError:
        return _reader_left()
    except ValueError as error:  # a setting someone can fix: SOURCE_DATE_EPOCH, mkdocs.yml
        print(f"impart {args.command}: {error}", file=sys.stderr)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
