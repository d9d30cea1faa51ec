"""Återkrav: the cases, open and closed, and one page per case with its history and the
actions services/recoveries.py offers (the same as `lov recovery start|respond|decide|settle|
paid`), with the logged-in user as the actor.

The lists and the case page read the records database, so they answer while Temporal is down.
Who acts: the administrator does everything; the decision (confirm, adjust, withdraw) is a
decision on the provider's money after kommunicering, which issue 17 gives managers too
("decisions on escalations and sanctions"); an auditor or a case officer gets 403. A case is
addressed by its case id, which names the company (or a sole trader's opaque key), never a
customer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData
from temporalio.client import Client

from models.domain.customer_ref import looks_like_personnummer
from models.domain.money import ClaimLine
from models.messages.recovery import (
    DecideRequest,
    PaidRequest,
    RecoveryState,
    RecoveryStatus,
    RespondRequest,
    SettleRequest,
)
from services import recoveries
from services.errors import ActionError
from services.provider_refs import org_nr_of
from services.recoveries import CaseRow, OpenedCase
from services.users import RECOVERY_DECISION_ROLES, RECOVERY_ROLES, Account
from web import sessions
from web.actions import NO_REFUSAL, Forms, Refused, perform
from web.auth import LoggedIn, role_in
from web.desk import desk
from web.forms import text
from web.links import provider_href, provider_options
from web.recovery_words import COLUMN_WORDS, DECISIONS, DETAIL_WORDS, STEP_WORDS, in_language
from web.render import money, page, speaking, sv_date, tr

router = APIRouter()
# The decision may also be a manager's (module docstring); every other action is the
# administrator's.
Decider = Annotated[Account, Depends(role_in(*RECOVERY_DECISION_ROLES))]
Recoverer = Annotated[Account, Depends(role_in(*RECOVERY_ROLES))]
CASE = "/recoveries/{ref}"
FORMS = ("open", "respond", "decide", "settle", "paid")
OPEN_FIELDS = ("provider", "subject", "lines")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True, slots=True)
class Linked:
    """A case of the list with the addresses of its page and its provider's page."""

    item: CaseRow
    href: str
    provider_href: str | None

    @property
    def deadline(self) -> date | None:
        """The next deadline: the response's while noticed, else the payment's (as the CLI)."""
        c = self.item.case
        return c.payment_due or (c.response_due if c.status == "noticed" else None)


async def _list(
    request: Request,
    who: Account,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    request_id: str | None = None,
) -> Response:
    the_desk = desk(request)
    rows = [
        Linked(c, f"/recoveries/{c.case.recovery_id}", provider_href(the_desk, c.case.org_nr))
        for c in await recoveries.all_cases(the_desk.store)
    ]
    may_open = who.role in RECOVERY_ROLES
    return page(
        request,
        "recoveries.html",
        status_code,
        nav="recoveries",
        open_rows=[r for r in rows if not RecoveryState(r.item.case.status).terminal],
        closed_rows=[r for r in rows if RecoveryState(r.item.case.status).terminal],
        may_open=may_open,
        providers=await provider_options(the_desk) if may_open else [],
        errors=errors or {},
        values=values or {},
        request_id=request_id or str(uuid.uuid4()),
    )


@router.get("/recoveries", response_class=HTMLResponse)
async def cases(request: Request, who: LoggedIn) -> Response:
    return await _list(request, who)


def claim_lines(typed: str) -> list[ClaimLine]:
    """One claim line per non-blank line of the text area, as `lov recovery start --line`
    takes them; an error names the line and the column in Swedish."""
    specs = [line for line in typed.splitlines() if line.strip()]
    if not specs:
        raise ActionError("lines", "skriv minst en rad")
    try:
        return recoveries.lines_from_specs(specs, "rad")
    except ActionError as err:
        where = err.field.replace("kolumn ", "kolumnen ")
        for key, word in COLUMN_WORDS.items():
            where = where.replace(key, word)
        raise ActionError("lines", f"{where.capitalize()}: {err.message}") from None


@router.post("/recoveries", response_class=HTMLResponse)
async def open_case(request: Request, who: Recoverer) -> Response:
    the_desk = desk(request)
    form = await request.form()
    values = {name: text(form, name) for name in OPEN_FIELDS}
    org = ""

    def build() -> list[ClaimLine]:
        if not values["provider"]:
            raise ActionError("provider", "välj en utförare")
        return claim_lines(str(form.get("lines") or ""))

    async def start(client: Client, lines: list[ClaimLine]) -> OpenedCase:
        return await recoveries.open_case(
            client, the_desk.settings, org, lines, who.username, values["subject"]
        )

    offered = dict(await provider_options(the_desk))
    try:
        if values["provider"] in offered:
            org = await org_nr_of(the_desk.store, values["provider"], the_desk.ids)
        else:
            values["provider"] = ""  # not one of the offered providers: choose again
    except ActionError:
        values["provider"] = ""
    result = await perform(request, form, OPEN_FIELDS, build, start, "recovery")
    if isinstance(result, Refused):
        return await _list(
            request,
            who,
            errors=result.errors,
            values=values,
            status_code=result.status_code,
            request_id=result.request_id,
        )
    with speaking(desk(request).language()):
        message = tr(
            "recovery.done_started",
            case=result.case_id,
            email=result.email,
            date=sv_date(result.response_due),
        )
    sessions.flash(request, message)
    return RedirectResponse("/recoveries", status_code=303)


async def _case(request: Request, ref: str) -> recoveries.CasePage:
    try:
        return await recoveries.case_page(desk(request).store, ref)
    except ActionError:
        raise HTTPException(404, "Återkravet finns inte.") from None


def _history(facts: recoveries.CasePage, language: str) -> list[dict[str, Any]]:
    """Each step as the page shows it: when, what, who, and its details in words."""
    steps, detail_words = in_language(STEP_WORDS, language), in_language(DETAIL_WORDS, language)
    shown = []
    for step in facts.steps:
        details = []
        for key, value in step.details.items():
            if not value or key not in detail_words:
                continue
            # The workflow wrote amounts in kronor already ("1 479,25 kr"), dates ISO.
            if key in ("response_due", "payment_due") and _ISO_DAY.fullmatch(value):
                value = sv_date(date.fromisoformat(value), language)
            details.append(detail_words[key].format(value))
        shown.append(
            {
                "at": step.at,
                "what": steps.get(step.step, step.step),
                "actor": "systemet" if step.actor == "system" else step.actor,
                "details": "; ".join(details),
            }
        )
    return shown


def _offered(state: RecoveryState, may_act: bool, may_decide: bool) -> set[str]:
    """The forms the case's state and the user's role allow (the workflow checks again)."""
    offered = set()
    if may_act and state is RecoveryState.NOTICED:
        offered.add("respond")
    if may_decide and state in (RecoveryState.NOTICED, RecoveryState.RESPONDED):
        offered.add("decide")
    if may_act and state is RecoveryState.DECIDED:
        offered.add("settle")
    if may_act and state in (
        RecoveryState.INVOICED,
        RecoveryState.SET_OFF,
        RecoveryState.DEBT_COLLECTION,
    ):
        offered.add("paid")
    return offered


async def _show(
    request: Request,
    ref: str,
    who: Account,
    forms: Forms = NO_REFUSAL,
) -> Response:
    the_desk = desk(request)
    facts = await _case(request, ref)
    may_act = who.role in RECOVERY_ROLES
    may_decide = who.role in RECOVERY_DECISION_ROLES
    return page(
        request,
        "recovery.html",
        forms.status_code,
        nav="recoveries",
        c=facts.case,
        facts=facts,
        history=_history(facts, the_desk.language()),
        decisions=DECISIONS,
        masked=lambda customer: (
            tr("recovery.hidden") if looks_like_personnummer(customer) else customer
        ),
        base=f"/recoveries/{facts.case.recovery_id}",
        provider_href=provider_href(the_desk, facts.case.org_nr),
        may_act=may_act,
        may_decide=may_decide,
        offered=_offered(facts.state, may_act, may_decide),
        errors=forms.errors,
        values=forms.values,
        request_ids=forms.request_ids(FORMS),
    )


@router.get(CASE, response_class=HTMLResponse)
async def case(request: Request, ref: str, who: LoggedIn) -> Response:
    return await _show(request, ref, who)


Update = Callable[[Client, str, Any], Awaitable[RecoveryStatus]]


async def _act(
    request: Request,
    ref: str,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[RecoveryStatus], str],
) -> Response:
    facts = await _case(request, ref)
    case_id = facts.case.recovery_id
    form = await request.form()
    values = {name: text(form, name) for name in (*fields, "outcome", "method")}
    result = await perform(
        request,
        form,
        fields,
        lambda: build(form, who.username),
        lambda client, req: update(client, case_id, req),
        "recovery",
    )
    if isinstance(result, Refused):
        return await _show(
            request,
            ref,
            who,
            result.shown(form_name, values),
        )
    with speaking(desk(request).language()):
        message = done(result)
    sessions.flash(request, message)
    return RedirectResponse(f"/recoveries/{case_id}", status_code=303)


def _respond(form: FormData, actor: str) -> RespondRequest:
    outcome = text(form, "outcome")
    if outcome not in ("accept", "dispute"):
        raise ActionError("outcome", "välj om utföraren godtar eller invänder")
    return RespondRequest(outcome=outcome, comment=text(form, "comment"), actor=actor)  # type: ignore[arg-type]


def _decide(form: FormData, actor: str) -> DecideRequest:
    outcome = text(form, "outcome")
    reason = text(form, "reason")
    typed, lines = text(form, "amount"), text(form, "lines")
    if outcome == "adjust":
        # A lower amount, or the claim lines as adjusted (the amount is then their sum).
        if typed and lines:
            raise ActionError("amount", "ange antingen ett nytt belopp eller justerade rader")
        if lines:
            adjusted = claim_lines(lines)
            return DecideRequest(outcome="adjust", lines=adjusted, reason=reason, actor=actor)
        if not typed:
            raise ActionError("amount", "ange det nya beloppet i kronor eller justerade rader")
        amount = recoveries.parse_amount(typed, "amount")
        return DecideRequest(outcome="adjust", amount=amount, reason=reason, actor=actor)
    if outcome not in ("confirm", "withdraw"):
        raise ActionError("outcome", "välj fastställ, ändra eller återkalla")
    if typed or lines:
        raise ActionError("amount" if typed else "lines", "anges bara när beloppet ändras")
    return DecideRequest(outcome=outcome, reason=reason, actor=actor)  # type: ignore[arg-type]


def _settle(form: FormData, actor: str) -> SettleRequest:
    method = text(form, "method")
    if method == "invoice":
        return SettleRequest(
            method="invoice", invoice_number=text(form, "invoice_number"), actor=actor
        )
    if method != "set_off":
        raise ActionError("method", "välj faktura eller kvittning")
    if text(form, "invoice_number"):
        raise ActionError("invoice_number", "anges bara vid faktura")
    return SettleRequest(method="set_off", actor=actor)


def _paid(form: FormData, actor: str) -> PaidRequest:
    return PaidRequest(note=text(form, "note"), actor=actor)


# The messages after an action, in the desk's language (made inside `speaking`, _act).
def _decided(r: RecoveryStatus) -> str:
    outcome = (
        tr(f"recovery.decision_{r.decision.outcome}") if r.decision else tr("recovery.decided")
    )
    return tr("recovery.done_decided", outcome=outcome, amount=money(r.amount))


def _settled(r: RecoveryStatus) -> str:
    s = r.settlement
    assert s is not None
    how = (
        tr("recovery.invoice", number=s.invoice_number)
        if s.method == "invoice"
        else tr("recovery.by_set_off")
    )
    return tr("recovery.done_settled", how=how, amount=money(r.amount), date=sv_date(s.payment_due))


@router.post(CASE + "/decide", response_class=HTMLResponse)
async def decide(request: Request, ref: str, who: Decider) -> Response:
    fields = ("outcome", "amount", "lines", "reason")
    return await _act(request, ref, who, "decide", fields, _decide, recoveries.decide, _decided)


def _action(
    name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[RecoveryStatus], str],
) -> None:
    """POST <case>/<name>: an administrator's Update with one form's fields."""

    async def act(request: Request, ref: str, who: Recoverer) -> Response:
        return await _act(request, ref, who, name, fields, build, update, done)

    router.post(CASE + "/" + name, response_class=HTMLResponse, name=f"recovery-{name}")(act)


_action(
    "respond",
    ("outcome", "comment"),
    _respond,
    recoveries.respond,
    lambda r: tr("recovery.done_responded"),
)
_action("settle", ("method", "invoice_number"), _settle, recoveries.settle, _settled)
_action(
    "paid",
    ("note",),
    _paid,
    recoveries.paid,
    lambda r: tr("recovery.done_paid", amount=money(r.amount)),
)
