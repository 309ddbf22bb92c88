"""The console's plumbing between HTTP and its pages: templates, who is asking, CSRF, errors.

Every page is rendered on the server by Jinja2 with autoescaping on, so a client's name or a
status note holding `<script>` is shown as text. Every response of the console carries a
Content-Security-Policy that allows only the console's own files (no inline script at all),
is never cached, and may not be framed.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from .accounts import Account
from .sessions import Session, Sessions, token_matches

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'{nonce}; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY.format(nonce=""),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

TEMPLATES = Environment(
    loader=PackageLoader("rules_engine.console", "templates"),
    autoescape=True,  # every template, whatever its name
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginNeeded(Exception):
    """A page for people who have logged in, asked without a session."""


class NotFound(Exception):
    """Nothing here for this person: an unknown client and another client's pages answer alike."""


class Refused(Exception):
    """A state-changing request without the session's CSRF token."""


def render(
    request: Request, template: str, session: Session | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    # The editor's style sheet is made by its script (CodeMirror's style-mod): a nonce new with
    # each page lets that one <style> element in, and no other inline style.
    nonce = secrets.token_urlsafe(16)
    body = TEMPLATES.get_template(template).render(
        account=session.account if session else None,
        csrf=session.csrf if session else "",
        path=request.url.path,
        nonce=nonce,
        **values,
    )
    policy = {"Content-Security-Policy": POLICY.format(nonce=f" 'nonce-{nonce}'")}
    return HTMLResponse(body, status_code=status_code, headers={**HEADERS, **policy})


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303, headers=HEADERS)


def session_of(request: Request, sessions: Sessions) -> Session | None:
    found: Session | None = getattr(request.state, "console_session", None)
    if found is None:
        found = sessions.find(request.cookies.get(sessions.cookie))
        request.state.console_session = found
    return found


def signed_in(request: Request, sessions: Sessions) -> tuple[Session, Account]:
    session = session_of(request, sessions)
    if session is None or session.account is None:
        raise LoginNeeded
    return session, session.account


async def check_csrf(request: Request, sessions: Sessions) -> None:
    """A state-changing request must carry the session's token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get("x-csrf-token")
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf")
        presented = value if isinstance(value, str) else None
    if not token_matches(session_of(request, sessions), presented):
        raise Refused


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def with_cookie(response: Response, sessions: Sessions, value: str) -> Response:
    response.set_cookie(sessions.cookie, value, **sessions.cookie_options())
    return response


def without_cookie(response: Response, sessions: Sessions) -> Response:
    response.delete_cookie(sessions.cookie, **sessions.cookie_options())
    return response
