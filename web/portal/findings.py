"""The portal's findings (brister): one finding of the visit's provider with what was found and
what is asked by when, its response (kommunicering) and its åtgärdsplan with optional documents
(into the document store), through services/portal_findings.py: the same Updates as the desk's
and the CLI's, with the provider's contact as the actor. Another provider's finding is not
found (404), whatever its id, and nothing is written.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services import portal_findings
from services.documents import DocumentStore
from services.errors import ActionError
from services.portal import PortalProvider
from web import sessions
from web.desk import desk
from web.forms import GENERAL, text
from web.portal import finding_texts, forms, texts, visit
from web.portal.pages import HOME, show
from web.refusals import in_language

router = APIRouter()
FINDING = "/portal/brister/{ref}"
DOCUMENT_FIELD = "documents"
# The document store's key for an åtgärdsplan's documents.
DOCUMENT_KEY = "atgardsplan"


async def _page(
    request: Request,
    provider: PortalProvider,
    ref: str,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    the_desk = desk(request)
    ft = finding_texts.words(visit.language(request, provider.plan_id))
    try:
        found = await portal_findings.finding(
            the_desk.store, provider, ref, the_desk.settings.plans_dir
        )
    except ActionError:
        return show(request, "missing.html", provider, 404, message=ft["no_finding"])
    context: dict[str, Any] = {
        "f": found.finding,
        "page": found,
        "ft": ft,
        "base": f"/portal/brister/{found.finding.finding_id}",
        "errors": errors or {},
        "values": values or {},
        "request_id": request_id or str(uuid.uuid4()),
        "upload_mb": the_desk.settings.portal_upload_mb,
    }
    return show(request, "finding.html", provider, status_code, **context)


@router.get(FINDING, response_class=HTMLResponse)
async def finding_page(request: Request, ref: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    return await _page(request, provider, ref)


def _refusal(err: ActionError, field: str, ft: dict[str, str], language: str) -> dict[str, str]:
    """The refusal in the provider's words, next to the field it names (else above the form)."""
    if err.field in ("comment", "summary"):
        if err.message.startswith("at most"):
            return {field: ft["err_long"].format(n=portal_findings.MAX_TEXT)}
        return {field: ft["err_empty"]}
    if err.field.startswith("documents."):
        # The document store's refusals (services/documents.py) are written in Swedish.
        return {DOCUMENT_FIELD: err.message[:1].upper() + err.message[1:]}
    if err.field == "status":
        return {GENERAL: ft["err_status"]}
    message = in_language(err.message, language, "finding")
    return {GENERAL: message[:1].upper() + message[1:]}


async def _answer(request: Request, ref: str, form_name: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    the_desk = desk(request)
    language = visit.language(request, provider.plan_id)
    ft = finding_texts.words(language)
    words = texts.words(language)
    plans_dir = the_desk.settings.plans_dir
    form = await request.form()
    field = "comment" if form_name == "respond" else "summary"
    values = {field: text(form, field)}
    documents = DocumentStore.from_settings(the_desk.settings)

    async def steps(sending: forms.Sending) -> str:
        found = await portal_findings.finding(the_desk.store, provider, ref, plans_dir)
        finding_id = found.finding.finding_id
        # Checked before anything is stored or Temporal is asked.
        if form_name == "respond":
            portal_findings.respond_request(provider, values[field])
            await sending.send(
                lambda client: portal_findings.respond(
                    client, the_desk.store, provider, finding_id, values[field], plans_dir
                )
            )
        else:
            portal_findings.action_plan_summary(values[field])
            sending.stored = await forms.uploads(form, documents, DOCUMENT_FIELD, DOCUMENT_KEY)
            refs = [s.ref for s in sending.stored]
            await sending.send(
                lambda client: portal_findings.submit_action_plan(
                    client, the_desk.store, provider, finding_id, values[field], refs, plans_dir
                )
            )
        return finding_id

    async def form_page(errors: dict[str, str], **shown: Any) -> Response:
        # A finding's page has two forms: the errors are the sent one's.
        return await _page(
            request,
            provider,
            ref,
            errors={form_name: errors},
            values=values,
            **shown,
        )

    finding_id = await forms.perform(request, form, steps, documents)
    if isinstance(finding_id, forms.Failed):
        return await forms.answer(
            finding_id,
            form_page=form_page,
            refusal=lambda err: _refusal(err, field, ft, language),
            words=words,
            missing=partial(show, request, "missing.html", provider, 404, message=ft["no_finding"]),
            missing_field="finding",
        )
    done = "response_received" if form_name == "respond" else "plan_received"
    sessions.flash(request, ft[done].format(id=finding_id))
    return RedirectResponse(f"/portal/brister/{finding_id}", status_code=303)


@router.post(FINDING + "/svar", response_class=HTMLResponse)
async def respond(request: Request, ref: str) -> Response:
    return await _answer(request, ref, "respond")


@router.post(FINDING + "/atgardsplan", response_class=HTMLResponse)
async def action_plan(request: Request, ref: str) -> Response:
    return await _answer(request, ref, "plan")
