"""Sessions and CSRF tokens, kept on the server.

A session is a random id (32 bytes) in a cookie; the store keeps only its SHA-256, with the
account (none before logging in), a CSRF token, and when it began and was last used. The
cookie is HttpOnly, SameSite=Strict, Path=/ and Secure — named `__Host-…` then, which a
browser only accepts from a secure origin and never for a sub-domain; only a service on a
loopback address over plain http may turn Secure off (`console_secure_cookies: false`).

Logging in always starts a new session and deletes the one before it, so an id planted in a
browser before the login (session fixation) is worth nothing after it. Every form and every
state-changing request carries the session's CSRF token (a form field `csrf`, or the header
`X-CSRF-Token`), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from .accounts import Account, Accounts
from .db import Database

IDLE_S = 2 * 3600  # a session unused this long has ended
LIFETIME_S = 12 * 3600  # and any session this old
TOUCH_S = 60  # `seen` is written at most this often


@dataclass(frozen=True)
class Session:
    key: str  # the stored id (the cookie's hash)
    account: Account | None
    csrf: str


def hashed(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8", "surrogateescape")).hexdigest()


class Sessions:
    def __init__(self, db: Database, accounts: Accounts, secure: bool):
        self.db, self.accounts, self.secure = db, accounts, secure
        self.cookie = "__Host-rules-engine-console" if secure else "rules-engine-console"

    def start(self, account: Account | None) -> tuple[str, Session]:
        """A new session: the cookie's value to send, and the session."""
        value = secrets.token_urlsafe(32)
        session = Session(hashed(value), account, secrets.token_urlsafe(32))
        now = time.time()
        self.db.execute(
            "INSERT INTO console_session (id, account, csrf, created, seen) VALUES (?, ?, ?, ?, ?)",
            (session.key, account.name if account else None, session.csrf, now, now),
        )
        return value, session

    def find(self, cookie: str | None) -> Session | None:
        """The live session a cookie names; an expired one is deleted."""
        if not cookie:
            return None
        key = hashed(cookie)
        rows = self.db.rows("SELECT account, csrf, created, seen FROM console_session WHERE id = ?", (key,))
        if not rows:
            return None
        name, csrf, created, seen = rows[0]
        now = time.time()
        if now - created > LIFETIME_S or now - seen > IDLE_S:
            self.end(key)
            return None
        account = self.accounts.get(name) if name else None
        if name and account is None:  # the account was removed
            self.end(key)
            return None
        if now - seen > TOUCH_S:
            self.db.execute("UPDATE console_session SET seen = ? WHERE id = ?", (now, key))
        return Session(key, account, csrf)

    def end(self, key: str) -> None:
        self.db.execute("DELETE FROM console_session WHERE id = ?", (key,))

    def sweep(self) -> None:
        """Forget sessions that ended, so the table does not grow without end."""
        now = time.time()
        self.db.execute("DELETE FROM console_session WHERE created < ? OR seen < ?", (now - LIFETIME_S, now - IDLE_S))

    def cookie_options(self) -> dict:
        return {"httponly": True, "samesite": "strict", "secure": self.secure, "path": "/"}


def token_matches(session: Session | None, presented: str | None) -> bool:
    if session is None or not presented:
        return False
    return hmac.compare_digest(session.csrf.encode(), presented.encode("utf-8", "surrogateescape"))
