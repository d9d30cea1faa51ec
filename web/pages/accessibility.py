"""The accessibility statement ("Tillgänglighetsredogörelse"), which lagen (2018:1937) om
tillgänglighet till digital offentlig service requires of a public body's digital service. Everyone
may read it, logged in or not: someone who cannot log in must still learn how to report it."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.plans import administrator_contact
from web.auth import MaybeLoggedIn
from web.desk import desk
from web.render import page

router = APIRouter()
# When the statement was last reviewed against the desk (the law asks for its date); change it
# with the text.
REVIEWED = date(2026, 12, 7)


@router.get("/tillganglighet", response_class=HTMLResponse)
async def statement(request: Request, who: MaybeLoggedIn) -> Response:
    settings = desk(request).settings
    return page(
        request,
        "accessibility.html",
        nav="accessibility",
        contact=administrator_contact(settings.default_plan, settings.plans_dir),
        reviewed=REVIEWED,
    )
