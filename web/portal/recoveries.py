"""The portal's återkrav: one case of the visit's provider, and its answer (accept, or dispute
with a comment) through services/portal_recoveries.py, the same `respond` Update as the desk's
with the provider's contact as the actor. The case is looked up for the visit's provider only:
another provider's case is not found (404), whatever its id.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.domain.customer_ref import looks_like_personnummer
from services import portal_recoveries
from services.errors import ActionError
from services.portal import PortalProvider
from web import sessions
from web.desk import desk
from web.forms import GENERAL, text
from web.portal import forms, texts, visit
from web.portal.pages import HOME, show

router = APIRouter()
CASE = "/portal/aterkrav/{ref}"
FIELDS = ("outcome", "comment")


async def _page(
    request: Request,
    provider: PortalProvider,
    case: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    try:
        found = await portal_recoveries.case(desk(request).store, provider, case)
    except ActionError:
        words = texts.words(visit.language(request, provider.plan_id))
        return show(request, "missing.html", provider, 404, message=words["no_case"])
    context: dict[str, Any] = {
        "c": found.case,
        "page": found,
        "base": f"/portal/aterkrav/{found.case.recovery_id}",
        "masked": lambda ref: "–" if looks_like_personnummer(ref) else ref,
        "errors": errors or {},
        "values": values or {},
        "request_id": request_id or str(uuid.uuid4()),
    }
    return show(request, "recovery.html", provider, status_code, **context)


@router.get(CASE, response_class=HTMLResponse)
async def case_page(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    return await _page(request, provider, ref)


def _refusal(err: ActionError, words: dict[str, str], language: str) -> dict[str, str]:
    """The refusal in the provider's words, next to the field it names (else above the form)."""
    if err.field == "outcome":
        return {"outcome": words["err_outcome"]}
    if err.field == "comment":
        long = err.message.startswith("at most")
        n = portal_recoveries.MAX_COMMENT
        return {"comment": words["err_comment_long"].format(n=n) if long else words["err_comment"]}
    if err.field == "status":
        return {GENERAL: words["err_status"]}
    return {GENERAL: forms.worded(err, language)}


@router.post(CASE, response_class=HTMLResponse)
async def respond(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    the_desk = desk(request)
    language = visit.language(request, provider.plan_id)
    words = texts.words(language)
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}

    async def steps(sending: forms.Sending) -> portal_recoveries.PortalCase:
        found = await portal_recoveries.case(the_desk.store, provider, ref)
        # Checked before Temporal is asked, so a bad answer is refused even while it is down.
        portal_recoveries.respond_request(provider, values["outcome"], values["comment"])
        await sending.send(
            lambda client: portal_recoveries.respond(
                client, the_desk.store, provider, ref, values["outcome"], values["comment"]
            )
        )
        return found

    found = await forms.perform(request, form, steps)
    if isinstance(found, forms.Failed):
        return await forms.answer(
            found,
            form_page=partial(_page, request, provider, ref, values=values),
            refusal=lambda err: _refusal(err, words, language),
            words=words,
            missing=partial(show, request, "missing.html", provider, 404, message=words["no_case"]),
            missing_field="case",
        )
    sessions.flash(request, words["answer_received"].format(case=found.case.recovery_id))
    return RedirectResponse(f"/portal/aterkrav/{found.case.recovery_id}", status_code=303)
