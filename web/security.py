"""Security headers on every response, and the CSRF token every form carries.

The Content-Security-Policy allows nothing but this origin: no inline script or style (the
pages have none; htmx is a static file and its indicator styles are turned off in the layout),
no frames of the desk elsewhere (clickjacking), forms posting only here. Pages carry personal
data, so they are not cached; the static files are.

CSRF: the session holds a random token; every form has it in a hidden field, and every POST
without the session's token is refused with 403 before anything else runs (`csrf_protected` is
a dependency of the whole app). SameSite=Lax cookies stop most cross-site posts already; the
token is the defence that does not depend on the browser.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
_CSRF_KEY = "csrf"

HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Pure ASGI middleware (no response buffering): adds HEADERS, and `no-store` to
    everything but /static."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's token, made on first use (the login page makes it before anyone logs in)."""
    token = request.session.get(_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_KEY] = token
    return token


async def csrf_protected(request: Request) -> None:
    """403 for a POST whose form lacks the session's token. Reading the form here caches it for
    the route (Starlette keeps the parsed form on the request)."""
    if request.method != "POST":
        return
    expected = request.session.get(_CSRF_KEY)
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not (
        isinstance(expected, str)
        and isinstance(given, str)
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise HTTPException(403, "Formuläret har gått ut. Ladda om sidan och försök igen.")
