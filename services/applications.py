"""Applications to become a provider: every command and query of `lov application` (and of the
desk and the portal), with its validation. Updates and the status query go by their names in
history, so this module needs no workflow code.

One open application per org nr is the server's rule, not ours: the n-th application has the
workflow id `application-<orgnr>-<n>`, where n is one more than the number of closed ones, and ids
are never reused. While application n is open a second submission computes the same id and the
server refuses to start it; two concurrent submissions cannot both win either. A retry of the
same submission (same `--request-id`, kept in the memo) is recognised first and lands on the
application its earlier attempt started.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.common import (
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.domain.date_text import iso_or_none
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.ids import (
    ApplicationRefError,
    application_workflow_id,
    parse_application_id,
    search_value,
)
from models.messages.application import (
    ApplicationInput,
    ApplicationState,
    ApplicationStatus,
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
)
from models.messages.common import Provider
from models.messages.obligation import DocumentRef
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan
from models.records.applications import ApplicationRecord, ApplicationRecords
from models.records.store import RecordStore
from models.runtime import search_attributes as sa
from models.runtime.settings import Settings
from services.calls import (
    ActionError,
    checked,
    contract_ids,
    provider_ref,
    run_update,
    wait_registered,
)
from services.filters import plan_filter, search_filter, state_filter
from services.lookup import describe_or_none
from services.org_nr import org_nr_for_plan
from services.record_reads import read_records
from services.request_ids import (
    MEMO_KEY,
    current_request_id,
    start_memo,
    started_by,
    update_ids_for,
)

RUNNING = WorkflowExecutionStatus.RUNNING
# Names in history (workflows/application.py): this layer calls them by name.
WORKFLOW_TYPE = "ApplicationWorkflow"
STATUS_QUERY = "status"


async def _describe(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    """The latest run's description, or None if there is no workflow under this id."""
    return await describe_or_none(client.get_workflow_handle(workflow_id))


async def _describe_status(client: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    """The latest run's status, or None if there is no workflow under this id."""
    desc = await _describe(client, workflow_id)
    return None if desc is None else desc.status


async def _applications(client: Client, org_nr: str) -> list[tuple[str, bool]]:
    """(id, running) of every application from `org_nr`, oldest first."""
    return [(wid, desc.status == RUNNING) for wid, desc in await _described(client, org_nr)]


async def _described(client: Client, org_nr: str) -> list[tuple[str, WorkflowExecutionDescription]]:
    found: list[tuple[str, WorkflowExecutionDescription]] = []
    ref = provider_ref(org_nr)
    while True:
        wid = application_workflow_id(org_nr, len(found) + 1, ref)
        desc = await _describe(client, wid)
        if desc is None:
            return found
        found.append((wid, desc))


async def _submitted_by(
    found: list[tuple[str, WorkflowExecutionDescription]], request_id: str | None
) -> str | None:
    """The application an earlier attempt of this request started, if any: a retry lands on
    it whatever has happened to it since (decided, closed) instead of numbering a new one."""
    if request_id is None:
        return None
    for wid, desc in reversed(found):
        if await desc.memo_value(MEMO_KEY, None) == request_id:
            return wid
    return None


async def submit_application(client: Client, task_queue: str, inp: ApplicationInput) -> str:
    checked(inp)
    org_nr = inp.provider.org_nr
    ref = provider_ref(org_nr)  # first: a missing key refuses before anything is looked up
    found = await _described(client, org_nr)
    earlier_attempt = await _submitted_by(found, current_request_id())
    if earlier_attempt is not None:
        await _wait_registered(client, earlier_attempt)
        return earlier_attempt
    for contract_id in contract_ids(org_nr):
        if await _describe_status(client, contract_id) == RUNNING:
            raise ActionError("org_nr", f"{org_nr} is already an approved provider with a contract")
    open_ = [wid for wid, desc in found if desc.status == RUNNING]
    if open_:
        raise ActionError("org_nr", f"{org_nr} already has an open application: {open_[-1]}")
    wid = application_workflow_id(org_nr, len(found) + 1, ref)
    try:
        await client.start_workflow(
            WORKFLOW_TYPE,
            inp.model_copy(update={"application_id": wid}),
            id=wid,
            task_queue=task_queue,
            memo=start_memo(),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=(
                sa.at_start("application", search_value(org_nr, ref), "received")
                if inp.search_attributes
                else None
            ),
        )
    except WorkflowAlreadyStartedError:
        if not await started_by(client.get_workflow_handle(wid), current_request_id()):
            raise ActionError(
                "org_nr", f"{org_nr} already has an open application: {wid}"
            ) from None
    await _wait_registered(client, wid)
    return wid


async def _wait_registered(client: Client, wid: str) -> None:
    handle = client.get_workflow_handle(wid)
    await wait_registered(handle, STATUS_QUERY, result_type=ApplicationStatus)


async def resolve(client: Client, ref: str) -> WorkflowHandle[Any, Any]:
    """An application by its id, or an org nr's latest application."""
    try:
        org_nr = normalize_org_nr(ref)
    except OrgNrError:
        org_nr = None
    if org_nr is not None:
        earlier = await _applications(client, org_nr)
        if not earlier:
            raise ActionError("application", f"no application from {org_nr}")
        return client.get_workflow_handle(earlier[-1][0])
    try:
        parse_application_id(ref)
    except ApplicationRefError as err:
        raise ActionError("application", str(err)) from None
    if await _describe_status(client, ref.strip()) is None:
        raise ActionError("application", f"no application {ref.strip()}")
    return client.get_workflow_handle(ref.strip())


async def status(client: Client, ref: str) -> ApplicationStatus:
    return await _status(await resolve(client, ref))


async def _status(handle: WorkflowHandle[Any, Any]) -> ApplicationStatus:
    result: ApplicationStatus = await handle.query(STATUS_QUERY, result_type=ApplicationStatus)
    return result


async def _run(client: Client, ref: str, update: str, request: Any) -> ApplicationStatus:
    return await run_update(await resolve(client, ref), update, request, ApplicationStatus)


async def assess(client: Client, ref: str, request: AssessRequest) -> ApplicationStatus:
    return await _run(client, ref, "assess", request)


async def request_completion(
    client: Client, ref: str, request: CompletionRequest
) -> ApplicationStatus:
    return await _run(client, ref, "request_completion", request)


async def complete(client: Client, ref: str, request: CompleteRequest) -> ApplicationStatus:
    return await _run(client, ref, "complete", request)


async def decide(client: Client, ref: str, request: DecideRequest) -> ApplicationStatus:
    return await _run(client, ref, "decide", request)


# --- building the requests: the rules every interface shares ------------------------------------


def listed(values: Sequence[str] | None, field: str, example: str) -> list[str]:
    """A list the applicant must give at least one of (services, areas, missing items): each
    stripped and non-empty, repeats dropped, in the order given."""
    cleaned = [v.strip() for v in values or []]
    if not cleaned:
        raise ActionError(field, f"minst en krävs (at least one), t.ex. {field} {example}")
    if any(not v for v in cleaned):
        raise ActionError(field, "får inte vara tomt (must not be empty)")
    return list(dict.fromkeys(cleaned))


def _text(value: str | None, field: str, example: str) -> str:
    if value is None or not value.strip():
        raise ActionError(field, f"krävs (required), t.ex. {field} {example}")
    return value.strip()


def application_plan(plan: str | None, settings: Settings) -> Plan:
    """The plan an application is reviewed against (default: the configured plan); it must
    have skallkrav."""
    try:
        found = load_plan(plan or settings.default_plan, settings.plans_dir)
    except PlanError as err:
        raise ActionError("--plan", str(err)) from None
    if not found.skallkrav:
        raise ActionError("--plan", f"{found.id} har inga skallkrav (has no skallkrav)")
    return found


@dataclass(frozen=True, slots=True)
class NewApplication:
    """A checked application, ready to submit, and what the receipt tells the administrator."""

    input: ApplicationInput
    skallkrav: int
    decision_weeks: int


def new_application(
    *,
    org_nr: str,
    name: str,
    email: str,
    service_types: Sequence[str] | None,
    areas: Sequence[str] | None,
    documents: list[DocumentRef],
    requested_start: date | None,
    plan: str | None,
    actor: str,
    settings: Settings,
) -> NewApplication:
    """Everything an application must satisfy before anything is started (no connection)."""
    services = listed(service_types, "--service", "omvårdnad")
    area_list = listed(areas, "--area", "Centrum")
    plan_ref = plan or settings.default_plan
    the_plan = application_plan(plan_ref, settings)
    inp = ApplicationInput(
        provider=Provider(org_nr=org_nr_for_plan(org_nr, the_plan), name=name, email=email),
        service_types=services,
        areas=area_list,
        documents=documents,
        # A plan named by its id is recorded by id; one given as a file keeps its path.
        plan_id=the_plan.id if plan_ref == the_plan.id else plan_ref,
        requested_start=requested_start,
        actor=actor,
        search_attributes=settings.search_attributes,
    )
    checked(inp)  # areas and service types fit their columns
    return NewApplication(inp, len(the_plan.skallkrav), the_plan.decision_weeks)


def assessments(
    keys: Sequence[str],
    met: bool | None,
    note: str,
    notes: dict[str, str],
    actor: str,
) -> list[AssessRequest]:
    """One request per skallkrav (repeats dropped): the verdict for all, `note` for each unless
    `notes` has one for that key (and every key of `notes` must be among `keys`)."""
    if met is None:
        raise ActionError("--met/--not-met", "ange det ena (give one)")
    wanted = list(dict.fromkeys(k.strip() for k in keys))
    if not wanted or any(not k for k in wanted):
        raise ActionError("skallkrav", "ange minst ett skallkrav (at least one key)")
    stray = [k for k in notes if k not in wanted]
    if stray:
        raise ActionError(
            "--note-for", f"{stray[0]!r} är inte bland de bedömda skallkraven ({', '.join(wanted)})"
        )
    return [
        AssessRequest(key=k, met=met, note=notes.get(k, note).strip(), actor=actor) for k in wanted
    ]


async def assess_many(
    client: Client, ref: str, requests: Sequence[AssessRequest]
) -> ApplicationStatus:
    """Assess several skallkrav: all are checked first (known keys, a note for each "not met"),
    so a bad one refuses the lot with nothing assessed; then one Update each. With several, each
    Update's id is derived from the request id and the key, so a retried command (even in
    another order) assesses each key once."""
    if len(requests) == 1:
        return await assess(client, ref, requests[0])
    handle = await resolve(client, ref)
    current = await _status(handle)
    known = [a.key for a in current.checklist]
    for request in requests:
        checked(request)
        if request.key not in known:
            raise ActionError(
                "skallkrav",
                f"{request.key!r} is not a skallkrav of the plan (known: {', '.join(known)})",
            )
        if not request.met and not request.note.strip():
            raise ActionError(
                "note (why the requirement is not met)",
                f"must not be empty (skallkrav {request.key})",
            )
    result = current
    done: list[str] = []
    for request in requests:
        try:
            with update_ids_for(request.key):
                result = await run_update(handle, "assess", request, ApplicationStatus)
        except ActionError as err:
            if not done:
                raise
            # Said, so nobody thinks the whole command was refused.
            raise ActionError(
                err.field, f"{str(err).partition(': ')[2]} (redan bedömda: {', '.join(done)})"
            ) from None
        done.append(request.key)
    return result


def decision(
    approve: bool | None, reason: str, contract_start: date | None, actor: str
) -> DecideRequest:
    """Approval needs the contract's start; a rejection needs its reason."""
    if approve is None:
        raise ActionError("--approve/--reject", "ange det ena (give one)")
    if approve:
        if contract_start is None:
            raise ActionError("--start", "krävs (required), t.ex. --start 2027-04-20")
        return DecideRequest(
            approve=True, reason=reason.strip(), contract_start=contract_start, actor=actor
        )
    return DecideRequest(
        approve=False, reason=_text(reason, "--reason", '"Skallkrav ej uppfyllda"'), actor=actor
    )


# --- lists, from the records database ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplicationSummary:
    """One application as `lov application list` shows it."""

    application_id: str
    org_nr: str
    name: str
    email: str
    plan_id: str
    state: ApplicationState
    submitted_at: datetime | None
    decided_at: datetime | None
    decision: str | None
    reason: str | None
    # The last day for the decision (plan.decision_weeks after a complete application).
    decision_due: date | None = None

    def as_json(self) -> dict[str, Any]:
        """Stable keys, for scripts and the desk's tests."""
        return {
            "application_id": self.application_id,
            "org_nr": self.org_nr,
            "name": self.name,
            "email": self.email,
            "plan_id": self.plan_id,
            "state": self.state.value,
            "submitted_at": iso_or_none(self.submitted_at),
            "decided_at": iso_or_none(self.decided_at),
            "decision": self.decision,
            "reason": self.reason,
        }


def _summary(r: ApplicationRecord) -> ApplicationSummary:
    return ApplicationSummary(
        application_id=r.application_id,
        org_nr=r.org_nr,
        name=str(r.data.get("provider_name", "")),
        email=str(r.data.get("email", "")),
        plan_id=str(r.data.get("plan_id", "")),
        state=ApplicationState(r.status),
        submitted_at=r.submitted_at,
        decided_at=r.decided_at,
        decision=r.decision,
        reason=r.reason,
        decision_due=_day(r.data.get("decision_due")),
    )


def _day(value: object) -> date | None:
    # The workflow writes an ISO day or None; anything else (an older row) is no date.
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


async def list_applications(
    settings: Settings,
    *,
    plan: str | None = None,
    state: str | None = None,
    search: str | None = None,
) -> list[ApplicationSummary]:
    """Applications from the records database, newest first; filters checked before reading.
    `search` matches the id, org nr, applicant name or e-mail (any case)."""
    plan_id = plan_filter(plan, settings.plans_dir)
    status_value = state_filter(state, [s.value for s in ApplicationState])
    text = search_filter(search)
    records = await read_records(
        settings.require_records(),
        ApplicationRecords,
        lambda store: store.list_applications(plan_id=plan_id, status=status_value, search=text),
    )
    return [_summary(r) for r in records]


async def read_applications(
    store: ApplicationRecords, *, plan_id: str | None = None, state: str | None = None
) -> list[ApplicationSummary]:
    """Applications on a store the caller holds open (the desk's), newest first; the filters
    already checked (services.filters)."""
    return [_summary(r) for r in await store.list_applications(plan_id=plan_id, status=state)]


@dataclass(frozen=True, slots=True)
class OpenApplication:
    """An undecided application on the start page; `registered`: its applicant is already a
    provider in the records (has a provider page), not only an applicant."""

    application: ApplicationSummary
    registered: bool


async def open_applications(store: RecordStore) -> list[OpenApplication]:
    """Applications not yet decided, the nearest decision date first (those without one last):
    the start page's list, read on the desk's own store."""
    providers = await store.provider_names()
    found = [_summary(r) for r in await store.list_applications()]
    waiting = sorted(
        (a for a in found if not a.state.decided),
        key=lambda a: (a.decision_due is None, a.decision_due or date.max),
    )
    return [OpenApplication(a, a.org_nr in providers) for a in waiting]
