"""The portal's komplettering: the application of the visit's org nr that waits for one, what
the municipality asked for by when, and the applicant's answer (a note and documents, into the
document store) through services/portal_applications.py: the same `complete` Update as the
desk's and `lov application complete`, with the applicant's contact as the actor. Another's
application is not found (404), whatever its id, and nothing is written.
"""

from __future__ import annotations

import re
import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services import portal_applications
from services.documents import DocumentStore
from services.errors import ActionError
from services.portal import PortalProvider
from web import sessions
from web.desk import desk
from web.forms import GENERAL, text
from web.portal import application_texts, forms, texts, visit
from web.portal.pages import HOME, show

router = APIRouter()
APPLICATION = "/portal/ansokan/{ref}"
DOCUMENT_FIELD = "documents"
# The document store's key for a komplettering's documents.
DOCUMENT_KEY = "komplettering"
_NUMBER = re.compile(r"-([0-9]+)$")


def numbered(application_id: str, language: str) -> str:
    """ "Ansökan nr 2", as the e-mails name it (the applicant is named beside it)."""
    word = application_texts.words(language)["application"]
    found = _NUMBER.search(application_id)
    return f"{word} nr {found.group(1)}" if found else word


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
    the_desk = desk(request)
    try:
        found = await portal_applications.application(the_desk.store, provider, ref)
    except ActionError:
        words = application_texts.words(visit.language(request, provider.plan_id))
        return show(request, "missing.html", provider, 404, message=words["no_application"])
    # The application's own plan speaks: an applicant has no contract (and so no plan) yet.
    language = visit.language(request, found.plan_id or provider.plan_id)
    context: dict[str, Any] = {
        "a": found,
        "at": application_texts.words(language),
        "title": numbered(found.application_id, language),
        "base": f"/portal/ansokan/{found.application_id}",
        "errors": errors or {},
        "values": values or {},
        "request_id": request_id or str(uuid.uuid4()),
        "upload_mb": the_desk.settings.portal_upload_mb,
    }
    return show(request, "application.html", provider, status_code, language=language, **context)


@router.get(APPLICATION, response_class=HTMLResponse)
async def application_page(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    return await _page(request, provider, ref)


def _refusal(err: ActionError, words: dict[str, str], language: str) -> dict[str, str]:
    """The refusal in the applicant's words, next to the field it names (else above the form)."""
    if err.field == "note":
        if err.message.startswith("at most"):
            return {"note": words["err_long"].format(n=portal_applications.MAX_NOTE)}
        return {"note": words["err_missing"]}
    if err.field.startswith("documents"):
        # The document store's refusals (services/documents.py) are written in Swedish.
        return {DOCUMENT_FIELD: err.message[:1].upper() + err.message[1:]}
    if err.field == "status":
        return {GENERAL: words["err_status"]}
    return {GENERAL: forms.worded(err, language)}


@router.post(APPLICATION, response_class=HTMLResponse)
async def complete(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    the_desk = desk(request)
    language = visit.language(request, provider.plan_id)
    form = await request.form()
    values = {"note": text(form, "note")}
    documents = DocumentStore.from_settings(the_desk.settings)

    async def steps(sending: forms.Sending) -> portal_applications.PortalApplication:
        nonlocal language
        found = await portal_applications.application(the_desk.store, provider, ref)
        language = visit.language(request, found.plan_id or provider.plan_id)
        if not found.answerable:
            raise ActionError("status", "no komplettering has been requested")
        # Checked before anything is stored or Temporal is asked (an empty answer is checked
        # again with the documents below).
        if len(values["note"].strip()) > portal_applications.MAX_NOTE:
            portal_applications.complete_request(provider, values["note"])
        sending.stored = await forms.uploads(form, documents, DOCUMENT_FIELD, DOCUMENT_KEY)
        refs = [s.ref for s in sending.stored]
        portal_applications.complete_request(provider, values["note"], refs)
        await sending.send(
            lambda client: portal_applications.complete(
                client, the_desk.store, provider, found.application_id, values["note"], refs
            )
        )
        return found

    found = await forms.perform(request, form, steps, documents)
    if isinstance(found, forms.Failed):
        # The language the steps found (the application's plan), as far as they got.
        words = application_texts.words(language)
        return await forms.answer(
            found,
            form_page=partial(_page, request, provider, ref, values=values),
            refusal=lambda err: _refusal(err, words, language),
            words=texts.words(language),
            missing=partial(
                show, request, "missing.html", provider, 404, message=words["no_application"]
            ),
            missing_field="application",
        )
    words = application_texts.words(language)
    ref_text = numbered(found.application_id, language).lower()
    sessions.flash(request, words["received"].format(ref=ref_text))
    return RedirectResponse(f"/portal/ansokan/{found.application_id}", status_code=303)
