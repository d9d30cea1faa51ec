"""One duty: what was submitted, and the administrator's review, extension and waiver.

The actions are services/obligations.py's Updates, called exactly as `lov contract review|extend|
waive` calls them, with the logged-in user as the actor. A refusal (bad input, or the workflow's
validator) is shown next to its field and changes nothing; success redirects to the duty page
(POST/redirect/GET) with a message. Each form carries a request id made when the page was shown:
sending the same form twice (a double click, a retry after a lost answer) runs the Update once
(services/request_ids.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData
from temporalio.client import Client

from models.messages.obligation import (
    ExtendRequest,
    ObligationStatus,
    ReviewRequest,
    WaiveRequest,
)
from services import findings, obligations
from services.documents import held
from services.duties import duty_page
from services.errors import ActionError
from services.finding_views import requirement_choices
from services.provider_refs import org_nr_of
from services.users import Account
from web import sessions, texts
from web.actions import NO_REFUSAL, Forms, Refused, perform
from web.auth import Administrator, LoggedIn
from web.desk import desk
from web.forms import day, required, text
from web.links import duty_href, provider_href
from web.refusals import Concept, in_language
from web.render import page, sv_date

router = APIRouter()
DUTY = "/providers/{ref}/duties/{obligation}/{period}"
FORMS = ("accept", "completion", "extend", "waive")
Update = Callable[[Client, str, str, str, Any], Awaitable[ObligationStatus]]


async def _org(request: Request, ref: str) -> str:
    the_desk = desk(request)
    try:
        return await org_nr_of(the_desk.store, ref, the_desk.ids)
    except ActionError as err:
        raise HTTPException(404, err.message) from None


async def _show(
    request: Request,
    org: str,
    obligation: str,
    period: str,
    who: Account,
    forms: Forms = NO_REFUSAL,
) -> Response:
    the_desk = desk(request)
    try:
        facts = await duty_page(
            the_desk.store, org, obligation, period, the_desk.settings.plans_dir
        )
    except ActionError as err:
        raise HTTPException(404, err.message) from None
    return page(
        request,
        "duty.html",
        forms.status_code,
        nav="providers",
        d=facts,
        base=duty_href(the_desk, org, obligation, period),
        provider_href=provider_href(the_desk, org),
        may_act=who.role == "administrator",
        errors=forms.errors,
        values=forms.values,
        request_ids=forms.request_ids(FORMS),
        zone=the_desk.zone(facts.plan_id),
        # The plan's own words (the duty's and its fields' titles) are in the plan's language.
        plan_lang=the_desk.language(facts.plan_id),
        # Documents uploaded in the provider portal can be downloaded (web/pages/documents.py).
        held=held(the_desk.settings, facts),
        # What a finding registered with the acceptance may cite ("accept with findings").
        requirements=requirement_choices([facts.plan_id], the_desk.settings.plans_dir)
        if facts.plan_id
        else [],
    )


@router.get(DUTY, response_class=HTMLResponse)
async def duty(request: Request, ref: str, obligation: str, period: str, who: LoggedIn) -> Response:
    return await _show(request, await _org(request, ref), obligation, period, who)


async def _act(
    request: Request,
    ref: str,
    obligation: str,
    period: str,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[ObligationStatus, str], str],
    on_form: Callable[[ActionError], ActionError] = lambda err: err,
    words: Concept = None,
) -> Response:
    org = await _org(request, ref)
    form = await request.form()
    values = {name: text(form, name) for name in fields}
    result = await perform(
        request,
        form,
        fields,
        lambda: build(form, who.username),
        lambda client, req: update(client, org, obligation, period, req),
        words,
        on_form,
    )
    if isinstance(result, Refused):
        # The duty page again, with this form as it was filled in and why it was refused.
        return await _show(
            request,
            org,
            obligation,
            period,
            who,
            result.shown(form_name, values),
        )
    sessions.flash(request, done(result, desk(request).language()))
    return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)


def _review(form: FormData, actor: str) -> ReviewRequest:
    if text(form, "outcome") == "accept":
        return ReviewRequest(outcome="accept", note=text(form, "note"), actor=actor)
    new_due = day(form, "new_due")
    note = required(form, "note", "skriv vad som saknas")
    return ReviewRequest(outcome="request-completion", note=note, new_due=new_due, actor=actor)


def _what(result: ObligationStatus) -> str:
    return f"{result.title} {result.period}"


def _review_done(result: ObligationStatus, language: str) -> str:
    if result.status == "accepted":
        return texts.text("duty.done_accepted", language, what=_what(result))
    due = sv_date(result.due, language)
    return texts.text("duty.done_completion", language, what=_what(result), date=due)


@router.post(DUTY + "/review", response_class=HTMLResponse)
async def review(
    request: Request,
    ref: str,
    obligation: str,
    period: str,
    who: Administrator,
) -> Response:
    form = await request.form()
    accept = text(form, "outcome") == "accept"
    typed = str(form.get("findings") or "") if accept else ""
    lines = [line for line in typed.splitlines() if line.strip()]
    registered: list[str] = []

    async def accept_with_findings(
        client: Client, org: str, obligation: str, period: str, req: ReviewRequest
    ) -> ObligationStatus:
        """Accepted with findings (`lov contract review --accept --finding`): every line
        checked against the plan before the acceptance, one finding per line after it."""
        specs = [
            findings.parse_finding_spec(line, f"findings {n}") for n, line in enumerate(lines, 1)
        ]
        the_desk = desk(request)
        reviewed, found = await findings.accept_with_findings(
            client, the_desk.settings, org, obligation, period, req, specs
        )
        registered.extend(f.finding_id for f in found)
        return reviewed

    def done(result: ObligationStatus, language: str) -> str:
        said = _review_done(result, language)
        if registered:
            said += " " + texts.text("duty.findings_done", language, ids=", ".join(registered))
        return said

    def on_form(err: ActionError) -> ActionError:
        # "--finding 2" (a line of the text area) names the findings field.
        if err.field.startswith(("--finding", "findings")):
            language = desk(request).language()
            said = in_language(err.message, language, "finding")
            line = texts.text("duty.findings_line", language, n=err.field.split()[-1])
            return ActionError("findings", f"{line}: {said}")
        return err

    return await _act(
        request,
        ref,
        obligation,
        period,
        who,
        "accept" if accept else "completion",
        ("note", "findings") if accept else ("new_due", "note"),
        _review,
        accept_with_findings if lines else obligations.review,
        done,
        on_form,
        "finding" if lines else None,
    )


def _extend(form: FormData, actor: str) -> ExtendRequest:
    new_due = day(form, "new_due")
    assert new_due is not None
    return ExtendRequest(new_due=new_due, reason=text(form, "reason"), actor=actor)


def _waive(form: FormData, actor: str) -> WaiveRequest:
    return WaiveRequest(reason=text(form, "reason"), actor=actor)


def _action(
    name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[ObligationStatus, str], str],
) -> None:
    """POST <duty>/<name>: an administrator's Update with one form's fields."""

    async def act(
        request: Request, ref: str, obligation: str, period: str, who: Administrator
    ) -> Response:
        return await _act(request, ref, obligation, period, who, name, fields, build, update, done)

    router.post(DUTY + "/" + name, response_class=HTMLResponse, name=name)(act)


_action(
    "extend",
    ("new_due", "reason"),
    _extend,
    obligations.extend,
    lambda r, lang: texts.text(
        "duty.done_extended", lang, what=_what(r), date=sv_date(r.due, lang)
    ),
)
_action(
    "waive",
    ("reason",),
    _waive,
    obligations.waive,
    lambda r, lang: texts.text("duty.done_waived", lang, what=_what(r)),
)
