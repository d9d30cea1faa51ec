"""The "Byt lösenord" page: a local account chooses its own password. An account with a
one-time password (from `lov serve`, `lov user add --one-time` or `lov user passwd`) is sent
here by every other page until it has (web/auth.py); services/users.py holds the rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services import users
from services.errors import ActionError
from services.users import Account
from web import sessions, texts
from web.auth import PASSWORD_PATH, current_account
from web.desk import desk
from web.forms import errors_of
from web.render import page

router = APIRouter()
FIELDS = ("password", "repeated")
SSO_HAS_NO_PASSWORD = "Du loggar in med kommunens inloggning och har inget lösenord här."

Current = Annotated[Account, Depends(current_account)]


def _local(request: Request) -> None:
    if sessions.sso_details(request) is not None:
        raise HTTPException(404, SSO_HAS_NO_PASSWORD)


@router.get(PASSWORD_PATH, response_class=HTMLResponse)
async def password_page(request: Request, who: Current) -> Response:
    _local(request)
    return page(
        request,
        "password.html",
        errors={},
        forced=who.must_change_password,
        min_length=users.MIN_PASSWORD,
    )


@router.post(PASSWORD_PATH, response_class=HTMLResponse)
async def change_password(request: Request, who: Current) -> Response:
    _local(request)
    form = await request.form()
    new, repeated = form.get("password"), form.get("repeated")
    try:
        await users.change_own_password(
            desk(request).store,
            who.username,
            new if isinstance(new, str) else "",
            repeated if isinstance(repeated, str) else "",
        )
    except ActionError as err:
        return page(
            request,
            "password.html",
            400,
            errors=errors_of(err, FIELDS, desk(request).language(), "login"),
            forced=who.must_change_password,
            min_length=users.MIN_PASSWORD,
        )
    sessions.flash(request, texts.text("password.saved", desk(request).language()))
    return RedirectResponse("/", status_code=303)
