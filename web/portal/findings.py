"""The portal's findings (brister): one finding of the visit's provider with what was found and
what is asked by when, its response (kommunicering) and its åtgärdsplan with optional documents
(into the document store), through services/portal_findings.py: the same Updates as the desk's
and the CLI's, with the provider's contact as the actor. Another provider's finding is not
found (404), whatever its id, and nothing is written.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from services import portal_findings
from services.documents import DocumentStore, Stored
from services.errors import ActionError
from services.portal import PortalProvider
from services.request_ids import Attempt, attempt, check_request_id
from web import sessions
from web.desk import desk
from web.forms import GENERAL, text
from web.portal import finding_texts, texts, visit
from web.portal.limits import MAX_DOCUMENTS
from web.portal.pages import HOME, show
from web.refusals import in_language

router = APIRouter()
FINDING = "/portal/brister/{ref}"
DOCUMENT_FIELD = "documents"
# The document store's key for an åtgärdsplan's documents.
DOCUMENT_KEY = "atgardsplan"


def _language(request: Request, provider: PortalProvider) -> str:
    settings = desk(request).settings
    return texts.language_of(provider.plan_id, settings.plans_dir, settings.default_plan)


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
    ft = finding_texts.words(_language(request, provider))
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


async def _uploads(form: FormData, documents: DocumentStore) -> list[Stored]:
    stored: list[Stored] = []
    uploads = [u for u in form.getlist(DOCUMENT_FIELD) if isinstance(u, UploadFile)]
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > MAX_DOCUMENTS:
        raise ActionError(f"documents.{DOCUMENT_KEY}", f"högst {MAX_DOCUMENTS} dokument")
    try:
        for upload in uploads:
            # At most one byte more than allowed is read: enough to refuse it.
            data = await upload.read(documents.max_bytes + 1)
            name = upload.filename or "dokument"
            stored.append(await asyncio.to_thread(documents.put, DOCUMENT_KEY, name, data))
    except ActionError:
        documents.discard(stored)
        raise
    return stored


async def _answer(request: Request, ref: str, form_name: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    the_desk = desk(request)
    language = _language(request, provider)
    ft = finding_texts.words(language)
    words = texts.words(language)
    plans_dir = the_desk.settings.plans_dir
    form = await request.form()
    field = "comment" if form_name == "respond" else "summary"
    values = {field: text(form, field)}
    documents = DocumentStore.from_settings(the_desk.settings)
    stored: list[Stored] = []
    state: Attempt | None = None
    try:
        found = await portal_findings.finding(the_desk.store, provider, ref, plans_dir)
        finding_id = found.finding.finding_id
        # Checked before anything is stored or Temporal is asked.
        if form_name == "respond":
            portal_findings.respond_request(provider, values[field])
        else:
            portal_findings.action_plan_summary(values[field])
            stored = await _uploads(form, documents)
        state = Attempt(check_request_id(text(form, "request_id") or None))
        client = await the_desk.temporal()
        with attempt(state):
            if form_name == "respond":
                await portal_findings.respond(
                    client, the_desk.store, provider, finding_id, values[field], plans_dir
                )
            else:
                await portal_findings.submit_action_plan(
                    client,
                    the_desk.store,
                    provider,
                    finding_id,
                    values[field],
                    [s.ref for s in stored],
                    plans_dir,
                )
    except ActionError as err:
        documents.discard(stored)
        if err.field == "finding":
            return show(request, "missing.html", provider, 404, message=ft["no_finding"])
        return await _page(
            request,
            provider,
            ref,
            errors={form_name: _refusal(err, field, ft, language)},
            values=values,
            status_code=400,
        )
    except (RPCError, TemporalError, OSError, RuntimeError):
        unknown = state is not None and state.sent
        if not unknown:
            documents.discard(stored)
        return await _page(
            request,
            provider,
            ref,
            errors={form_name: {GENERAL: words["unknown_outcome" if unknown else "temporal_down"]}},
            values=values,
            status_code=503,
            request_id=state.request_id if unknown and state else None,
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
