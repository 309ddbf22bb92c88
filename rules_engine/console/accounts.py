"""People who log in to the console, their roles and their passwords.

Roles: `admin` (every client, the audit log), `account_manager` (every client, or only those
assigned) and `client` (one client's portal). Passwords are hashed with Argon2id
(argon2-cffi's defaults: a fresh salt per hash, parameters kept in the hash, so that raising
them later re-hashes each password at its next login). A password is never stored, logged or
taken from a command's arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import RulesEngineError
from .db import Database

ROLES = ("admin", "account_manager", "client")
NAME = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 10
HASHER = PasswordHasher()
# Checked when the account named does not exist, so that a wrong name takes as long as a
# wrong password and the time of an answer does not tell which names exist.
DECOY = HASHER.hash("not anyone's password")


class AccountError(RulesEngineError):
    """An account cannot be made or changed as asked."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    clients: tuple[str, ...]  # the client's one id; a manager's assigned ids (none: all)
    created: str

    def sees(self, client: str) -> bool:
        """Whether this person may see anything of `client`."""
        if self.role == "admin":
            return True
        if self.role == "account_manager":
            return not self.clients or client in self.clients
        return client in self.clients

    @property
    def all_clients(self) -> bool:
        return self.role == "admin" or (self.role == "account_manager" and not self.clients)


def checked(name: str, role: str, clients: tuple[str, ...]) -> None:
    if not NAME.match(name):
        raise AccountError(
            f"`{name}` is not an account name: lower-case letters, digits and . _ @ -, up to 64 characters"
        )
    if role not in ROLES:
        raise AccountError(f"`{role}` is not a role: use {', '.join(ROLES)}")
    if role == "client" and len(clients) != 1:
        raise AccountError("a client account belongs to exactly one client: give --client ID once")
    if role == "admin" and clients:
        raise AccountError("an admin sees every client: give no --client")


def strong_enough(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


class Accounts:
    """The accounts kept in a `Database`."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, name: str, role: str, password: str, clients: tuple[str, ...] = ()) -> Account:
        checked(name, role, clients)
        strong_enough(password)
        if self.get(name) is not None:
            raise AccountError(f"there is already an account `{name}` (rules-engine users reset {name})")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.execute(
            "INSERT INTO console_account (name, role, clients, password, created) VALUES (?, ?, ?, ?, ?)",
            (name, role, " ".join(clients), HASHER.hash(password), created),
        )
        return Account(name, role, clients, created)

    def remove(self, name: str) -> None:
        if not self.db.execute("DELETE FROM console_account WHERE name = ?", (name,)):
            raise AccountError(f"there is no account `{name}`")
        self.db.execute("DELETE FROM console_session WHERE account = ?", (name,))

    def reset(self, name: str, password: str) -> None:
        """A new password; every session of the account ends."""
        strong_enough(password)
        if not self.db.execute("UPDATE console_account SET password = ? WHERE name = ?", (HASHER.hash(password), name)):
            raise AccountError(f"there is no account `{name}`")
        self.db.execute("DELETE FROM console_session WHERE account = ?", (name,))

    def assign(self, name: str, client: str) -> None:
        """Add `client` to a restricted account manager's clients (onboarding: the manager who
        made a client looks after it); nothing for an account that sees every client."""
        found = self.get(name)
        if found is None or found.role != "account_manager" or not found.clients or client in found.clients:
            return
        self.db.execute(
            "UPDATE console_account SET clients = ? WHERE name = ?", (" ".join((*found.clients, client)), name)
        )

    def get(self, name: str) -> Account | None:
        found = self.db.rows("SELECT name, role, clients, created FROM console_account WHERE name = ?", (name,))
        return account(found[0]) if found else None

    def all(self) -> list[Account]:
        return [account(row) for row in self.db.rows("SELECT name, role, clients, created FROM console_account")]

    def verify(self, name: str, password: str) -> Account | None:
        """The account when `password` is its password, else None (as slowly either way)."""
        found = self.db.rows("SELECT password FROM console_account WHERE name = ?", (name,))
        stored = found[0][0] if found else DECOY
        try:
            HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if not found:
            return None
        if HASHER.check_needs_rehash(stored):
            self.db.execute("UPDATE console_account SET password = ? WHERE name = ?", (HASHER.hash(password), name))
        return self.get(name)


def account(row: tuple) -> Account:
    name, role, clients, created = row
    return Account(name, role, tuple(clients.split()), created)
