"""Logging in and out with a local account (services/users.py checks the password and the
limit on failed logins; web/refusals.py words its refusals in the desk's language). With
single sign-on configured (web/pages/sso.py) the page offers it first, and local accounts log
in only when LOV_OIDC_LOCAL_LOGIN allows it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services import users
from web import sessions, texts
from web.auth import client_address
from web.desk import desk
from web.forms import text
from web.refusals import in_language
from web.render import page

router = APIRouter()
LOCAL_OFF = "Logga in med kommunens inloggning. Lokala konton används inte här."


def _ways(request: Request) -> dict[str, bool]:
    """Which ways of logging in the page offers."""
    sso = desk(request).sso
    return {"sso": sso is not None, "local": sso is None or sso.config.local_login}


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    if sessions.username(request) is not None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", error=None, username="", **_ways(request))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    username = text(form, "username")
    ways = _ways(request)
    if not ways["local"]:
        said = in_language(LOCAL_OFF, desk(request).language(), "login")
        return page(request, "login.html", 403, error=said, username="", **ways)
    password = form.get("password")
    try:
        account = await users.authenticate(
            desk(request).store,
            username,
            password if isinstance(password, str) else "",
            client_address(request),
        )
    except users.LoginRefused as refused:
        # In the desk's language: before a login, its default plan's (services/users.py words
        # them in Swedish, web/refusals.py in Danish).
        said = in_language(str(refused), desk(request).language(), "login")
        return page(request, "login.html", 401, error=said, username=username, **ways)
    sessions.log_in(request, account.username)
    sessions.flash(
        request, texts.text("login.welcome", desk(request).language(), name=account.display_name)
    )
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    sessions.log_out(request)
    return RedirectResponse("/login", status_code=303)
