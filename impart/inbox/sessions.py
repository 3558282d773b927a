"""The inbox's logins, kept on the server: a session is a small 0600 file, so logout and expiry are real.

The browser holds only a random id (32 bytes from `secrets`); the file is named by the id's SHA-256, so
even a reader of the folder cannot take a session from the names. Each file holds the account, when the
login began and was last used, the session's CSRF token, and a stamp of the account's password hash, so a
new password or a removed account ends the logins made before. A session ends when the operator logs out
(the file goes), after `idle` seconds unused, or `absolute` seconds after the login whatever the use;
an ended session is refused by every worker process at once, since all of them read the same folder.
Files are replaced whole (impart.intake.storage.replace_file) under one lock, so a reader sees a
session or none. tests/inbox/test_inbox_access.py proves each.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from impart.intake.storage import locked, replace_file

TOUCH_EVERY = 30.0  # seconds: a session's last use is written at most this often, not on every request
_ID_LENGTH = 43  # token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    id: str
    account: str
    csrf: str
    created: float
    seen: float
    stamp: str = ""  # the account's password stamp at login (impart.inbox.accounts.Accounts.stamp)


def _file_name(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def _well_formed(session_id: str) -> bool:
    return len(session_id) == _ID_LENGTH and all(c.isalnum() or c in "-_" for c in session_id) and session_id.isascii()


class Sessions:
    """The sessions under `folder` (0700), with their idle and absolute lifetimes in seconds."""

    def __init__(self, folder: Path, *, idle: float, absolute: float, clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.idle, self.absolute, self.clock = idle, absolute, clock
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = self.folder / ".lock"

    def _write(self, session: Session) -> None:
        data = json.dumps(
            {
                "account": session.account,
                "csrf": session.csrf,
                "created": session.created,
                "seen": session.seen,
                "stamp": session.stamp,
            }
        ).encode("utf-8")
        replace_file(self.folder, _file_name(session.id), data, durable=False)

    def begin(self, account: str, *, stamp: str = "", replacing: str | None = None) -> Session:
        """A new session for `account`, with a fresh id and CSRF token; `replacing` (the id the browser came
        with, if any) is ended, so no id known before the login is ever a logged-in one."""
        if replacing:
            self.end(replacing)
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), account, secrets.token_urlsafe(32), now, now, stamp)
        with locked(self._lock):
            self._write(session)
        self.prune()
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id, its last use moved to now; None when there is none (never was,
        logged out, idle too long, or too old), and an ended one's file is removed."""
        if not session_id or not _well_formed(session_id):
            return None
        path = self.folder / _file_name(session_id)
        try:
            stored = json.loads(path.read_bytes())
            session = Session(
                session_id,
                str(stored["account"]),
                str(stored["csrf"]),
                float(stored["created"]),
                float(stored["seen"]),
                str(stored.get("stamp", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        now = self.clock()
        if self._ended(session, now):
            self.end(session_id)
            return None
        if now - session.seen >= TOUCH_EVERY:
            session = dataclasses.replace(session, seen=now)
            with locked(self._lock):
                if (self.folder / _file_name(session_id)).exists():  # not logged out meanwhile
                    self._write(session)
        return session

    def _ended(self, session: Session, now: float) -> bool:
        return now - session.seen > self.idle or now - session.created > self.absolute or now < session.created

    def end(self, session_id: str) -> None:
        """Log the session out: its file goes, so every process refuses the id from now on."""
        if not _well_formed(session_id):
            return
        with locked(self._lock), contextlib.suppress(FileNotFoundError):
            (self.folder / _file_name(session_id)).unlink()

    def end_account(self, account: str) -> int:
        """End every session of `account` (its password changed or it was removed); returns how many."""
        ended = 0
        with locked(self._lock):
            for path in self._files():
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    if json.loads(path.read_bytes())["account"] == account:
                        path.unlink()
                        ended += 1
        return ended

    def prune(self) -> int:
        """Remove the files of sessions that have ended, so the folder holds live logins only."""
        now, pruned = self.clock(), 0
        for path in self._files():
            try:
                stored = json.loads(path.read_bytes())
                gone = now - float(stored["seen"]) > self.idle or now - float(stored["created"]) > self.absolute
            except (OSError, ValueError, KeyError, TypeError):
                gone = True  # not a session this code wrote
            if gone:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    pruned += 1
        return pruned

    def _files(self) -> list[Path]:
        return [p for p in self.folder.iterdir() if len(p.name) == 64 and not p.name.startswith(".")]


def same_token(given: str, expected: str) -> bool:
    """Whether a form's CSRF token is the session's, compared in constant time."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
