"""The pages' templates (web/templates) and the filters that write dates, times, numbers and
states the Swedish way: "7 december 2026", "kl. 10.00" in the plan's time zone, "1 234,50".
Jinja2 escapes every value (autoescape), so text from the records cannot become markup."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from models.domain.date_text import format_date
from models.domain.number_format import decimal_text
from web import sessions, words
from web.desk import desk
from web.security import CSRF_FIELD, csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def sv_date(value: date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, "sv")


def sv_datetime(value: datetime | None, zone: ZoneInfo) -> str:
    """A stored (UTC) time in the plan's time zone."""
    if value is None:
        return "–"
    local = value.astimezone(zone)
    return f"{sv_date(local.date())} kl. {local:%H.%M}"


def sv_number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    # A non-breaking space between thousands, so a figure never wraps inside a table cell.
    return decimal_text(value, "sv", decimals).replace(" ", "\u00a0")


def sv_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{sv_number(size / 1024, 1)} kB"
    return f"{sv_number(size / (1024 * 1024), 1)} MB"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters.update(
    sv_date=sv_date,
    sv_number=sv_number,
    sv_bytes=sv_bytes,
    state=words.state,
    contract_state=words.contract_state,
    role=words.role,
    review=words.review,
    meeting=words.meeting,
    recovery=words.recovery,
    application=words.application,
    placement=words.placement,
)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with what the layout needs: who is logged in, the CSRF token, flash messages and
    the time formatter of the desk's time zone."""
    the_desk = desk(request)
    zone = context.pop("zone", None) or the_desk.zone()
    return templates.TemplateResponse(
        request,
        template,
        {
            "account": getattr(request.state, "account", None),
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request),
            "flashes": sessions.take_flashes(request),
            "when": lambda value: sv_datetime(value, zone),
            **context,
        },
        status_code=status_code,
    )
