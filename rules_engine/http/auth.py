"""Bearer tokens and their scopes: who may decide calls, change a client's state, reload.

A presented token is hashed and compared, in constant time, with the hash of every
configured token (no early exit), so neither the comparison nor the loop tells an attacker
how much of a guess was right. Without configured tokens the service is open, which
`runner` allows only on a loopback address.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Sequence

from ..errors import did_you_mean
from ..runtime.settings import SettingsError, Token
from .errors import ServiceError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="rules-engine"'}


class Auth:
    def __init__(self, tokens: Sequence[Token] = ()):
        self._tokens = [(digest(t.token), t) for t in tokens]

    @property
    def enabled(self) -> bool:
        return bool(self._tokens)

    def identify(self, authorization: str | None) -> Token | None:
        """The token an `Authorization` header carries; None when the service is open."""
        if not self._tokens:
            return None
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise ServiceError(
                401,
                "this endpoint needs a bearer token (Authorization: Bearer TOKEN)",
                field="Authorization",
                headers=CHALLENGE,
            )
        given = digest(presented.strip())
        found = None
        for expected, token in self._tokens:
            if hmac.compare_digest(expected, given):
                found = token
        if found is None:
            raise ServiceError(
                401, "the bearer token is not one of the service's tokens", field="Authorization", headers=CHALLENGE
            )
        return found

    def require(self, authorization: str | None, scope: str, client: str | None = None) -> str | None:
        """Check that the caller may use `scope` (for `client`, with `portal`); returns the token's name."""
        token = self.identify(authorization)
        if token is None:
            return None
        if allows(token, scope, client):
            return token.name
        wanted = f"portal:{client}" if scope == "portal" else scope
        raise ServiceError(
            403,
            f"the token `{token.name}` does not have the scope `{wanted}`"
            + (" (or admin)" if scope != "admin" else ""),
            field="Authorization",
        )

    def sees(self, authorization: str | None, scope: str) -> bool:
        """Whether the caller may use `scope`; no refusal (for an answer that shows less instead)."""
        try:
            self.require(authorization, scope)
        except ServiceError:
            return False
        return True


def check_portals(tokens: Sequence[Token], served: Collection[str], source: str) -> None:
    """Refuse a `portal:CLIENT` scope naming a client that is not served: a typo there would
    leave the portal refused at every request, and the mistake unseen until then."""
    for number, token in enumerate(tokens):
        for scope in token.scopes:
            client = scope.removeprefix("portal:")
            if client != scope and client not in served:
                hint = did_you_mean(client, served)
                raise SettingsError(
                    f"{source}: tokens.{number}.scopes: `{scope}` names no client served"
                    + (f"; {hint}" if hint else "")
                    + f" (the clients served: {', '.join(sorted(served)) or 'none'})"
                )


def allows(token: Token, scope: str, client: str | None) -> bool:
    if "admin" in token.scopes:
        return True
    if scope == "portal":
        return f"portal:{client}" in token.scopes
    return scope in token.scopes


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()
