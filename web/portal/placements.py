"""The portal's placements (kundval): one placement the visit's provider serves, with its
genomförandeplan's due date, and the provider's report that the plan is established, through
services/portal_placements.py: the same `care_plan_done` Update as `lov placement plan-done` and
the desk's, with the provider's contact as the actor. A placement is addressed by its generated
id only (the customer never appears in an address); another provider's placement is not found
(404), whatever its id, and nothing is written.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.domain.date_text import format_date
from services import portal_placements
from services.errors import ActionError
from services.portal import PortalProvider
from web import sessions
from web.desk import desk
from web.forms import GENERAL, text
from web.portal import forms, placement_texts, texts, visit
from web.portal.pages import HOME, show

router = APIRouter()
PLACEMENT = "/portal/uppdrag/{ref}"


def today(request: Request, provider: PortalProvider) -> date:
    """Today where the provider's plan is (the workflow checks the day in the same zone)."""
    return datetime.now(desk(request).zone(provider.plan_id)).date()


async def _page(
    request: Request,
    provider: PortalProvider,
    ref: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    pt = placement_texts.words(visit.language(request, provider.plan_id))
    try:
        found = await portal_placements.placement(desk(request).store, provider, ref)
    except ActionError:
        return show(request, "missing.html", provider, 404, message=pt["no_placement"])
    now = today(request, provider)
    context: dict[str, Any] = {
        "p": found.placement,
        "page": found,
        "pt": pt,
        "late": found.overdue(now),
        "base": f"/portal/uppdrag/{found.placement_id}",
        "errors": errors or {},
        "values": values or {"done_on": now.isoformat()},
        "request_id": request_id or str(uuid.uuid4()),
    }
    return show(request, "placement.html", provider, status_code, **context)


@router.get(PLACEMENT, response_class=HTMLResponse)
async def placement_page(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    return await _page(request, provider, ref)


def _refusal(
    err: ActionError, pt: dict[str, str], language: str, start: date | None, now: date
) -> dict[str, str]:
    """The refusal in the provider's words, next to the date field (else above the form)."""
    if err.field == "done_on":
        if err.message == "missing":
            return {"done_on": pt["err_missing"]}
        if err.message == "not a date":
            return {"done_on": pt["err_format"].format(example=now.isoformat())}
        if "future" in err.message:
            return {"done_on": pt["err_future"]}
        if "start" in err.message:
            shown = format_date(start, language) if start else "–"
            return {"done_on": pt["err_before_start"].format(date=shown)}
    if err.field == "status" and "already registered" in err.message:
        return {GENERAL: pt["err_status"]}
    return {GENERAL: forms.worded(err, language)}


@router.post(PLACEMENT, response_class=HTMLResponse)
async def care_plan_done(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    the_desk = desk(request)
    language = visit.language(request, provider.plan_id)
    pt = placement_texts.words(language)
    words = texts.words(language)
    form = await request.form()
    values = {"done_on": text(form, "done_on")}
    now = today(request, provider)
    start: date | None = None

    async def steps(sending: forms.Sending) -> portal_placements.PortalPlacement:
        nonlocal start
        found = await portal_placements.placement(the_desk.store, provider, ref)
        start = found.placement.provider_start
        if not found.care_plan_owed:
            raise ActionError("status", "the genomförandeplan is already registered")
        # Checked before Temporal is asked, so a bad date is refused even while it is down.
        portal_placements.done_on(found, values["done_on"], now)
        await sending.send(
            lambda client: portal_placements.care_plan_done(
                client, the_desk.store, provider, found.placement_id, values["done_on"], now
            )
        )
        return found

    found = await forms.perform(request, form, steps)
    if isinstance(found, forms.Failed):
        return await forms.answer(
            found,
            form_page=partial(_page, request, provider, ref, values=values),
            refusal=lambda err: _refusal(err, pt, language, start, now),
            words=words,
            missing=partial(
                show, request, "missing.html", provider, 404, message=pt["no_placement"]
            ),
            missing_field="placement",
        )
    sessions.flash(request, pt["received"].format(ref=found.customer_ref))
    return RedirectResponse(f"/portal/uppdrag/{found.placement_id}", status_code=303)
