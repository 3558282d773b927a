"""The `impart inbox` commands: add-user, remove-user, list-users and set-password for the inbox's accounts.

A password is read with getpass, typed twice, and never taken from the command line, where `ps` and the
shell's history would keep it. The accounts file (impart.inbox.accounts) must lie outside the site's
sources and its built site, so no build can ever publish it.
"""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from impart.cli.errors import DONE, refuse
from impart.cli.one_account import other_account
from impart.inbox.accounts import AccountError, Accounts, check_name, check_password
from impart.settings import load_settings

DEFAULT_FILE = "inbox-accounts.json"


def _accounts(args) -> Accounts | None:
    settings = load_settings(args.config)
    path = Path(args.accounts) if args.accounts else settings.root / DEFAULT_FILE
    where = path.resolve()
    for folder, what in ((settings.docs_dir, "the site's sources"), (settings.root / "site", "the built site")):
        if where.is_relative_to(folder.resolve()):
            refuse(
                f"--accounts {path}: inside {what} ({folder}), where a build would publish it; choose a file outside"
            )
            return None
    return Accounts(path)


def _typed_password() -> str | None:
    first = getpass.getpass("Password: ")
    check_password(first)
    if getpass.getpass("Password again: ") != first:
        refuse("the two passwords differ; nothing was written, run the command again")
        return None
    return first


def _run(args, action, *, writes: bool = True) -> int:
    accounts = _accounts(args)
    if accounts is None:
        return 2
    refusal = other_account(accounts.path) if writes else None
    if refusal:  # the server reads the file: one written by another account (root's, 0600) locks it out
        return refuse(refusal)
    try:
        return action(accounts)
    except AccountError as error:
        return refuse(f"{error}; nothing was written")
    except (EOFError, KeyboardInterrupt):
        return refuse("no password typed; nothing was written")
    except OSError as error:
        print(f"{accounts.path}: cannot write: {error.strerror}; nothing was written", file=sys.stderr)
        return 1


def cmd_add_user(args) -> int:
    def adding(accounts: Accounts) -> int:
        name = check_name(args.name)
        if name in accounts.names():  # said before the password is asked for
            raise AccountError(f"{name}: there is an account with this name; set-password changes its password")
        password = _typed_password()
        if password is None:
            return 2
        accounts.add(name, password, now=time.time())
        print(f"{name}: account added to {accounts.path}")
        return DONE

    return _run(args, adding)


def cmd_set_password(args) -> int:
    def setting(accounts: Accounts) -> int:
        if args.name not in accounts.names():
            raise AccountError(f"{args.name}: no such account in {accounts.path}; impart inbox list-users shows them")
        password = _typed_password()
        if password is None:
            return 2
        accounts.set_password(args.name, password)
        print(f"{args.name}: password changed")
        return DONE

    return _run(args, setting)


def cmd_remove_user(args) -> int:
    def removing(accounts: Accounts) -> int:
        accounts.remove(args.name)
        print(f"{args.name}: account removed")
        return DONE

    return _run(args, removing)


def cmd_list_users(args) -> int:
    def listing(accounts: Accounts) -> int:
        names = accounts.names()
        if not names:
            print(f"no inbox accounts in {accounts.path}; impart inbox add-user NAME adds one")
        for name in names:
            print(f"{name}  added {accounts.created(name)}")
        return DONE

    return _run(args, listing, writes=False)


def add_inbox_commands(commands) -> None:
    """Add `inbox` and its account sub-commands to the sub-parsers of the `impart` command."""
    inbox = commands.add_parser("inbox", help="the inbox's accounts: add-user, remove-user, list-users, set-password")
    actions = inbox.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, run, help_text in (
        ("add-user", cmd_add_user, "add an account; the password is asked for twice"),
        ("remove-user", cmd_remove_user, "remove an account"),
        ("list-users", cmd_list_users, "the accounts and when each was added"),
        ("set-password", cmd_set_password, "change an account's password; asked for twice"),
    ):
        action = actions.add_parser(name, help=help_text)
        if name != "list-users":
            action.add_argument("name", metavar="NAME", help="the account's name")
        action.add_argument(
            "--accounts", metavar="FILE", help=f"the accounts file (default: {DEFAULT_FILE} beside mkdocs.yml)"
        )
        action.set_defaults(run=run)
