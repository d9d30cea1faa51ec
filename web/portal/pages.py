"""The portal's pages: the link's page whose button opens a visit, the provider's duties, one
duty with its form, and the page that sends a new link (återkrav: web/portal/recoveries.py).

Routes only read forms, call services/portal.py and render web/templates/portal/. Every page
that shows or changes a duty takes the provider from the visit (web/portal/visit.py), never
from the address: `/portal/skyldigheter/<key>/<period>` names a duty of whoever's visit it is.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from models.domain.date_text import format_date
from models.domain.number_format import decimal_text
from services import (
    portal,
    portal_applications,
    portal_findings,
    portal_mail,
    portal_placements,
    portal_recoveries,
)
from services.documents import DocumentStore
from services.errors import ActionError
from services.portal import PortalProvider, PortalRefused, TooManyRequests
from web import sessions
from web.auth import client_address
from web.desk import desk
from web.forms import GENERAL, text
from web.portal import application_texts, finding_texts, forms, placement_texts, texts, visit
from web.render import page

router = APIRouter()
log = logging.getLogger("lovflow.web.portal")
HOME = "/portal"
NEW_LINK = "/portal/ny-lank"
LOG_OUT = "/portal/logga-ut"
OPEN = "/portal/oppna"
DUTY = "/portal/skyldigheter/{obligation}/{period}"
# A document's file field is named after its key in the plan: doc-<key>.
DOCUMENT_FIELD = "doc-"


def _language(request: Request, provider: PortalProvider | None) -> str:
    return visit.language(request, provider.plan_id if provider else None)


def _show(
    request: Request,
    template: str,
    provider: PortalProvider | None,
    status_code: int = 200,
    *,
    language: str | None = None,
    **context: Any,
) -> Response:
    language = language or _language(request, provider)
    response = page(
        request,
        f"portal/{template}",
        status_code,
        language=language,
        provider=provider,
        lang=language,
        t=texts.words(language),
        day=lambda value: format_date(value, language) if isinstance(value, date) else "–",
        state=lambda value: texts.state(value, language),
        review=lambda value: texts.review(value, language),
        recovery_state=lambda value: texts.recovery_state(value, language),
        money=lambda value: "–" if value is None else f"{decimal_text(value, language, 2)} kr",
        number=lambda value: decimal_text(value, language),
        zone=desk(request).zone(provider.plan_id if provider else None),
        **context,
    )
    return response


# The portal's other page modules render through the same layout and words.
show = _show


def _duty_href(obligation: str, period: str) -> str:
    return f"/portal/skyldigheter/{quote(obligation, safe='')}/{quote(period, safe='')}"


def _link_page(
    request: Request, notice: str | None = None, status_code: int = 200, **context: Any
) -> Response:
    return _show(request, "link.html", None, status_code, notice=notice, **context)


@router.get(HOME, response_class=HTMLResponse)
async def start(request: Request) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        had_visit = visit.COOKIE in request.cookies
        words = texts.words(_language(request, None))
        response = _link_page(request, words["visit_ended"] if had_visit else None)
        if had_visit:
            visit.end(response)
        return response
    the_desk = desk(request)
    duties = await portal.duties(the_desk.store, provider, the_desk.titles(provider.plan_id))
    rows = [(d, _duty_href(d.obligation, d.period)) for d in duties]
    return _show(
        request,
        "start.html",
        provider,
        open=[r for r in rows if r[0].state in portal.OPEN_STATES],
        done=[r for r in rows if r[0].state not in portal.OPEN_STATES],
        cases=await portal_recoveries.open_cases(the_desk.store, provider),
        findings=await portal_findings.open_findings(the_desk.store, provider),
        ft=finding_texts.words(_language(request, provider)),
        care_plans=await portal_placements.care_plans_owed(the_desk.store, provider),
        pt=placement_texts.words(_language(request, provider)),
        today=datetime.now(the_desk.zone(provider.plan_id)).date(),
        applications=await portal_applications.waiting(the_desk.store, provider),
        at=application_texts.words(_language(request, provider)),
    )


@router.get(NEW_LINK, response_class=HTMLResponse)
async def new_link_page(request: Request) -> Response:
    return _link_page(request)


@router.post(NEW_LINK, response_class=HTMLResponse)
async def new_link(request: Request) -> Response:
    the_desk = desk(request)
    words = texts.words(_language(request, None))
    form = await request.form()
    email = text(form, "email")[:320]
    now = visit.now()
    try:
        found = await portal.link_requested(the_desk.store, email, client_address(request), now)
    except TooManyRequests:
        return _link_page(request, None, 429, error=words["too_many"])
    for org_nr in found:
        try:
            # A workflow sends it (services/portal_mail.py): connected here, at the first link.
            client = await the_desk.temporal()
            await portal_mail.send_link(
                client, the_desk.settings, the_desk.store, the_desk.ids, org_nr, now
            )
        except Exception:
            # The page says the same whatever happened (Temporal down included); the operator
            # sees why in the log.
            log.exception("portal: a new link could not be sent")
    sent = words["link_sent"].format(days=the_desk.settings.portal_link_days)
    return _link_page(request, None, sent=sent)


@router.post(LOG_OUT)
async def log_out(request: Request) -> Response:
    sessions.flash(request, texts.words(_language(request, None))["logged_out"])
    response = RedirectResponse(NEW_LINK, status_code=303)
    visit.end(response)
    return response


async def _duty_page(
    request: Request,
    provider: PortalProvider,
    obligation: str,
    period: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    the_desk = desk(request)
    words = texts.words(_language(request, provider))
    try:
        found = await portal.duty(
            the_desk.store, provider, obligation, period, the_desk.settings.plans_dir
        )
    except ActionError:
        return _show(request, "missing.html", provider, 404, message=words["no_duty"])
    return _show(
        request,
        "duty.html",
        provider,
        status_code,
        d=found.facts,
        page=found,
        title=found.facts.title or obligation,
        base=_duty_href(obligation, period),
        errors=errors or {},
        values=values or {},
        request_id=request_id or str(uuid.uuid4()),
        upload_mb=the_desk.settings.portal_upload_mb,
    )


@router.get(DUTY, response_class=HTMLResponse)
async def duty(request: Request, obligation: str, period: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    return await _duty_page(request, provider, obligation, period)


def _refusal(err: ActionError, keys: set[str], language: str) -> dict[str, str]:
    """The form field a refusal names ("fields.customers" → customers, "documents.x" → the
    file field doc-x), else the form's."""
    name = err.field.removeprefix("fields.")
    if name.startswith("documents."):
        name = DOCUMENT_FIELD + name.removeprefix("documents.")
    return {name if name in keys else GENERAL: forms.worded(err, language)}


@router.post(DUTY, response_class=HTMLResponse)
async def submit(request: Request, obligation: str, period: str) -> Response:
    provider = await visit.visitor(request)
    if provider is None:
        return RedirectResponse(HOME, status_code=303)
    the_desk = desk(request)
    language = _language(request, provider)
    words = texts.words(language)
    try:
        found = await portal.duty(
            the_desk.store, provider, obligation, period, the_desk.settings.plans_dir
        )
    except ActionError:
        return _show(request, "missing.html", provider, 404, message=words["no_duty"])
    keys = {f.key for f in found.needs.fields} if found.needs else set()
    doc_keys = [d.key for d in found.needs.documents] if found.needs else []
    form = await request.form()
    values = {key: text(form, key) for key in sorted(keys)}
    documents = DocumentStore.from_settings(the_desk.settings)

    async def steps(sending: forms.Sending) -> portal.Submitted:
        for key in doc_keys:
            upload = form.get(DOCUMENT_FIELD + key)
            if isinstance(upload, UploadFile) and upload.filename:
                # At most one byte more than allowed is read: enough to refuse it.
                data = await upload.read(documents.max_bytes + 1)
                name = upload.filename
                sending.stored.append(await asyncio.to_thread(documents.put, key, name, data))
        refs = [s.ref for s in sending.stored]
        return await sending.send(
            lambda client: portal.submit(
                client, provider, obligation, period, values, the_desk.settings.plans_dir, refs
            )
        )

    # A refusal may name a document's file field too.
    all_keys = keys | {DOCUMENT_FIELD + key for key in doc_keys}
    done = await forms.perform(request, form, steps, documents)
    if isinstance(done, forms.Failed):
        return await forms.answer(
            done,
            form_page=partial(_duty_page, request, provider, obligation, period, values=values),
            refusal=lambda err: _refusal(err, all_keys, language),
            words=words,
        )
    result = done.result
    sessions.flash(
        request,
        words["thanks"].format(
            title=result.title,
            period=result.period,
            to=f" {words['and']} ".join(done.receipt_to(obligation)),
        ),
    )
    return RedirectResponse(_duty_href(obligation, period), status_code=303)


async def _admitted(request: Request, token: str) -> PortalProvider | None:
    """The provider a link's token admits, or None (tampered, expired, revoked)."""
    the_desk = desk(request)
    try:
        return await portal.admit(
            the_desk.store, the_desk.ids, visit.secret(request), token, visit.now()
        )
    except PortalRefused:
        return None


def _refused(request: Request) -> Response:
    words = texts.words(_language(request, None))
    return _link_page(request, words["link_invalid"], 403)


@router.post(OPEN, response_class=HTMLResponse)
async def open_visit(request: Request) -> Response:
    """The button of the link's page: the token (checked again) for the visit cookie. Only a
    POST with the session's CSRF token gets here, so neither a page elsewhere (login CSRF) nor
    a mail scanner fetching the link opens a visit."""
    form = await request.form()
    provider = await _admitted(request, text(form, "token"))
    if provider is None:
        return _refused(request)
    response = RedirectResponse(HOME, status_code=303)
    visit.begin(request, response, provider)
    return response


# Last: a link's token is one path segment, and the fixed pages above take precedence.
@router.get("/portal/{token}", response_class=HTMLResponse)
async def open_link(request: Request, token: str) -> Response:
    """The personal link: a page with one button that opens the visit (OPEN). A GET changes
    nothing, since mail scanners and link previews fetch links before anyone clicks them."""
    provider = await _admitted(request, token)
    if provider is None:
        return _refused(request)
    # The provider's language, but not its name: whoever fetches the link sees no data yet.
    language = _language(request, provider)
    return _show(request, "open.html", None, language=language, token=token, action=OPEN)
