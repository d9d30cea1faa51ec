"""The pages' templates (web/templates) and the filters that write dates, times, numbers and
states in the desk's language (its default plan's): "7 december 2026", "kl. 10.00" in the
plan's time zone, "1 234,50"; in Danish "7. december 2026", "1.234,50".
Jinja2 escapes every value (autoescape), so text from the records cannot become markup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
from web import sessions, texts, words
from web.desk import desk
from web.security import CSRF_FIELD, csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


# The language of the page being rendered. Set by page() around the rendering, so the filters
# and tr() see it in imported macros too (which do not get the page's context).
_language: ContextVar[str] = ContextVar("desk_language", default="sv")


def sv_date(value: date | None, language: str | None = None) -> str:
    if value is None:
        return "–"
    return format_date(value, language or _language.get())


def sv_datetime(value: datetime | None, zone: ZoneInfo, language: str | None = None) -> str:
    """A stored (UTC) time in the plan's time zone."""
    if value is None:
        return "–"
    local = value.astimezone(zone)
    return f"{sv_date(local.date(), language)} kl. {local:%H.%M}"


def sv_number(
    value: int | float | Decimal | None, decimals: int = 0, language: str | None = None
) -> str:
    if value is None:
        return "–"
    # A non-breaking space between thousands, so a figure never wraps inside a table cell.
    return decimal_text(value, language or _language.get(), decimals).replace(" ", "\u00a0")


def sv_bytes(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{sv_number(size / 1024, 1)} kB"
    return f"{sv_number(size / (1024 * 1024), 1)} MB"


def tr(key: str, **values: object) -> str:
    """The desk's words for `key` (web/texts.py) in the language of the page being rendered."""
    return texts.text(key, _language.get(), **values)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """tr(), dates and numbers in `language` outside a page's rendering: a message made after
    an action (a flash) speaks the page's language."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def money(amount: Decimal) -> str:
    """An amount in kronor as the language writes it: "1 234,50 kr", "1.234,50 kr."."""
    return f"{decimal_text(amount, _language.get(), 2)} {tr('currency')}"


def _in_language(word: Callable[[str, str], str]) -> Callable[[Any], str]:
    return lambda value: word(value, _language.get())


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["tr"] = tr
templates.env.filters.update(
    sv_date=sv_date,
    date_text=sv_date,
    sv_number=sv_number,
    number_text=sv_number,
    sv_bytes=sv_bytes,
    state=_in_language(words.state),
    contract_state=_in_language(words.contract_state),
    role=_in_language(words.role),
    review=_in_language(words.review),
    meeting=_in_language(words.meeting),
    meeting_event=_in_language(words.meeting_event),
    recovery=_in_language(words.recovery),
    application=_in_language(words.application),
    placement=_in_language(words.placement),
)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with what the layout needs: who is logged in, the CSRF token, flash messages and
    the time formatter of the desk's time zone, in the desk's language (`desk_lang`), or in
    `language` for a page that is not the desk's (the provider portal: its provider's plan's)."""
    the_desk = desk(request)
    zone = context.pop("zone", None) or the_desk.zone()
    # Popped, not a parameter: the pages pass their context as keywords, some as a dict.
    asked: str | None = context.pop("language", None)
    language = asked or the_desk.language()
    # The response renders its template when made, so the language holds for all of it.
    token = _language.set(language)
    try:
        return templates.TemplateResponse(
            request,
            template,
            {
                "account": getattr(request.state, "account", None),
                "csrf_field": CSRF_FIELD,
                "csrf_token": csrf_token(request),
                "flashes": sessions.take_flashes(request),
                "desk_lang": language,
                "when": lambda value: sv_datetime(value, zone, language),
                **context,
            },
            status_code=status_code,
        )
    finally:
        _language.reset(token)
