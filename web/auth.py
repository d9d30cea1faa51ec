"""Who is logged in, and what their role lets them do.

Every page but the login page needs an account; the session names it, and each request reads it
from the records (one SELECT), so an account disabled with `lov user disable` is logged out at
its next request. A single sign-on session names its user, display name and role itself (there
is no local account), and ends when single sign-on is no longer configured; a local account's
ends when single sign-on is configured without LOV_OIDC_LOCAL_LOGIN. A local account
with a one-time password gets nothing but the "Byt lösenord" page (PASSWORD_PATH) until it has
chosen its own: every page that needs an account redirects there. An action is a POST that
changes something: only the roles that may act get past `acting` (an auditor or a manager gets
403 from the server, whatever the page showed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from services import users
from services.users import Account
from web import sessions
from web.desk import desk

FORBIDDEN = "Din roll får inte göra detta. Inget har ändrats."
PASSWORD_PATH = "/password"


class NotLoggedIn(Exception):
    """No (longer a) valid session: the app sends the browser to the login page."""


class MustChangePassword(Exception):
    """The account's password is one-time: the app sends the browser to PASSWORD_PATH."""


async def current_account(request: Request) -> Account:
    """Who is logged in, one-time password or not (for the "Byt lösenord" page itself)."""
    name = sessions.username(request)
    if name is None:
        raise NotLoggedIn
    sso = sessions.sso_details(request)
    sign_on = desk(request).sso
    if sso is not None:
        # Single sign-on turned off since: its sessions end.
        found: Account | None = Account(name, sso[0], sso[1]) if sign_on is not None else None
    elif sign_on is not None and not sign_on.config.local_login:
        found = None  # local accounts turned off since (LOV_OIDC_LOCAL_LOGIN): they end too
    else:
        found = await users.active_account(desk(request).store, name)
    if found is None:
        sessions.log_out(request)
        raise NotLoggedIn
    request.state.account = found
    return found


async def account(request: Request) -> Account:
    found = await current_account(request)
    if found.must_change_password:
        raise MustChangePassword
    return found


def role_in(*roles: str) -> Callable[[Request], Awaitable[Account]]:
    """A dependency: the account, if its role is one of `roles`; 403 otherwise."""

    async def allowed(request: Request) -> Account:
        found = await account(request)
        if found.role not in roles:
            raise HTTPException(403, FORBIDDEN)
        return found

    return allowed


# Reviewing, extending and waiving duties: the administrator's work.
administrator = role_in("administrator")


def client_address(request: Request) -> str:
    """The client's address as uvicorn saw it (behind the proxy: the forwarded one, when
    uvicorn trusts the proxy, docs in README "Web desk")."""
    return request.client.host if request.client else "unknown"


# Route parameters: `who: LoggedIn` (any role), `who: Administrator` (the administrator's actions).
LoggedIn = Annotated[Account, Depends(account)]
Administrator = Annotated[Account, Depends(administrator)]


async def maybe_account(request: Request) -> Account | None:
    """The account if someone is logged in, else None: for the pages everyone may read (the
    accessibility statement), which show the menu to those logged in."""
    try:
        return await account(request)
    except (NotLoggedIn, MustChangePassword):
        request.state.account = None
        return None


MaybeLoggedIn = Annotated[Account | None, Depends(maybe_account)]
