"""The inbox's accounts: names and memory-hard password hashes in one 0600 file.

A password is kept only as scrypt (the standard library's `hashlib.scrypt`, N=2^15, r=8, p=1: 32 MiB and
a tenth of a second a guess, so a stolen file is slow to attack on any hardware) with a fresh random salt,
written `scrypt$N$r$p$salt$hash` so the cost can rise later without breaking older entries. The file is
replaced whole (written beside, fsynced, renamed) under a lock, so a reader sees every account or none
changed, and it is 0600 whatever the umask. `verify` spends the same work on an unknown name as on a known
one, so a login's time does not say which names exist. tests/cli/test_inbox_accounts.py proves each.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from pathlib import Path

from impart.intake.storage import locked, replace_file, timestamp

N, R, P = 2**15, 8, 1
MAXMEM = 64 * 1024 * 1024  # scrypt needs 128*N*r bytes = 32 MiB; the library's own limit is 32 MiB exactly
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
PASSWORD_MIN, PASSWORD_MAX = 12, 1024


class AccountError(ValueError):
    """A refusal to show the operator as one line."""


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise AccountError(
            f"{name!r} is not an account name; use 1 to 32 of a-z, 0-9, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"the password is {len(password)} characters; use at least {PASSWORD_MIN}")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"the password is over {PASSWORD_MAX} characters; use a shorter one")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int = N, r: int = R, p: int = P) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAXMEM, dklen=32)


def hash_password(password: str, n: int = N) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(_scrypt(password, salt, n))}"


def password_matches(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except (ValueError, TypeError):  # a hand-edited entry: no password matches it
        return False
    return hmac.compare_digest(actual, expected)


class Accounts:
    """The accounts file at `path` (missing means no accounts); passwords it writes cost scrypt's N=`cost` (each
    entry keeps the cost it was written with, so tests can make cheap accounts that log in by the same path)."""

    def __init__(self, path: str | Path, *, cost: int = N):
        self.path = Path(path)
        self.cost = cost

    def _read(self) -> dict:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            users = json.loads(raw)["users"]
            if not isinstance(users, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise AccountError(f"{self.path}: not an accounts file; restore it from a backup") from None
        return users

    def names(self) -> list[str]:
        return sorted(self._read())

    def created(self, name: str) -> str:
        return str(self._read()[name].get("created", ""))

    def _change(self, name: str, change) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with locked(self.path.parent / f".{self.path.name}.lock"):
            users = self._read()
            change(users)
            data = json.dumps({"users": users}, indent=2, sort_keys=True).encode("utf-8") + b"\n"
            replace_file(self.path.parent, self.path.name, data)

    def add(self, name: str, password: str, *, now: float) -> None:
        check_name(name)
        check_password(password)
        if name in self._read():  # before the slow hash, so a refusal is quick
            raise AccountError(f"{name}: there is an account with this name; set-password changes its password")
        hashed = hash_password(password, self.cost)

        def adding(users: dict) -> None:
            if name in users:
                raise AccountError(f"{name}: there is an account with this name; set-password changes its password")
            users[name] = {"password": hashed, "created": timestamp(now)}

        self._change(name, adding)

    def set_password(self, name: str, password: str) -> None:
        self._known(name)
        check_password(password)
        hashed = hash_password(password, self.cost)

        def setting(users: dict) -> None:
            self._known(name, users)
            users[name] = {**users[name], "password": hashed}

        self._change(name, setting)

    def remove(self, name: str) -> None:
        self._known(name)
        self._change(name, lambda users: users.pop(self._known(name, users)))

    def _known(self, name: str, users: dict | None = None) -> str:
        if name not in (self._read() if users is None else users):
            raise AccountError(f"{name}: no such account in {self.path}; impart inbox list-users shows them")
        return name

    def stamp(self, name: str) -> str | None:
        """A short digest of `name`'s stored hash, None without an account: a login made with one password
        carries it, so a new password (or a removed account) ends every login made before."""
        try:
            entry = self._read().get(name)
        except AccountError:
            return None
        stored = entry.get("password") if isinstance(entry, dict) else None
        if not isinstance(stored, str):
            return None
        return hashlib.sha256(stored.encode("utf-8")).hexdigest()[:32]

    def verify(self, name: str, password: str) -> bool:
        """Whether `password` is `name`'s; as slow for a name with no account, so timing tells nothing."""
        entry = self._read().get(name)
        stored = entry.get("password") if isinstance(entry, dict) else None
        if not isinstance(stored, str):
            password_matches(password, f"scrypt${N}${R}${P}${_b64(bytes(16))}${_b64(bytes(32))}")
            return False
        return password_matches(password, stored)
