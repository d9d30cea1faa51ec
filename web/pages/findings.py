"""Findings (brister): the list with filters, one page per finding with what was found, the
requirement it breaks, its timeline of steps and decisions, the provider's response and
åtgärdsplan, and the actions of services/findings.py (the same as `lov finding register|
respond|action-plan [--submit]|verify|decide|close`), with the logged-in user as the actor. A
response or an åtgärdsplan that came by e-mail or letter is registered by an administrator,
the åtgärdsplan with its documents (optional) in the document store, as the portal's form does.

The list and the finding's page read the records database (and the plan's words), so they
answer while Temporal is down. Who acts: the administrator does everything; a sanction is a
decision after kommunicering, which issue 17 gives managers too; an auditor or a case officer
gets 403 from the server. A finding is addressed by its id, which names the company (or a sole
trader's opaque key), never a customer.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile
from temporalio.client import Client

from models.messages.finding import (
    ActionPlanRequest,
    CloseRequest,
    DecideRequest,
    FindingState,
    FindingStatus,
    RespondRequest,
    SubmitActionPlanRequest,
    VerifyRequest,
)
from services import findings
from services.documents import DocumentStore, Stored
from services.errors import ActionError
from services.filters import plan_filter, state_filter
from services.finding_views import (
    FindingView,
    finding_document,
    finding_rows,
    finding_view,
    next_deadline,
    plan_documents,
    requirement_choices,
)
from services.findings import FindingRow, RegisteredFinding
from services.provider_refs import org_nr_of
from services.providers import list_providers
from services.users import FINDING_DECISION_ROLES, FINDING_ROLES, Account
from web import sessions
from web.actions import NO_REFUSAL, Forms, Refused, perform, refusal
from web.auth import LoggedIn, role_in
from web.desk import Desk, desk
from web.forms import day, text
from web.links import provider_href, provider_options
from web.portal.limits import MAX_DOCUMENTS
from web.render import page, sv_date
from web.texts import text as text_of
from web.texts import texts

router = APIRouter()
Decider = Annotated[Account, Depends(role_in(*FINDING_DECISION_ROLES))]
Finder = Annotated[Account, Depends(role_in(*FINDING_ROLES))]
LIST = "/findings"
FINDING = "/findings/{ref}"
FORMS = ("respond", "plan", "request", "verify", "decide", "close")
REGISTER_FIELDS = ("provider", "requirement", "severity", "source", "what", "evidence")
FILTERS = ("state", "provider", "plan")
STATES = [s.value for s in FindingState]


@dataclass(frozen=True, slots=True)
class Linked:
    """A finding of a list with the addresses of its page and its provider's page."""

    item: FindingRow
    href: str
    provider_href: str | None

    @property
    def deadline(self) -> date | None:
        return next_deadline(self.item.finding)


def linked(the_desk: Desk, rows: list[FindingRow]) -> list[Linked]:
    return [
        Linked(r, f"/findings/{r.finding.finding_id}", provider_href(the_desk, r.finding.org_nr))
        for r in rows
    ]


async def _plans_of_providers(the_desk: Desk) -> list[str]:
    rows = await list_providers(the_desk.store, None, "active", None)
    return [r.plan_id for r in rows if r.plan_id] or [the_desk.settings.default_plan]


async def _filtered(
    the_desk: Desk, filters: dict[str, str]
) -> tuple[list[FindingRow], dict[str, str]]:
    """The findings the filters pick, or none and each bad filter's message."""
    errors: dict[str, str] = {}
    status = plan_id = org = None
    try:
        status = state_filter(filters["state"] or None, STATES)
    except ActionError:
        errors["state"] = "Välj ett läge i listan."
    try:
        plan_id = plan_filter(filters["plan"] or None, the_desk.settings.plans_dir)
    except ActionError:
        errors["plan"] = "Välj en plan i listan."
    if filters["provider"]:
        try:
            org = await org_nr_of(the_desk.store, filters["provider"], the_desk.ids)
        except ActionError:
            errors["provider"] = "Välj en utförare i listan."
    if errors:
        return [], errors
    return await finding_rows(the_desk.store, org_nr=org, status=status, plan_id=plan_id), {}


async def _list(
    request: Request,
    who: Account,
    filters: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    the_desk = desk(request)
    rows, filter_errors = await _filtered(the_desk, filters)
    may_register = who.role in FINDING_ROLES
    plans = await _plans_of_providers(the_desk)
    return page(
        request,
        "findings.html",
        400 if filter_errors and status_code == 200 else status_code,
        nav="findings",
        rows=linked(the_desk, rows),
        filters=filters,
        filter_errors=filter_errors,
        states=STATES,
        plans=sorted(set(plans)),
        providers=await provider_options(the_desk),
        may_register=may_register,
        requirements=requirement_choices(plans, the_desk.settings.plans_dir),
        severities=findings.SEVERITIES,
        sources=findings.SOURCES,
        errors=errors or {},
        values=values or {"provider": filters.get("provider", ""), "severity": "medium"},
        request_id=request_id or str(uuid.uuid4()),
    )


@router.get(LIST, response_class=HTMLResponse)
async def finding_list(
    request: Request, who: LoggedIn, state: str = "", provider: str = "", plan: str = ""
) -> Response:
    filters = {"state": state.strip(), "provider": provider.strip(), "plan": plan.strip()}
    return await _list(request, who, filters)


@router.post(LIST, response_class=HTMLResponse)
async def register(request: Request, who: Finder) -> Response:
    the_desk = desk(request)
    form = await request.form()
    values = {name: text(form, name) for name in REGISTER_FIELDS}
    org = ""
    offered = dict(await provider_options(the_desk))
    if values["provider"] in offered:
        try:
            org = await org_nr_of(the_desk.store, values["provider"], the_desk.ids)
        except ActionError:
            org = ""

    def build() -> str:
        if not org:
            raise ActionError("provider", "välj en utförare")
        if not values["requirement"]:
            raise ActionError("requirement", "välj vilket krav bristen gäller")
        return org

    async def start(client: Client, org_nr: str) -> RegisteredFinding:
        return await findings.register_finding(
            client,
            the_desk.settings,
            org_nr,
            requirement=values["requirement"],
            severity=values["severity"],
            source=values["source"],
            what=values["what"],
            evidence=values["evidence"],
            actor=who.username,
        )

    result = await perform(request, form, REGISTER_FIELDS, build, start, "finding")
    if isinstance(result, Refused):
        return await _list(
            request,
            who,
            {"state": "", "provider": "", "plan": ""},
            errors=result.errors,
            values=values,
            status_code=result.status_code,
            request_id=result.request_id,
        )
    language = the_desk.language()
    sessions.flash(
        request,
        text_of(
            "finding.flash.registered",
            language,
            id=result.finding_id,
            title=result.requirement_title,
            email=result.email,
            date=sv_date(result.response_due, language),
        ),
    )
    # To the list, as återkrav: the worker records the finding a moment after its start.
    return RedirectResponse(LIST, status_code=303)


async def _view(request: Request, ref: str) -> FindingView:
    the_desk = desk(request)
    try:
        return await finding_view(the_desk.store, ref, the_desk.settings.plans_dir)
    except ActionError:
        raise HTTPException(404, "Bristen finns inte.") from None


def _offered(view: FindingView, may_act: bool, may_decide: bool) -> set[str]:
    """The forms the finding's state and the user's role allow (the workflow checks again)."""
    state = view.state
    if state.terminal:
        return set()
    offered = set()
    # A response or an åtgärdsplan that came by e-mail or letter, registered for the provider.
    if may_act and findings.awaits_response(view.page):
        offered.add("respond")
    if may_act and findings.awaits_action_plan(view.page):
        offered.add("plan")
    if may_act and state in (
        FindingState.NOTICED,
        FindingState.RESPONDED,
        FindingState.ACTION_PLAN_LATE,
        FindingState.NOT_REMEDIED,
    ):
        offered.add("request")
    if may_act and state is FindingState.ACTION_PLAN_SUBMITTED:
        offered.add("verify")
    if may_decide:
        offered.add("decide")
    if may_act:
        offered.add("close")
    return offered


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
# The step details the timeline shows (the rest, such as the round, are in the facts above).
DETAILS = ("due", "note", "comment", "summary", "reason", "amount", "late")
# The workflow's status is asked only for the evidence, which the records do not hold; the
# page shows the rest from the records, so it does not wait long for Temporal.
EVIDENCE_WAIT = 1.5


def _history(view: FindingView, language: str) -> list[dict[str, Any]]:
    """Each step as the page shows it: when, what, who, and its details in words."""
    words = texts(language)
    shown = []
    for step in view.page.steps:
        details = []
        for key in DETAILS:
            value = str(step.details.get(key) or "")
            if not value:
                continue
            if _ISO_DAY.fullmatch(value):
                value = sv_date(date.fromisoformat(value), language)
            if key == "late":
                details.append(words["finding.detail.late"])
            else:
                details.append(words[f"finding.detail.{key}"].format(value))
        shown.append(
            {
                "at": step.at,
                "what": words.get(f"finding.step.{step.step}", step.step),
                "actor": words["finding.system"] if step.actor == "system" else step.actor,
                "details": "; ".join(details),
            }
        )
    return shown


async def _evidence(the_desk: Desk, finding_id: str) -> str:
    try:
        client = await asyncio.wait_for(the_desk.temporal(), EVIDENCE_WAIT)
        status = await asyncio.wait_for(findings.finding_status(client, finding_id), EVIDENCE_WAIT)
    except Exception:  # Temporal down or slow: the page shows what the records hold
        return ""
    return status.evidence


async def _show(request: Request, ref: str, who: Account, forms: Forms = NO_REFUSAL) -> Response:
    the_desk = desk(request)
    view = await _view(request, ref)
    f = view.finding
    may_act = who.role in FINDING_ROLES
    may_decide = who.role in FINDING_DECISION_ROLES
    return page(
        request,
        "finding.html",
        forms.status_code,
        nav="findings",
        f=f,
        v=view,
        history=_history(view, the_desk.language()),
        evidence=await _evidence(the_desk, f.finding_id),
        base=f"/findings/{f.finding_id}",
        plan_documents=plan_documents(view.latest("action-plan-submitted", "summary") or ""),
        provider_href=provider_href(the_desk, f.org_nr),
        deadline=next_deadline(f),
        offered=_offered(view, may_act, may_decide),
        may_act=may_act or may_decide,
        errors=forms.errors,
        values=forms.values,
        request_ids=forms.request_ids(FORMS),
        zone=the_desk.zone(f.plan_id),
        plan_lang=view.language,
    )


@router.get(FINDING, response_class=HTMLResponse)
async def finding_page(request: Request, ref: str, who: LoggedIn) -> Response:
    return await _show(request, ref, who)


@router.get(FINDING + "/documents/{sha256}")
async def plan_document(request: Request, ref: str, sha256: str, who: LoggedIn) -> Response:
    """A document sent with an åtgärdsplan: any role may read it, as it may read the finding;
    an attachment typed by its content, never rendered as a page of the desk."""
    the_desk = desk(request)
    try:
        found = await finding_document(the_desk.store, the_desk.settings, ref, sha256)
    except ActionError as err:
        raise HTTPException(404, err.message[:1].upper() + err.message[1:] + ".") from None
    return FileResponse(
        found.path,
        media_type=found.media_type,
        filename=found.filename,
        content_disposition_type="attachment",
    )


Update = Callable[[Client, str, Any], Awaitable[FindingStatus]]


async def _act(
    request: Request,
    ref: str,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[FindingStatus, str], str],
) -> Response:
    view = await _view(request, ref)
    finding_id = view.finding.finding_id
    form = await request.form()
    values = {name: text(form, name) for name in fields}
    result = await perform(
        request,
        form,
        fields,
        lambda: build(form, who.username),
        lambda client, req: update(client, finding_id, req),
        "finding",
    )
    if isinstance(result, Refused):
        return await _show(request, ref, who, result.shown(form_name, values))
    sessions.flash(request, done(result, desk(request).language()))
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


def _respond(form: FormData, actor: str) -> RespondRequest:
    return RespondRequest(comment=text(form, "comment"), actor=actor)


def _request(form: FormData, actor: str) -> ActionPlanRequest:
    due = day(form, "due")
    assert due is not None
    return ActionPlanRequest(due=due, note=text(form, "note"), actor=actor)


def _verify(form: FormData, actor: str) -> VerifyRequest:
    outcome = text(form, "outcome")
    if outcome not in ("remedied", "not_remedied"):
        raise ActionError("outcome", "välj om bristen är åtgärdad eller inte")
    return VerifyRequest(outcome=outcome, note=text(form, "note"), actor=actor)  # type: ignore[arg-type]


def _decide(form: FormData, actor: str) -> DecideRequest:
    kind = findings.parse_kind(text(form, "kind")) if text(form, "kind") else None
    if kind is None:
        raise ActionError("kind", "välj en sanktion")
    typed = text(form, "amount")
    amount = findings.parse_amount(typed) if typed else None
    return DecideRequest(kind=kind, reason=text(form, "reason"), amount=amount, actor=actor)


def _close(form: FormData, actor: str) -> CloseRequest:
    return CloseRequest(reason=text(form, "reason"), actor=actor)


@router.post(FINDING + "/decide", response_class=HTMLResponse)
async def decide(request: Request, ref: str, who: Decider) -> Response:
    def done(s: FindingStatus, language: str) -> str:
        what = s.decisions[-1].title if s.decisions else ""
        return text_of("finding.flash.decided", language, what=what)

    fields = ("kind", "amount", "reason")
    return await _act(request, ref, who, "decide", fields, _decide, findings.decide, done)


def _action(
    name: str,
    path: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[FindingStatus, str], str],
) -> None:
    """POST <finding>/<path>: an administrator's Update with one form's fields."""

    async def act(request: Request, ref: str, who: Finder) -> Response:
        return await _act(request, ref, who, name, fields, build, update, done)

    router.post(FINDING + "/" + path, response_class=HTMLResponse, name=f"finding-{name}")(act)


def _requested(s: FindingStatus, language: str) -> str:
    due = sv_date(s.action_plan_due, language)
    return text_of("finding.flash.requested", language, date=due)


def _verified(s: FindingStatus, language: str) -> str:
    closed = s.status is FindingState.CLOSED
    return text_of("finding.flash.remedied" if closed else "finding.flash.not_remedied", language)


_action(
    "request", "action-plan", ("due", "note"), _request, findings.request_action_plan, _requested
)
_action("verify", "verify", ("outcome", "note"), _verify, findings.verify, _verified)
_action(
    "close",
    "close",
    ("reason",),
    _close,
    findings.close,
    lambda s, language: text_of("finding.flash.closed", language),
)
_action(
    "respond",
    "respond",
    ("comment",),
    _respond,
    findings.respond,
    lambda s, language: text_of("finding.flash.responded", language),
)

PLAN_FIELDS = ("summary", "documents")
# The document store's key for an åtgärdsplan's documents (the portal's too).
DOCUMENT_KEY = "atgardsplan"


def _document_field(err: ActionError) -> ActionError:
    """The document store names its refusals `documents.<key>`; the form has one such field."""
    if err.field.startswith("documents."):
        return ActionError("documents", err.message)
    return err


async def _uploads(form: FormData, documents: DocumentStore) -> list[Stored]:
    """The documents sent with the form, stored; none kept when one is refused."""
    uploads = [u for u in form.getlist("documents") if isinstance(u, UploadFile) and u.filename]
    if len(uploads) > MAX_DOCUMENTS:
        raise ActionError(f"documents.{DOCUMENT_KEY}", f"högst {MAX_DOCUMENTS} dokument")
    stored: list[Stored] = []
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


@router.post(FINDING + "/plan", response_class=HTMLResponse)
async def register_plan(request: Request, ref: str, who: Finder) -> Response:
    """An åtgärdsplan that came by e-mail or letter, registered with its documents (optional)
    in the document store, as the portal's form sends it; the actor is the logged-in user."""
    the_desk = desk(request)
    view = await _view(request, ref)
    finding_id = view.finding.finding_id
    form = await request.form()
    values = {"summary": text(form, "summary")}
    documents = DocumentStore.from_settings(the_desk.settings)
    stored: list[Stored] = []
    try:
        # The text is checked before anything is stored.
        findings.action_plan_text(values["summary"])
        stored = await _uploads(form, documents)
    except ActionError as err:
        refused = refusal(_document_field(err), PLAN_FIELDS, the_desk.language(), "finding")
        return await _show(request, ref, who, refused.shown("plan", values))

    def build() -> SubmitActionPlanRequest:
        summary = findings.action_plan_text(values["summary"], [s.ref for s in stored])
        return SubmitActionPlanRequest(summary=summary, actor=who.username)

    async def submit(client: Client, req: SubmitActionPlanRequest) -> FindingStatus:
        return await findings.submit_action_plan(client, finding_id, req)

    result = await perform(
        request, form, PLAN_FIELDS, build, submit, "finding", on_form=_document_field
    )
    if isinstance(result, Refused):
        # Refused, or not sent: nothing is kept. Sent without an answer: the documents stay
        # for the same request sent again.
        if result.request_id is None:
            documents.discard(stored)
        return await _show(request, ref, who, result.shown("plan", values))
    sessions.flash(request, text_of("finding.flash.plan_registered", the_desk.language()))
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)
