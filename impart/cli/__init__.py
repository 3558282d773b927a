"""The `impart` command, one module per group of subcommands (site, serve, proposals, deploy)."""

from impart.cli.main import main

__all__ = ["main"]
