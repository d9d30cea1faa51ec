"""`create_app(settings)`: the desk as an ASGI application (FastAPI), for `lov web`, `lov serve`
and the tests.

Layers, outside in: security headers on every response, the signed-cookie session, the CSRF
check on every POST (a dependency of the whole app), then the routers in web/pages/, which read
forms, call services/ and render web/templates/. No business rule lives here or in a route.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from models.domain.provider_id import ProviderIds
from models.runtime.settings import Settings
from models.runtime.web_secret import web_secret
from services.record_reads import open_records
from web import sessions
from web.auth import PASSWORD_PATH, MustChangePassword, NotLoggedIn
from web.desk import Desk, desk
from web.oidc import single_sign_on
from web.pages import (
    accessibility,
    applications,
    documents,
    duties,
    login,
    password,
    placements,
    providers,
    recoveries,
    sso,
    start,
    tasks,
)
from web.pages import findings as finding_pages
from web.pages import meetings as meeting_pages
from web.pages import reports as report_pages
from web.portal import applications as portal_applications
from web.portal import findings as portal_findings
from web.portal import pages as portal_pages
from web.portal import placements as portal_placements
from web.portal import recoveries as portal_recoveries
from web.portal.limits import PortalBodyLimit
from web.refusals import in_language
from web.render import page
from web.security import SecurityHeaders, csrf_protected
from web.texts import text

# Every page's router (the tests check each POST route of these for CSRF and roles).
ROUTERS = (
    login.router,
    start.router,
    providers.router,
    duties.router,
    accessibility.router,
    meeting_pages.router,
    sso.router,
    password.router,
    applications.router,
    recoveries.router,
    placements.router,
    portal_pages.router,
    documents.router,
    report_pages.router,
    portal_recoveries.router,
    finding_pages.router,
    portal_findings.router,
    tasks.router,
    portal_placements.router,
    portal_applications.router,
)
log = logging.getLogger("lovflow.web")
STATIC_DIR = Path(__file__).resolve().parent / "static"
# The statuses whose error page has a heading of its own (web/texts.py "error.<status>").
HEADED = frozenset({400, 403, 404, 405})


def create_app(settings: Settings) -> FastAPI:
    """The desk on the settings' records database (which must exist and be migrated: the app
    refuses to start otherwise) and Temporal (connected at the first action)."""
    secret = web_secret(settings)
    sign_on = single_sign_on(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_records(settings.require_records()) as store:
            app.state.desk = Desk(settings, store, ProviderIds.from_settings(settings), sso=sign_on)
            # What is alive now (modules, templates, the desk) lives as long as the process: out of
            # the collector's way, so a full collection no longer pauses one page in about twenty
            # for 240-380 ms (docs/PERFORMANCE.md section 6).
            gc.freeze()
            yield

    app = FastAPI(
        title="LOV-uppföljning",
        lifespan=lifespan,
        dependencies=[Depends(csrf_protected)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, exc: NotLoggedIn) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(MustChangePassword)
    async def to_password(request: Request, exc: MustChangePassword) -> Response:
        return RedirectResponse(PASSWORD_PATH, status_code=303)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> Response:
        language = desk(request).language()
        known = exc.status_code in HEADED
        heading = text(f"error.{exc.status_code}" if known else "error.other", language)
        message = exc.detail if isinstance(exc.detail, str) else heading
        if message in ("Not Found", "Method Not Allowed", "Forbidden"):
            message = text("error.no_address", language) if exc.status_code == 404 else heading
        # A page's own sentence in the desk's language (web/refusals.py).
        message = in_language(message, language)
        return page(request, "error.html", exc.status_code, heading=heading, message=message)

    @app.exception_handler(Exception)
    async def failure_page(request: Request, exc: Exception) -> Response:
        # Logged with its traceback for the operator; the page says only that it failed.
        log.error("lov web: %s %s failed", request.method, request.url.path, exc_info=exc)
        return page(
            request,
            "error.html",
            500,
            heading=text("error.other", desk(request).language()),
            message=text("error.failed", desk(request).language()),
        )

    # The portal's uploads are bounded before any form is read (web/portal/limits.py).
    app.add_middleware(PortalBodyLimit, upload_mb=settings.portal_upload_mb)
    # Added last, so outermost: the headers go on every response, errors and redirects too.
    sessions.install(app, settings, secret)
    app.add_middleware(SecurityHeaders)
    return app
