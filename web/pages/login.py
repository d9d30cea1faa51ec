"""Logging in and out with a local account (services/users.py checks the password and the
limit on failed logins)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services import users
from web import sessions
from web.auth import client_address
from web.desk import desk
from web.forms import text
from web.render import page

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    if sessions.username(request) is not None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", error=None, username="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    username = text(form, "username")
    password = form.get("password")
    try:
        account = await users.authenticate(
            desk(request).store,
            username,
            password if isinstance(password, str) else "",
            client_address(request),
        )
    except users.LoginRefused as refused:
        return page(request, "login.html", 401, error=str(refused), username=username)
    sessions.log_in(request, account.username)
    sessions.flash(request, f"Välkommen, {account.display_name}.")
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    sessions.log_out(request)
    return RedirectResponse("/login", status_code=303)
