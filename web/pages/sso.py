"""Logging in through the municipality's single sign-on (OpenID Connect): `/login/oidc` sends
the browser to the identity provider, `/login/oidc/callback` receives it back. web/oidc.py
checks that the answer can be trusted, services/sign_in.py decides who that is in the desk (or
refuses: 403, nothing logged in). Both answer 404 when single sign-on is not configured."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.runtime.oidc import CALLBACK_PATH
from services import sign_in
from web import sessions, texts
from web.desk import desk
from web.oidc import SignOnFailed, SingleSignOn
from web.refusals import in_language
from web.render import page

router = APIRouter()
START_PATH = "/login/oidc"
NOT_CONFIGURED = "Inloggning med kommunens inloggning är inte inställd här."


def _sso(request: Request) -> SingleSignOn:
    found = desk(request).sso
    if found is None:
        # The 404 page words only the shared phrasings: this one in the desk's language here.
        raise HTTPException(404, in_language(NOT_CONFIGURED, desk(request).language(), "login"))
    return found


def _refused(request: Request, message: str, status_code: int) -> Response:
    sessions.log_out(request)
    language = desk(request).language()
    return page(
        request,
        "sso_refused.html",
        status_code,
        heading=in_language("Du har inte loggats in", language, "login"),
        message=in_language(message, language, "login"),
    )


@router.get(START_PATH)
async def start(request: Request) -> Response:
    try:
        return await _sso(request).start(request)
    except SignOnFailed as failed:
        return _refused(request, str(failed), failed.status_code)


@router.get(CALLBACK_PATH, response_class=HTMLResponse)
async def callback(request: Request) -> Response:
    sso = _sso(request)
    try:
        claims = await sso.finish(request)
        account = sign_in.account_from_claims(claims, sso.config.roles_claim, sso.config.role_map)
    except SignOnFailed as failed:
        return _refused(request, str(failed), failed.status_code)
    except sign_in.SignInRefused as refused:
        return _refused(request, str(refused), 403)
    sessions.log_in_sso(request, account.username, account.display_name, account.role)
    sessions.flash(
        request, texts.text("login.welcome", desk(request).language(), name=account.display_name)
    )
    return RedirectResponse("/", status_code=303)
