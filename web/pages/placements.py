"""Kundval: the turordningslistor in turn, the placements with their state and choice deadline,
and one page per placement with the actions services/placements.py offers (the same as `lov
placement start|choose|switch|plan-done|end`), with the logged-in user as the actor.

Who acts: the case officer (handläggare) and the administrator; a manager or an auditor gets
403. The list reads the records database; the lists in turn, the choice deadlines and a
placement's page ask Temporal (the rotation and placement workflows keep them). A placement is
addressed by its generated id (`placement-<12 hex>`); the customer only ever appears by the
pseudonymous reference, in the page, never in an address, and one shaped like a personnummer is
shown as "(dold)" as `lov placement list` does.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData
from temporalio.client import Client
from temporalio.exceptions import TemporalError
from temporalio.service import RPCError

from models.domain.customer_ref import looks_like_personnummer
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.ids import is_placement_id, list_key
from models.messages import placement as msg
from models.messages.placement import PlacementState, PlacementStatus, RotationStatus
from models.plans.loader import list_plans
from services import placements as pa
from services.errors import ActionError
from services.placements import HIDDEN_REF, PlacementRow
from services.provider_refs import org_nr_of
from services.users import KUNDVAL_ROLES, Account
from web import sessions, texts, words
from web.actions import NO_REFUSAL, Forms, Refused, perform, refusal
from web.auth import LoggedIn, role_in
from web.desk import Desk, desk
from web.forms import day, text
from web.links import provider_href, provider_options
from web.placement_words import events
from web.render import page, speaking, sv_date, sv_datetime, tr

router = APIRouter()
# Kundval is the case officer's work (and the administrator's, who does everything).
CaseOfficer = Annotated[Account, Depends(role_in(*KUNDVAL_ROLES))]
PLACEMENT = "/placements/{ref}"
TEMPORAL_WAIT_S = 5.0
FORMS = ("choose", "switch", "plan_done", "end")
LIST_FORMS = ("start", "list_add", "list_remove")
LIST_FIELDS = ("org_nr", "area", "service_type", "plan")
START_FIELDS = ("customer_ref", "area", "service_type", "hours", "decision_date", "start", "plan")
_NOTE = re.compile(r"(\S+) (\S+) \((.*)\)")


def masked(ref: str) -> str:
    """The customer's reference as `lov placement list` shows it (never a personnummer)."""
    return HIDDEN_REF if looks_like_personnummer(ref) else ref


async def _lists(client: Client, plans: list[str]) -> list[RotationStatus]:
    """Each plan's lists in turn (plans without a rotation workflow have none)."""
    found = []
    for plan_id in plans:
        status = await pa.rotation_status(client, plan_id)
        if status.lists:
            found.append(status)
    return found


async def _list(
    request: Request,
    who: Account,
    forms: Forms = NO_REFUSAL,
) -> Response:
    the_desk = desk(request)
    plans = list_plans(the_desk.settings.plans_dir)
    rows: list[PlacementRow] = await pa.all_placements(the_desk.store)
    waiting = [r.placement.placement_id for r in rows if r.placement.status == "awaiting_choice"]
    lists: list[RotationStatus] = []
    deadlines: dict[str, date] = {}
    reachable = True
    try:
        # Bounded: a workflow whose workers are down would hold its query until the RPC gives
        # up, and the records' part of the page need not wait for that.
        async with asyncio.timeout(TEMPORAL_WAIT_S):
            client = await the_desk.temporal()
            lists = await _lists(client, plans)
            deadlines = await pa.choice_deadlines(client, waiting)
    except (RPCError, TemporalError, OSError, RuntimeError):  # TimeoutError is an OSError
        reachable = False  # the records' part of the page still answers
    # From the records: a provider's name shows while Temporal is down too.
    names = await the_desk.store.provider_names()
    may_act = who.role in KUNDVAL_ROLES
    return page(
        request,
        "placements.html",
        forms.status_code,
        nav="placements",
        groups=[
            (
                state,
                words.placement(state, the_desk.language()),
                [r for r in rows if r.placement.status == state],
            )
            for state in ("awaiting_choice", "active", "ended")
        ],
        lists=lists,
        names=names,
        deadlines=deadlines,
        reachable=reachable,
        masked=masked,
        provider_href=lambda org: provider_href(the_desk, org),
        may_act=may_act,
        providers=await provider_options(the_desk) if may_act else [],
        plans=plans,
        default_plan=the_desk.settings.default_plan,
        all_errors=forms.errors,
        all_values=forms.values,
        request_ids=forms.request_ids(LIST_FORMS),
    )


@router.get("/placements", response_class=HTMLResponse)
async def placements(request: Request, who: LoggedIn) -> Response:
    return await _list(request, who)


def _start_input(the_desk: Desk, values: dict[str, str], form: FormData, actor: str) -> Any:
    """The decision as `lov placement start` checks it; the first bad field is refused."""
    settings = the_desk.settings
    ref = pa.customer_ref(values["customer_ref"])
    if not values["area"]:
        raise ActionError("area", "ange området, t.ex. Centrum")
    if not values["service_type"]:
        raise ActionError("service_type", "ange tjänsten, t.ex. omvårdnad")
    if not values["hours"]:
        raise ActionError("hours", "ange beviljad tid per månad, t.ex. 22,5")
    hours = pa.granted_hours(values["hours"], "hours")
    decided = day(form, "decision_date")
    begins = day(form, "start")
    assert decided is not None and begins is not None
    try:
        pa.check_start(decided, begins)
    except ActionError as err:
        raise ActionError("start", "får inte vara före beslutsdatum") from err
    plan_id = pa.plan_id(values["plan"] or None, settings.default_plan, settings.plans_dir)
    inp = msg.PlacementInput(
        customer_ref=ref,
        area=values["area"],
        service_type=values["service_type"],
        granted_hours=hours,
        decision_date=decided,
        start=begins,
        plan_id=plan_id,
        actor=actor,
        search_attributes=settings.search_attributes,
    )
    pa.check_input(inp)
    return inp


@router.post("/placements", response_class=HTMLResponse)
async def start(request: Request, who: CaseOfficer) -> Response:
    the_desk = desk(request)
    form = await request.form()
    values = {name: text(form, name) for name in START_FIELDS}
    result = await perform(
        request,
        form,
        START_FIELDS,
        lambda: _start_input(the_desk, values, form, who.username),
        lambda client, inp: pa.start(client, the_desk.settings.temporal_task_queue, inp),
        "placement",
    )
    if isinstance(result, Refused):
        # A personnummer typed as the reference is not shown again, not even in the form.
        if values["customer_ref"] and looks_like_personnummer(values["customer_ref"]):
            values["customer_ref"] = ""
        return await _list(
            request,
            who,
            result.shown("start", values),
        )
    sessions.flash(request, texts.text("placement.done_registered", desk(request).language()))
    return RedirectResponse(f"/placements/{result}", status_code=303)


def _placement_id(ref: str) -> str:
    if not is_placement_id(ref):
        raise HTTPException(404, "Placeringen finns inte.")
    return ref


def _history(status: PlacementStatus, language: str) -> list[dict[str, str]]:
    """The workflow's notes ("<time> <event> (<actor>)") as the page shows them."""
    words_of = events(language)
    shown = []
    for note in status.history:
        found = _NOTE.fullmatch(note)
        if found is None:
            continue
        at, event, actor = found.groups()
        shown.append(
            {
                "at": at,
                "what": words_of.get(event, event),
                "actor": "systemet" if actor == "system" else actor,
            }
        )
    return shown


async def _show(
    request: Request,
    ref: str,
    who: Account,
    forms: Forms = NO_REFUSAL,
) -> Response:
    the_desk = desk(request)
    placement_id = _placement_id(ref)
    try:
        client = await the_desk.temporal()
        s = await pa.status(client, placement_id)
        rotation = await pa.rotation_status(client, s.plan_id)
    except ActionError:
        raise HTTPException(404, "Placeringen finns inte.") from None
    except (RPCError, TemporalError, OSError, RuntimeError):
        raise HTTPException(
            503, "Temporal svarar inte just nu, så placeringen kan inte visas. Försök igen snart."
        ) from None
    key = list_key(s.area, s.service_type)
    approved = next(
        (q.providers for q in rotation.lists if list_key(q.area, q.service_type) == key), ()
    )
    may_act = who.role in KUNDVAL_ROLES
    return page(
        request,
        "placement.html",
        forms.status_code,
        nav="placements",
        s=s,
        customer=masked(s.customer_ref),
        history=_history(s, the_desk.language()),
        approved=[(org, rotation.names.get(org, "")) for org in approved],
        provider_href=provider_href(the_desk, s.provider) if s.provider else None,
        base=f"/placements/{placement_id}",
        offered=_offered(s) if may_act else set(),
        may_act=may_act,
        errors=forms.errors,
        values=forms.values,
        request_ids=forms.request_ids(FORMS),
        when_iso=lambda at: _when(the_desk, at),
    )


def _when(the_desk: Desk, text: str) -> str:
    """A history note's time (ISO, UTC) in the plan's time zone."""
    return sv_datetime(datetime.fromisoformat(text), the_desk.zone())


def _offered(s: PlacementStatus) -> set[str]:
    """The forms the placement's state allows (the workflow checks again)."""
    if s.state is PlacementState.ENDED or not s.registered:
        return set()
    offered = set()
    if s.state is PlacementState.AWAITING_CHOICE:
        offered.add("choose")
    if s.state is PlacementState.ACTIVE and s.pending_switch is None and s.end_date is None:
        offered.add("switch")
    if s.care_plan is not None and s.care_plan.done_on is None:
        offered.add("plan_done")
    if s.end_date is None:
        offered.add("end")
    return offered


@router.get(PLACEMENT, response_class=HTMLResponse)
async def placement(request: Request, ref: str, who: LoggedIn) -> Response:
    return await _show(request, ref, who)


Update = Callable[[Client, str, Any], Awaitable[PlacementStatus]]


async def _act(
    request: Request,
    ref: str,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[PlacementStatus], str],
) -> Response:
    placement_id = _placement_id(ref)
    form = await request.form()
    values = {name: text(form, name) for name in fields}
    result = await perform(
        request,
        form,
        fields,
        lambda: build(form, who.username),
        lambda client, req: update(client, placement_id, req),
        "placement",
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
    return RedirectResponse(f"/placements/{placement_id}", status_code=303)


def _org(form: FormData, name: str = "provider") -> str:
    typed = text(form, name)
    if not typed:
        raise ActionError(name, "välj en utförare")
    try:
        return normalize_org_nr(typed)
    except OrgNrError as err:
        raise ActionError(name, str(err)) from None


def _choose(form: FormData, actor: str) -> msg.ChooseRequest:
    # "rotation": the customer declines to choose, the list in turn gives the provider.
    typed = text(form, "provider")
    provider = None if typed == "rotation" else _org(form)
    return msg.ChooseRequest(provider=provider, actor=actor)


def _switch(form: FormData, actor: str) -> msg.SwitchRequest:
    return msg.SwitchRequest(
        provider=_org(form), effective=day(form, "effective", required=False), actor=actor
    )


def _plan_done(form: FormData, actor: str) -> msg.CarePlanDoneRequest:
    return msg.CarePlanDoneRequest(done_on=day(form, "done_on", required=False), actor=actor)


def _end(form: FormData, actor: str) -> msg.EndRequest:
    reason = text(form, "reason")
    if not reason:
        raise ActionError("reason", "skriv varför placeringen avslutas")
    when = day(form, "end_date", required=False)
    return msg.EndRequest(end_date=when, reason=reason, actor=actor)


def _chosen(s: PlacementStatus) -> str:
    if s.pending_switch is not None:
        p = s.pending_switch
        return tr("placement.done_chosen", name=p.name, date=sv_date(p.effective))
    return tr("placement.done_chosen", name=s.provider_name, date=sv_date(s.provider_start))


def _switched(s: PlacementStatus) -> str:
    p = s.pending_switch
    if p is None:
        return tr("placement.done_switched")
    return tr("placement.done_switched_to", name=p.name, date=sv_date(p.effective))


def _action(
    name: str,
    fields: tuple[str, ...],
    build: Callable[[FormData, str], BaseModel],
    update: Update,
    done: Callable[[PlacementStatus], str],
) -> None:
    """POST <placement>/<name>: a case officer's (or the administrator's) Update."""

    async def act(request: Request, ref: str, who: CaseOfficer) -> Response:
        return await _act(request, ref, who, name, fields, build, update, done)

    path = PLACEMENT + "/" + name.replace("_", "-")
    router.post(path, response_class=HTMLResponse, name=f"placement-{name}")(act)


_action("choose", ("provider",), _choose, pa.choose, _chosen)
_action("switch", ("provider", "effective"), _switch, pa.switch, _switched)
_action(
    "plan_done",
    ("done_on",),
    _plan_done,
    pa.care_plan_done,
    lambda s: tr("placement.done_plan"),
)
_action(
    "end",
    ("end_date", "reason"),
    _end,
    pa.end,
    lambda s: tr("placement.done_end", date=sv_date(s.end_date)),
)


async def _list_change(
    request: Request,
    who: Account,
    form_name: str,
    fields: tuple[str, ...],
    build: Callable[[Desk, dict[str, str], str], Awaitable[Any]],
    change: Callable[[Desk, Client, Any], Awaitable[RotationStatus]],
    done: str,
) -> Response:
    """A change to a turordningslista (the rotation workflow's Update), from the list page."""
    the_desk = desk(request)
    form = await request.form()
    values = {name: text(form, name) for name in fields}
    try:
        built = await build(the_desk, values, who.username)
    except ActionError as err:
        refused: Refused | RotationStatus = refusal(err, fields, the_desk.language(), "placement")
    else:
        refused = await perform(
            request, form, fields, lambda: built, lambda c, r: change(the_desk, c, r), "placement"
        )
    if isinstance(refused, Refused):
        return await _list(
            request,
            who,
            refused.shown(form_name, values),
        )
    sessions.flash(request, texts.text(done, the_desk.language()))
    return RedirectResponse("/placements", status_code=303)


async def _listed(the_desk: Desk, values: dict[str, str]) -> tuple[str, str]:
    """The provider (one of the offered: an active contract) and the plan of a list change."""
    offered = dict(await provider_options(the_desk))
    if values["org_nr"] not in offered:
        raise ActionError("org_nr", "välj en utförare")
    org = await org_nr_of(the_desk.store, values["org_nr"], the_desk.ids)
    settings = the_desk.settings
    return org, pa.plan_id(values["plan"] or None, settings.default_plan, settings.plans_dir)


async def _entry(the_desk: Desk, values: dict[str, str], actor: str) -> tuple[str, Any]:
    org, plan_id = await _listed(the_desk, values)
    if not values["area"]:
        raise ActionError("area", "ange området, t.ex. Centrum")
    if not values["service_type"]:
        raise ActionError("service_type", "ange tjänsten, t.ex. omvårdnad")
    entry = msg.RotationEntry(
        org_nr=org, area=values["area"], service_type=values["service_type"], actor=actor
    )
    return plan_id, entry


async def _removal(the_desk: Desk, values: dict[str, str], actor: str) -> tuple[str, Any]:
    org, plan_id = await _listed(the_desk, values)
    if bool(values["area"]) != bool(values["service_type"]):
        missing = "area" if not values["area"] else "service_type"
        raise ActionError(missing, "ange både område och tjänst, eller ingetdera (alla listor)")
    removal = msg.ProviderRemoval(
        org_nr=org,
        area=values["area"] or None,
        service_type=values["service_type"] or None,
        reason=values["reason"],
        actor=actor,
    )
    return plan_id, removal


@router.post("/placements/lists/add", response_class=HTMLResponse)
async def list_add(request: Request, who: CaseOfficer) -> Response:
    async def add(the_desk: Desk, client: Client, built: Any) -> RotationStatus:
        plan_id, entry = built
        settings = the_desk.settings
        return await pa.add_provider(
            client, settings.temporal_task_queue, plan_id, entry, settings.search_attributes
        )

    return await _list_change(
        request, who, "list_add", LIST_FIELDS, _entry, add, "placement.done_list_add"
    )


@router.post("/placements/lists/remove", response_class=HTMLResponse)
async def list_remove(request: Request, who: CaseOfficer) -> Response:
    async def remove(the_desk: Desk, client: Client, built: Any) -> RotationStatus:
        plan_id, removal = built
        return await pa.remove_provider(client, plan_id, removal)

    fields = (*LIST_FIELDS, "reason")
    return await _list_change(
        request, who, "list_remove", fields, _removal, remove, "placement.done_list_remove"
    )
