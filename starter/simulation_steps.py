"""A scenario's events as application-layer calls: each event becomes the command `lov` would run.

Every event is checked before the simulation starts, with the same functions (services/) the CLI
command checks its options with, so a scenario refuses the input the CLI refuses; a refusal
names the event's key (`events[3].hours: …`). What can only be judged when the event runs (the
Update validators: "nothing to settle", "not on the rotation list") becomes an `error` entry of
the simulation's output instead, as a refused command would print its one line.

Recovery cases, placements and findings get their ids when they are started; a scenario names
them itself (`case = "r1"`, `placement = "p1"`, `finding = "f1"`) and later events use that name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from temporalio.client import Client

from models.ids import id_part
from models.messages.application import ApplicationStatus, CompleteRequest, CompletionRequest
from models.messages.contract import ChangeContactRequest, TerminateRequest
from models.messages.finding import (
    ActionPlanRequest,
    CloseRequest,
    DecideRequest,
    SubmitActionPlanRequest,
    VerifyRequest,
)
from models.messages.finding import RespondRequest as FindingResponse
from models.messages.obligation import (
    DocumentRef,
    ExtendRequest,
    ReviewRequest,
    SubmitRequest,
    WaiveRequest,
)
from models.messages.placement import (
    CarePlanDoneRequest,
    ChooseRequest,
    EndRequest,
    PlacementInput,
    ProviderRemoval,
    RotationEntry,
    SwitchRequest,
)
from models.messages.recovery import DecideRequest as RecoveryDecision
from models.messages.recovery import PaidRequest, RespondRequest, SettleRequest
from models.plans.loader import load_plan
from models.plans.scenario import ScenarioError, ScenarioEvent, event_instant
from models.runtime.settings import Settings
from services import applications as apps
from services import calls as actions
from services import contracts, obligations
from services import findings as finding_actions
from services import meetings as meeting_actions
from services import municipal_tasks as task_actions
from services import placements as pa
from services import recoveries as recovery
from services.documents import DocumentStore
from services.errors import ActionError

# The CLI's options, as the scenario keys that stand for them (errors name the scenario's key).
_KEYS = {
    "--at": "at",
    "--place": "place",
    "--link": "link",
    "--year": "year",
    "--window": "window",
    "--summary": "summary",
    "--reason": "reason",
    "meeting": "provider",
    "--adjust": "amount",
    "customer_ref": "customer",
    "service_type": "service",
    "granted_hours": "hours",
    "start": "start_date",
    "--start": "start_date",
    "--service": "services",
    "--area": "areas",
    "--item": "items",
    "--met/--not-met": "met",
    "--note-for": "notes",
    "skallkrav": "requirements",
    "--approve/--reject": "approve",
    "org_nr": "provider",
}
# Where one option stands for another key in one action.
_ACTION_KEYS = {
    "application-decide": {"--start": "contract_start"},
    "finding-decide": {"kind": "sanction"},
    "task-done": {"--date": "done_on", "--finding": "findings", "--by": "by", "--result": "result"},
}
_ACTION_OPTION = re.compile(r"^--action(\[\d+\])")


@dataclass
class Names:
    """The ids that the scenario's own names stand for, once their starts have run."""

    cases: dict[str, str] = field(default_factory=dict)
    placements: dict[str, str] = field(default_factory=dict)
    findings: dict[str, str] = field(default_factory=dict)

    def finding(self, name: str) -> str:
        if name not in self.findings:
            raise ActionError(
                "finding", f"{name!r} was not registered (its finding-register was refused)"
            )
        return self.findings[name]

    def case(self, name: str) -> str:
        if name not in self.cases:
            raise ActionError("case", f"{name!r} was not started (its recovery-start was refused)")
        return self.cases[name]

    def placement(self, name: str) -> str:
        if name not in self.placements:
            raise ActionError(
                "placement", f"{name!r} was not started (its placement-start was refused)"
            )
        return self.placements[name]


# What an event does when it runs: the entry's keys beyond at/type/provider/action/actor.
Run = Callable[[Client, Names], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Step:
    index: int  # the event's place in the file: errors name events[index]
    event: ScenarioEvent
    at: datetime
    provider: str  # the org nr the output names ("" for a placement before its choice)
    run: Run


@dataclass(frozen=True)
class _Context:
    settings: Settings
    plan_ref: str
    zone: ZoneInfo
    # The org nr of each named case (its later events name no provider).
    case_providers: dict[str, str]
    # The same for each named finding.
    finding_providers: dict[str, str] = field(default_factory=dict)


def prepare(
    events: list[ScenarioEvent],
    settings: Settings,
    plan_ref: str,
    zone: ZoneInfo,
    scenario_name: str,
) -> list[Step]:
    """The events in time order (file order at the same instant), each checked and ready to
    run; or ScenarioError naming the first bad key."""
    ordered = sorted(enumerate(events), key=lambda pair: event_instant(pair[1], zone.key))
    ctx = _Context(settings, plan_ref, zone, {})
    placements: set[str] = set()
    steps = []
    for index, event in ordered:
        try:
            _check_names(event, ctx.case_providers, placements)
            _check_finding_name(event, ctx.finding_providers)
            steps.append(_step(index, event, ctx))
        except ValidationError as err:
            first = err.errors()[0]
            key = ".".join(str(p) for p in first["loc"]) or "event"
            message = str(first["msg"]).removeprefix("Value error, ")
            key = _key(key, event.action)
            raise ScenarioError(scenario_name, f"events[{index}].{key}", message) from None
        except ActionError as err:
            key = _key(err.field, event.action)
            raise ScenarioError(scenario_name, f"events[{index}].{key}", err.message) from None
        if event.action == "placement-start" and event.placement:
            placements.add(event.placement)
    return steps


def _key(option: str, action: str) -> str:
    """The scenario key for a CLI option or request field named in an error."""
    found = _ACTION_OPTION.match(option)
    if found:
        return "action_items" + found.group(1) + option[found.end() :]
    head, sep, rest = option.partition(" ")
    keys = {**_KEYS, **_ACTION_KEYS.get(action, {})}
    return keys.get(head, head.removeprefix("--").replace("-", "_")) + sep + rest


def _check_names(event: ScenarioEvent, cases: dict[str, str], placements: set[str]) -> None:
    """A name is given once, by the start, before any event uses it."""
    if event.case is not None:
        if event.action == "recovery-start":
            if event.case in cases:
                raise ActionError("case", f"{event.case!r} is already the name of another case")
            assert event.provider is not None
            cases[event.case] = event.provider
        elif event.case not in cases:
            raise ActionError("case", f"{event.case!r} is not started by an earlier recovery-start")
    if event.placement is not None:
        if event.action == "placement-start":
            if event.placement in placements:
                raise ActionError(
                    "placement", f"{event.placement!r} is already the name of another placement"
                )
        elif event.placement not in placements:
            raise ActionError(
                "placement", f"{event.placement!r} is not started by an earlier placement-start"
            )


def _check_finding_name(event: ScenarioEvent, findings: dict[str, str]) -> None:
    """A finding's name is given once, by its finding-register, before any event uses it."""
    if event.finding is None:
        return
    if event.action == "finding-register":
        if event.finding in findings:
            raise ActionError(
                "finding", f"{event.finding!r} is already the name of another finding"
            )
        assert event.provider is not None
        findings[event.finding] = event.provider
    elif event.finding not in findings:
        raise ActionError(
            "finding", f"{event.finding!r} is not registered by an earlier finding-register"
        )


def _documents(keys: list[str]) -> list[DocumentRef]:
    # A scenario names documents but has no files: a digest of the name stands in.
    return [
        DocumentRef(
            key=key, filename=f"{key}.pdf", sha256=hashlib.sha256(key.encode()).hexdigest(), size=0
        )
        for key in keys
    ]


def _day(event: ScenarioEvent, zone: ZoneInfo) -> date:
    return event_instant(event, zone.key).date()


def _step(index: int, e: ScenarioEvent, ctx: _Context) -> Step:
    # Actions are named "<command group>-<command>"; the contract's own have no prefix.
    group = e.action.split("-", 1)[0]
    provider, run = _BUILDERS.get(group, _contract)(e, ctx)
    return Step(index, e, event_instant(e, ctx.zone.key), provider, run)


def _org(e: ScenarioEvent) -> str:
    assert e.provider is not None  # the schema requires it for this action
    return e.provider


# --- obligations and the contract (`lov contract …`) ---------------------------------------------


def _contract(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    org, ob, period, actor = _org(e), e.obligation or "", e.period or "", e.actor
    item = {"obligation": ob, "period": period} if e.item() else {}
    if e.action == "submit":
        submitted = SubmitRequest(
            fields=e.fields, documents=_documents(e.documents), note=e.note, actor=actor
        )

        async def submit(client: Client, names: Names) -> dict[str, Any]:
            await obligations.submit(client, org, ob, period, submitted)
            return item

        return org, submit
    if e.action in ("accept", "request-completion"):
        review = (
            ReviewRequest(outcome="accept", note=e.note, actor=actor)
            if e.action == "accept"
            else ReviewRequest(
                outcome="request-completion", note=e.note, new_due=e.new_due, actor=actor
            )
        )

        async def reviewed(client: Client, names: Names) -> dict[str, Any]:
            await obligations.review(client, org, ob, period, review)
            return item

        return org, reviewed
    if e.action == "waive":
        waiver = WaiveRequest(reason=e.reason, actor=actor)

        async def waive(client: Client, names: Names) -> dict[str, Any]:
            await obligations.waive(client, org, ob, period, waiver)
            return item

        return org, waive
    if e.action == "extend":
        assert e.new_due is not None
        extension = ExtendRequest(new_due=e.new_due, reason=e.reason, actor=actor)

        async def extend(client: Client, names: Names) -> dict[str, Any]:
            await obligations.extend(client, org, ob, period, extension)
            return item

        return org, extend
    if e.action == "terminate":
        end = e.end_date or _day(e, ctx.zone)
        termination = TerminateRequest(end_date=end, kind=e.kind, reason=e.reason, actor=actor)

        async def terminate(client: Client, names: Names) -> dict[str, Any]:
            await contracts.terminate(client, org, termination)
            return {"end_date": end.isoformat()}

        return org, terminate
    assert e.action == "change-contact" and e.email is not None
    change = ChangeContactRequest(email=e.email, actor=actor)

    async def change_contact(client: Client, names: Names) -> dict[str, Any]:
        await contracts.change_contact(client, org, change)
        return {}

    return org, change_contact


# --- follow-up meetings (`lov meeting …`) --------------------------------------------------------


def _meeting(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    org = _org(e)
    wid = meeting_actions.meeting_id(org, e.year or _day(e, ctx.zone).year, e.window)
    done = {"meeting": wid}
    if e.action in ("meeting-schedule", "meeting-reschedule"):
        assert e.at is not None
        # As typed after --at: a local time; one with an offset is refused as the CLI does.
        when = meeting_actions.meeting_time(
            e.at.isoformat(sep=" "),
            duration_minutes=e.duration,
            place=e.place,
            link=e.link,
            reason=e.reason or None,
            actor=e.actor,
        )
        move = e.action == "meeting-reschedule"

        async def book(client: Client, names: Names) -> dict[str, Any]:
            await meeting_actions.book(client, wid, when, move=move)
            return done

        return org, book
    if e.action == "meeting-minutes":
        # The --action form, so the minutes are read by the same parser.
        specs = [f"owner={a.owner};due={a.due.isoformat()};text={a.text}" for a in e.action_items]
        minutes = meeting_actions.minutes_request(
            summary=e.summary, attendees=e.attendees, actions=specs, file=None, actor=e.actor
        )

        async def record(client: Client, names: Names) -> dict[str, Any]:
            await meeting_actions.minutes(client, wid, minutes)
            return done

        return org, record
    assert e.action == "meeting-cancel"
    cancellation = meeting_actions.cancellation(e.reason, e.actor)

    async def cancel(client: Client, names: Names) -> dict[str, Any]:
        await meeting_actions.cancel(client, wid, cancellation)
        return done

    return org, cancel


# --- återkrav (`lov recovery …`) -----------------------------------------------------------------


def _recovery(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    assert e.case is not None
    name, actor = e.case, e.actor
    if e.action == "recovery-start":
        org = _org(e)
        lines = recovery.lines_from_specs(e.lines, "lines")
        recovery.check_claim_lines(lines)
        day = _day(e, ctx.zone)

        async def start(client: Client, names: Names) -> dict[str, Any]:
            opened = await recovery.open_case(
                client, ctx.settings, org, lines, actor, e.subject, today=day
            )
            names.cases[name] = opened.case_id
            return {"case": opened.case_id, "response_due": opened.response_due.isoformat()}

        return org, start
    org = ctx.case_providers[name]
    if e.action == "recovery-respond":
        if e.response == "dispute" and not e.comment.strip():
            raise ActionError("comment", "required for response = 'dispute' (the objection)")
        assert e.response is not None
        answer = RespondRequest(outcome=e.response, comment=e.comment.strip(), actor=actor)

        async def respond(client: Client, names: Names) -> dict[str, Any]:
            result = await recovery.respond(client, names.case(name), answer)
            return {"case": result.case_id}

        return org, respond
    if e.action == "recovery-decide":
        decision = _recovery_decision(e)

        async def decide(client: Client, names: Names) -> dict[str, Any]:
            result = await recovery.decide(client, names.case(name), decision)
            return {"case": result.case_id, "amount": str(result.amount)}

        return org, decide
    if e.action == "recovery-settle":
        if (e.invoice is not None) == e.set_off:
            raise ActionError("invoice", "give either invoice = NUMBER or set_off = true")
        settlement = (
            SettleRequest(method="invoice", invoice_number=e.invoice.strip(), actor=actor)
            if e.invoice is not None
            else SettleRequest(method="set_off", actor=actor)
        )

        async def settle(client: Client, names: Names) -> dict[str, Any]:
            result = await recovery.settle(client, names.case(name), settlement)
            return {"case": result.case_id}

        return org, settle
    assert e.action == "recovery-paid"
    payment = PaidRequest(note=e.note.strip(), actor=actor)

    async def paid(client: Client, names: Names) -> dict[str, Any]:
        result = await recovery.paid(client, names.case(name), payment)
        return {"case": result.case_id}

    return org, paid


def _recovery_decision(e: ScenarioEvent) -> RecoveryDecision:
    """`lov recovery decide`: confirm; withdraw with a reason; adjust to an amount or to new
    lines (one of them), with a reason."""
    reason = e.reason.strip()
    if e.decision == "confirm":
        if e.amount is not None or e.lines:
            raise ActionError("amount", "only with decision = 'adjust'")
        return RecoveryDecision(outcome="confirm", reason=reason, actor=e.actor)
    if not reason:
        raise ActionError("reason", f"required for decision = {e.decision!r}")
    if e.decision == "withdraw":
        if e.amount is not None or e.lines:
            raise ActionError("amount", "only with decision = 'adjust'")
        return RecoveryDecision(outcome="withdraw", reason=reason, actor=e.actor)
    if (e.amount is None) == (not e.lines):
        raise ActionError("amount", "decision = 'adjust' takes either amount or lines")
    amount = recovery.parse_amount(str(e.amount), "amount") if e.amount is not None else None
    lines = recovery.lines_from_specs(e.lines, "lines") if e.lines else None
    return RecoveryDecision(
        outcome="adjust", amount=amount, lines=lines, reason=reason, actor=e.actor
    )


# --- kundval (`lov placement …`, `lov placement provider …`) -------------------------------------


def _placement(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    assert e.placement is not None
    name, actor = e.placement, e.actor
    if e.action == "placement-start":
        assert e.decision_date is not None and e.start_date is not None
        inp = PlacementInput(
            customer_ref=pa.customer_ref(e.customer or "", "customer"),
            area=(e.area or "").strip(),
            service_type=(e.service or "").strip(),
            granted_hours=pa.granted_hours(str(e.hours), "hours"),
            decision_date=e.decision_date,
            start=e.start_date,
            plan_id=_plan_id(ctx),
            actor=actor,
            search_attributes=ctx.settings.search_attributes,
        )
        pa.check_input(inp)

        async def start(client: Client, names: Names) -> dict[str, Any]:
            wid = await pa.start(client, ctx.settings.temporal_task_queue, inp)
            names.placements[name] = wid
            return {"placement": wid}

        return "", start
    if e.action == "placement-choose":
        if (e.provider is None) == (not e.rotation):
            raise ActionError("provider", "give either provider = ORGNR or rotation = true")
        choice = ChooseRequest(provider=e.provider, actor=actor)

        async def choose(client: Client, names: Names) -> dict[str, Any]:
            result = await pa.choose(client, names.placement(name), choice)
            chosen = result.pending_switch.org_nr if result.pending_switch else result.provider
            return {"placement": result.placement_id, "provider": chosen or ""}

        return e.provider or "", choose
    if e.action == "placement-switch":
        switch_to = SwitchRequest(provider=_org(e), effective=e.effective, actor=actor)

        async def switch(client: Client, names: Names) -> dict[str, Any]:
            result = await pa.switch(client, names.placement(name), switch_to)
            return {"placement": result.placement_id}

        return _org(e), switch
    if e.action == "placement-plan-done":
        done = CarePlanDoneRequest(done_on=e.done_on, actor=actor)

        async def plan_done(client: Client, names: Names) -> dict[str, Any]:
            result = await pa.care_plan_done(client, names.placement(name), done)
            return {"placement": result.placement_id, "provider": result.provider or ""}

        return "", plan_done
    assert e.action == "placement-end"
    ending = EndRequest(end_date=e.end_date, reason=e.reason.strip(), actor=actor)

    async def end(client: Client, names: Names) -> dict[str, Any]:
        result = await pa.end(client, names.placement(name), ending)
        return {"placement": result.placement_id, "provider": result.provider or ""}

    return "", end


def _plan_id(ctx: _Context) -> str:
    return pa.plan_id(ctx.plan_ref, ctx.settings.default_plan, ctx.settings.plans_dir)


def _rotation(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    org, plan_id = _org(e), _plan_id(ctx)
    if e.action == "rotation-add":
        entry = RotationEntry(
            org_nr=org,
            area=(e.area or "").strip(),
            service_type=(e.service or "").strip(),
            actor=e.actor,
        )

        async def add(client: Client, names: Names) -> dict[str, Any]:
            await pa.add_provider(
                client,
                ctx.settings.temporal_task_queue,
                plan_id,
                entry,
                ctx.settings.search_attributes,
            )
            return {"area": entry.area, "service": entry.service_type}

        return org, add
    assert e.action == "rotation-remove"
    if (e.area is None) != (e.service is None):
        raise ActionError("area", "give both area and service, or neither (every list)")
    removal = ProviderRemoval(
        org_nr=org, area=e.area, service_type=e.service, reason=e.reason.strip(), actor=e.actor
    )

    async def remove(client: Client, names: Names) -> dict[str, Any]:
        await pa.remove_provider(client, plan_id, removal)
        return {}

    return org, remove


# --- applications (`lov application …`) ----------------------------------------------------------


def _application(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    org, actor = _org(e), e.actor
    if e.action == "application-submit":
        assert e.name is not None and e.email is not None
        new = apps.new_application(
            org_nr=org,
            name=e.name,
            email=e.email,
            service_types=e.services,
            areas=e.areas,
            documents=_documents(e.documents),
            requested_start=e.requested_start,
            plan=ctx.plan_ref,
            actor=actor,
            settings=ctx.settings,
        )

        async def submit(client: Client, names: Names) -> dict[str, Any]:
            wid = await apps.submit_application(client, ctx.settings.temporal_task_queue, new.input)
            return {"application": wid}

        return org, submit
    change: Callable[[Client], Awaitable[ApplicationStatus]]
    if e.action == "application-assess":
        requests = apps.assessments(e.requirements, e.met, e.note, e.notes, actor)
        change = lambda client: apps.assess_many(client, org, requests)  # noqa: E731
    elif e.action == "application-request-completion":
        items = apps.listed(e.items, "items", '["Försäkringsbrev"]')
        completion = CompletionRequest(items=items, due=e.due, note=e.note.strip(), actor=actor)
        change = lambda client: apps.request_completion(client, org, completion)  # noqa: E731
    elif e.action == "application-complete":
        completed = CompleteRequest(
            documents=_documents(e.documents), note=e.note.strip(), actor=actor
        )
        change = lambda client: apps.complete(client, org, completed)  # noqa: E731
    else:
        assert e.action == "application-decide"
        decision = apps.decision(e.approve, e.reason, e.contract_start, actor)
        change = lambda client: apps.decide(client, org, decision)  # noqa: E731

    async def run(client: Client, names: Names) -> dict[str, Any]:
        result = await change(client)
        return {"application": result.application_id}

    return org, run


# --- findings, brister (`lov finding …`) ---------------------------------------------------------


def _finding(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    assert e.finding is not None
    name, actor = e.finding, e.actor
    if e.action == "finding-register":
        org = _org(e)
        finding_actions.check_register_input(e.severity, e.source, e.what, e.evidence, actor)
        finding_actions.check_requirement(
            load_plan(ctx.plan_ref, ctx.settings.plans_dir), e.requirement or ""
        )
        day = _day(e, ctx.zone)
        requirement = e.requirement or ""

        async def register(client: Client, names: Names) -> dict[str, Any]:
            found = await finding_actions.register_finding(
                client,
                ctx.settings,
                org,
                requirement=requirement,
                severity=e.severity,
                source=e.source,
                what=e.what,
                evidence=e.evidence,
                actor=actor,
                today=day,
                taken=list(names.findings.values()),
            )
            names.findings[name] = found.finding_id
            return {"finding": found.finding_id, "response_due": found.response_due.isoformat()}

        return org, register
    org = ctx.finding_providers[name]
    change: Callable[[Client, str], Awaitable[Any]]
    if e.action == "finding-respond":
        answer = FindingResponse(comment=e.comment.strip(), actor=actor)
        change = lambda client, fid: finding_actions.respond(client, fid, answer)  # noqa: E731
    elif e.action == "finding-request-action-plan":
        assert e.due is not None
        asked = ActionPlanRequest(due=e.due, note=e.note.strip(), actor=actor)
        change = lambda client, fid: finding_actions.request_action_plan(  # noqa: E731
            client, fid, asked
        )
    elif e.action == "finding-submit-action-plan":
        plan = SubmitActionPlanRequest(summary=e.summary.strip(), actor=actor)
        change = lambda client, fid: finding_actions.submit_action_plan(  # noqa: E731
            client, fid, plan
        )
    elif e.action == "finding-verify":
        if not e.remedied and not e.note.strip():
            raise ActionError("note", "required for remedied = false (what is still not remedied)")
        verified = VerifyRequest(
            outcome="remedied" if e.remedied else "not_remedied", note=e.note.strip(), actor=actor
        )
        change = lambda client, fid: finding_actions.verify(client, fid, verified)  # noqa: E731
    elif e.action == "finding-decide":
        kind = finding_actions.parse_kind(e.sanction or "")
        amount = (
            finding_actions.parse_amount(str(e.amount), "amount") if e.amount is not None else None
        )
        decision = DecideRequest(kind=kind, reason=e.reason.strip(), amount=amount, actor=actor)
        finding_actions.check_decision(decision)
        change = lambda client, fid: finding_actions.decide(client, fid, decision)  # noqa: E731
    else:
        assert e.action == "finding-close"
        closing = CloseRequest(reason=e.reason.strip(), actor=actor)
        change = lambda client, fid: finding_actions.close(client, fid, closing)  # noqa: E731

    async def run(client: Client, names: Names) -> dict[str, Any]:
        result = await change(client, names.finding(name))
        done: dict[str, Any] = {"finding": result.finding_id, "status": result.status.value}
        if e.action == "finding-decide" and result.decisions:
            amount = result.decisions[-1].amount
            done["sanction"] = result.decisions[-1].kind
            if amount is not None:
                done["amount"] = str(amount)
        return done

    return org, run


# --- the municipality's own tasks (`lov task done`) -----------------------------------------------


def _task(e: ScenarioEvent, ctx: _Context) -> tuple[str, Run]:
    """task-done: the task named by its duty, period and (for a duty done at each provider) the
    provider, registered as done through services/municipal_tasks.py as `lov task done` does."""
    assert e.task is not None
    plan = load_plan(ctx.plan_ref, ctx.settings.plans_dir)
    day = _day(e, ctx.zone)
    done_on = e.done_on or day
    if done_on > day:
        raise ActionError("done_on", f"{done_on.isoformat()} is after the event's day ({day})")
    period = e.period or str(day.year)
    # Checked now with a stand-in provider part: the real one is known once the ids are.
    task_actions.task_id_of(plan, e.task, period, "-" if e.provider else None)
    completion = task_actions.Completion(
        task_id="",
        done_on=done_on,
        by=(e.by or e.actor).strip(),
        result=e.result.strip(),
        documents=[],
        findings=[f.strip() for f in e.findings],
    )
    task_actions.check_input(completion)
    org = e.provider or ""

    async def run(client: Client, names: Names) -> dict[str, Any]:
        part = id_part(org, actions.provider_ref(org)) if org else None
        task_id = task_actions.task_id_of(plan, e.task or "", period, part)
        view = await task_actions.complete(
            client,
            ctx.settings.plans_dir,
            DocumentStore.from_settings(ctx.settings),
            replace(completion, task_id=task_id),
            plan=plan.id,
        )
        return {"task": view.task_id, "status": view.state.value, "done_on": done_on.isoformat()}

    return org, run


_BUILDERS: dict[str, Callable[[ScenarioEvent, _Context], tuple[str, Run]]] = {
    "task": _task,
    "finding": _finding,
    "meeting": _meeting,
    "recovery": _recovery,
    "placement": _placement,
    "rotation": _rotation,
    "application": _application,
}
