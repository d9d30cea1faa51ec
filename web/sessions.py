"""Sessions in signed cookies (Starlette's SessionMiddleware over itsdangerous): nothing is kept
in the web process, so any number of `lov web` processes can serve the same users.

The cookie is HttpOnly, SameSite=Lax and, unless LOV_WEB_SECURE_COOKIES is off (the `lov serve`
desk on http://127.0.0.1), Secure; it expires after LOV_WEB_SESSION_HOURS, and the signature's
timestamp is checked against the same age. It holds the username, the CSRF token and the
flash messages: never a password or personal data of providers. A single sign-on login also
holds its display name and role (there is no local account to read them from): the signature
keeps them as the identity provider gave them, for the session's life.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from models.runtime.settings import Settings

COOKIE = "lov_session"
_USER = "user"
_FLASH = "flash"
_SSO = "sso"


def install(app: FastAPI, settings: Settings, secret: str) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=COOKIE,
        max_age=int(settings.web_session_hours * 3600),
        same_site="lax",
        https_only=settings.web_secure_cookies,
    )


def log_in(request: Request, username: str) -> None:
    """A new session for the user: whatever the old one held (a CSRF token an attacker may have
    planted) is dropped."""
    request.session.clear()
    request.session[_USER] = username


def log_in_sso(request: Request, username: str, display_name: str, role: str) -> None:
    """A new session for a single sign-on user (web/pages/sso.py), as `log_in`."""
    log_in(request, username)
    request.session[_SSO] = {"name": display_name, "role": role}


def sso_details(request: Request) -> tuple[str, str] | None:
    """(display name, role) of a single sign-on session; None for a local account's."""
    value = request.session.get(_SSO)
    if not isinstance(value, dict):
        return None
    name, role = value.get("name"), value.get("role")
    return (name, role) if isinstance(name, str) and isinstance(role, str) else None


def log_out(request: Request) -> None:
    request.session.clear()


def username(request: Request) -> str | None:
    value = request.session.get(_USER)
    return value if isinstance(value, str) else None


def flash(request: Request, message: str) -> None:
    """A message for the next page shown (after a POST/redirect/GET)."""
    request.session[_FLASH] = [*request.session.get(_FLASH, []), message]


def take_flashes(request: Request) -> list[str]:
    return [str(m) for m in request.session.pop(_FLASH, [])]
