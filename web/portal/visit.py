"""A provider's visit: opened by the personal link, kept in a cookie of its own.

The link's token is exchanged, when the button of the link's page is pressed (a POST: a GET of
the link opens nothing), for a short-lived visit token (models.domain.portal_token,
signed under another salt) in the `lov_portal` cookie, limited to /portal, so the portal's
addresses carry no token after the first. The cookie is separate from the desk's session: a
provider never gets a desk login, a desk user never a provider's rights. Each request checks
the visit against the records, so a contact change ends the visits opened before it too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request, Response

from models.domain.portal_token import VISIT
from models.runtime.web_secret import web_secret
from services import portal
from services.portal import PortalProvider, PortalRefused
from web.desk import desk
from web.portal import texts

COOKIE = "lov_portal"
PATH = "/portal"


def now() -> datetime:
    return datetime.now(UTC)


def secret(request: Request) -> str:
    """The web secret (LOV_WEB_SECRET_KEY or var/web-secret.key), read once per process."""
    found = getattr(request.app.state, "portal_secret", None)
    if not isinstance(found, str):
        found = web_secret(desk(request).settings)
        request.app.state.portal_secret = found
    return found


async def visitor(request: Request) -> PortalProvider | None:
    """The provider whose visit this is, or None (no visit, or it has ended)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    the_desk = desk(request)
    try:
        return await portal.admit(
            the_desk.store, the_desk.ids, secret(request), token, now(), VISIT
        )
    except PortalRefused:
        return None


def begin(request: Request, response: Response, provider: PortalProvider) -> None:
    settings = desk(request).settings
    response.set_cookie(
        COOKIE,
        portal.visit_token(settings, secret(request), provider, now()),
        max_age=settings.portal_session_minutes * 60,
        path=PATH,
        httponly=True,
        secure=settings.web_secure_cookies,
        samesite="lax",
    )


def end(response: Response) -> None:
    response.delete_cookie(COOKIE, path=PATH)


def language(request: Request, plan_id: str | None) -> str:
    """The language of a plan's portal pages (the default plan's without one)."""
    settings = desk(request).settings
    return texts.language_of(plan_id, settings.plans_dir, settings.default_plan)
