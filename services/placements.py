"""Placement (kundval): every command and query on placements and the rotation lists, for
`lov placement`, the desk and the tests.

Commands: `start`, `choose`, `switch`, `care_plan_done`, `end` (Updates by name on
`PlacementWorkflow`), `add_provider` and `remove_provider` (on `RotationWorkflow`). Queries:
`status`, `rotation_status`, `statistics` (the workflows), `list_placements` (the records).

A placement is addressed by its generated id (`placement-<12 hex>`), never by the customer. The
customer's choice is checked against the rotation workflow's lists before any Update is sent, so
an unapproved provider is refused with nothing written; the rotation workflow's own validator
checks it again when the assignment is made.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.domain.customer_ref import CustomerRefError, check_customer_ref, looks_like_personnummer
from models.domain.date_text import iso_or_none
from models.ids import is_placement_id, list_key, new_placement_id, rotation_workflow_id
from models.messages.contract import ContractStatus
from models.messages.placement import (
    MAX_HOURS,
    CarePlanDoneRequest,
    ChooseRequest,
    EndRequest,
    PlacementInput,
    PlacementState,
    PlacementStatus,
    ProviderRemoval,
    ProviderStatistics,
    RotationEntry,
    RotationInput,
    RotationStatus,
    SwitchRequest,
)
from models.plans.loader import PlanError, load_plan
from models.records.placements import PlacementRecord, PlacementRecords
from models.runtime import search_attributes as sa
from models.runtime.settings import Settings
from services.calls import checked, contract_ids, run_update, wait_registered
from services.errors import ActionError
from services.filters import plan_filter, state_filter
from services.lookup import describe_or_none, existing
from services.record_reads import read_records
from services.request_ids import current_request_id, start_memo, started_by

# The workflows, by the type names history knows them by (their Updates and queries likewise).
PLACEMENT_WORKFLOW = "PlacementWorkflow"
ROTATION_WORKFLOW = "RotationWorkflow"

RUNNING = WorkflowExecutionStatus.RUNNING


async def _rotation(client: Client, plan_id: str) -> WorkflowHandle[Any, Any] | None:
    handle = client.get_workflow_handle(rotation_workflow_id(plan_id))
    desc = await describe_or_none(handle)
    return handle if desc is not None and desc.status == RUNNING else None


async def rotation_status(client: Client, plan_id: str) -> RotationStatus:
    handle = await _rotation(client, plan_id)
    if handle is None:
        return RotationStatus(
            workflow_id=rotation_workflow_id(plan_id), plan_id=plan_id, lists=[], names={}
        )
    result: RotationStatus = await handle.query("status", result_type=RotationStatus)
    return result


async def statistics(client: Client, plan_id: str) -> list[ProviderStatistics]:
    handle = await _rotation(client, plan_id)
    if handle is None:
        return []
    result: list[ProviderStatistics] = await handle.query(
        "statistics", result_type=list[ProviderStatistics]
    )
    return result


async def eligible(client: Client, plan_id: str, area: str, service_type: str) -> list[str]:
    status = await rotation_status(client, plan_id)
    key = list_key(area, service_type)
    for queue in status.lists:
        if list_key(queue.area, queue.service_type) == key:
            return list(queue.providers)
    return []


async def add_provider(
    client: Client, task_queue: str, plan_id: str, entry: RotationEntry, search_attributes: bool
) -> RotationStatus:
    """An administrator puts a provider with a running contract on a list."""
    desc = None
    for wid in contract_ids(entry.org_nr):
        try:
            desc = await client.get_workflow_handle(wid).describe()
            break
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
    if desc is None or desc.status != RUNNING:
        raise ActionError("org_nr", f"{entry.org_nr} has no running contract")
    if not entry.name or entry.starts_on is None:
        contract = await client.get_workflow_handle(desc.id).query(
            "status", result_type=ContractStatus
        )
        # The contract's start goes with the entry: the list passes the provider over for
        # placements that begin before it.
        entry = entry.model_copy(
            update={
                "name": entry.name or contract.provider.name,
                "starts_on": entry.starts_on or contract.contract_start,
            }
        )
    try:
        await client.start_workflow(
            ROTATION_WORKFLOW,
            RotationInput(plan_id=plan_id, search_attributes=search_attributes),
            id=rotation_workflow_id(plan_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:
        pass
    handle = client.get_workflow_handle(rotation_workflow_id(plan_id))
    return await run_update(handle, "add_provider", entry, RotationStatus)


async def remove_provider(client: Client, plan_id: str, removal: ProviderRemoval) -> RotationStatus:
    handle = await _rotation(client, plan_id)
    if handle is None:
        raise ActionError("org_nr", f"{removal.org_nr} is not on any rotation list")
    return await run_update(handle, "remove_provider", removal, RotationStatus)


def check_start(decision_date: date, start: date) -> None:
    """The placement cannot begin before the decision that grants it."""
    if start < decision_date:
        raise ActionError("--start", "får inte vara före beslutsdatum (before the decision date)")


def check_input(inp: PlacementInput) -> None:
    """Everything a start is checked for before anything is sent (a start has no validator):
    the customer reference, the dates, and the fields models.domain.inputs marks."""
    customer_ref(inp.customer_ref)
    check_start(inp.decision_date, inp.start)
    checked(inp)


async def start(client: Client, task_queue: str, inp: PlacementInput) -> str:
    check_input(inp)
    request_id = current_request_id()
    wid = new_placement_id(request_id)
    try:
        await _start_placement(client, task_queue, inp, wid)
    except WorkflowAlreadyStartedError:
        if not await started_by(client.get_workflow_handle(wid), request_id):
            raise ActionError("--request-id", "already used for another placement") from None
    await wait_registered(client.get_workflow_handle(wid), "status", result_type=PlacementStatus)
    return wid


async def _start_placement(client: Client, task_queue: str, inp: PlacementInput, wid: str) -> None:
    await client.start_workflow(
        PLACEMENT_WORKFLOW,
        inp.model_copy(update={"placement_id": wid}),
        id=wid,
        task_queue=task_queue,
        # Never a second placement under one id, not even after the first has ended: a retry
        # with the same request id finds the first (services/request_ids.py).
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        memo=start_memo(),
        search_attributes=(
            TypedSearchAttributes(
                [
                    SearchAttributePair(sa.KIND, "placement"),
                    SearchAttributePair(sa.STATUS, "awaiting_choice"),
                ]
            )
            if inp.search_attributes
            else None
        ),
    )


async def resolve(client: Client, placement_id: str) -> WorkflowHandle[Any, Any]:
    ref = placement_id.strip()
    if not is_placement_id(ref):
        # Not echoed: what was typed instead may be a personnummer, and errors end up in logs.
        raise ActionError("placement", "not a placement id (placement-<12 hex>)")
    return await existing(client.get_workflow_handle(ref), "placement", f"no placement {ref}")


async def status(client: Client, placement_id: str) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    return await _status(handle)


async def _status(handle: WorkflowHandle[Any, Any]) -> PlacementStatus:
    result: PlacementStatus = await handle.query("status", result_type=PlacementStatus)
    return result


async def _check_provider(client: Client, current: PlacementStatus, provider: str | None) -> None:
    """Refuse before sending anything: the provider must be on the decision's list."""
    approved = await eligible(client, current.plan_id, current.area, current.service_type)
    where = f"{current.area} / {current.service_type}"
    if provider is None:
        if not [p for p in approved if p != current.provider]:
            raise ActionError("provider", f"no approved provider on the rotation list for {where}")
        return
    if provider not in approved:
        listed = ", ".join(approved) or "none"
        raise ActionError(
            "provider", f"{provider} is not approved for {where} (approved: {listed})"
        )


async def choose(client: Client, placement_id: str, request: ChooseRequest) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    current = await _status(handle)
    if current.state.value == "awaiting_choice":
        await _check_provider(client, current, request.provider)
    return await run_update(handle, "choose", request, PlacementStatus)


async def switch(client: Client, placement_id: str, request: SwitchRequest) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    current = await _status(handle)
    if current.state.value == "active" and request.provider != current.provider:
        await _check_provider(client, current, request.provider)
    return await run_update(handle, "switch", request, PlacementStatus)


async def care_plan_done(
    client: Client, placement_id: str, request: CarePlanDoneRequest
) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    return await run_update(handle, "care_plan_done", request, PlacementStatus)


async def end(client: Client, placement_id: str, request: EndRequest) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    return await run_update(handle, "end", request, PlacementStatus)


# --- input as typed ------------------------------------------------------------------------------


def customer_ref(text: str, field: str = "customer_ref") -> str:
    """The pseudonymous reference (models.domain.customer_ref), or ActionError naming `field`;
    a personnummer is never repeated in the error."""
    try:
        return check_customer_ref(text)
    except CustomerRefError as err:
        raise ActionError(field, str(err)) from None


def granted_hours(text: str, field: str = "--hours") -> Decimal:
    """Granted hours per month as typed ("22,5"): 0–744 with at most two decimals."""
    value = text.strip()
    try:
        hours = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ActionError(field, f"inte ett tal (not a number), fick {value!r}") from None
    if (
        not hours.is_finite()
        or hours < 0
        or hours > MAX_HOURS
        or hours != hours.quantize(Decimal("0.01"))
    ):
        raise ActionError(field, f"0–{MAX_HOURS} timmar per månad med högst två decimaler")
    return hours.quantize(Decimal("0.01"))


def plan_id(plan: str | None, default_plan: str, plans_dir: Path) -> str:
    """The id of the named plan (an id or a file), or of the default one; ActionError if none."""
    try:
        return load_plan(plan or default_plan, plans_dir).id
    except PlanError as err:
        raise ActionError("--plan", str(err)) from None


# --- the list, from the records database ---------------------------------------------------------

# Stored before the reference rule was as strict as now, a row could in theory hold a
# personnummer-shaped reference; a list never shows one.
HIDDEN_REF = "(dold)"


@dataclass(frozen=True)
class PlacementRow:
    """One placement in `list_placements`, as the records database has it."""

    placement: PlacementRecord

    @property
    def customer_ref(self) -> str:
        ref = self.placement.customer_ref
        return HIDDEN_REF if looks_like_personnummer(ref) else ref

    def as_json(self) -> dict[str, Any]:
        """Stable keys; hours as a string (no binary floating point), dates ISO."""
        p = self.placement
        return {
            "placement_id": p.placement_id,
            "customer_ref": self.customer_ref,
            "area": p.area,
            "service_type": p.service_type,
            "granted_hours": str(p.granted_hours),
            "decision_date": iso_or_none(p.decision_date),
            "state": p.status,
            "org_nr": p.org_nr,
            "pending_org_nr": p.pending_org_nr,
            "provider_start": iso_or_none(p.provider_start),
            "care_plan_due": iso_or_none(p.care_plan_due),
            "care_plan_done_on": iso_or_none(p.care_plan_done_on),
            "care_plan_current": p.care_plan_current,
            "end_date": iso_or_none(p.end_date),
            "registered_at": iso_or_none(p.created_at),
            "updated_at": iso_or_none(p.updated_at),
        }


def check_area(area: str | None) -> str | None:
    if area is None:
        return None
    if not area.strip():
        raise ActionError("--area", "tomt område (empty area), t.ex. --area Centrum")
    return area.strip()


async def list_placements(
    settings: Settings,
    *,
    plan: str | None = None,
    org_nr: str | None = None,
    state: str | None = None,
    area: str | None = None,
) -> list[PlacementRow]:
    """Placements in the order registered; filters checked before the database is read.
    With `plan`, those on that plan, awaiting the customer's choice included (the plan is
    recorded with the placement; a row from before it was, by its provider's contract)."""
    wanted_plan = plan_filter(plan, settings.plans_dir)
    status = state_filter(state, [s.value for s in PlacementState])
    wanted_area = check_area(area)

    async def read(store: PlacementRecords) -> list[PlacementRow]:
        found = await store.list_placements(
            org_nr=org_nr, status=status, area=wanted_area, plan_id=wanted_plan
        )
        return [PlacementRow(p) for p in found]

    return await read_records(settings.require_records(), PlacementRecords, read)


async def all_placements(store: PlacementRecords) -> list[PlacementRow]:
    """Every placement in the order registered: the desk's list, on its own store."""
    return [PlacementRow(p) for p in await store.list_placements()]


async def choice_deadlines(client: Client, placement_ids: list[str]) -> dict[str, date]:
    """The customer's last day to choose, per placement still awaiting a choice (the workflow
    keeps it; the records do not). A placement that cannot answer is left out."""

    async def one(placement_id: str) -> tuple[str, date | None]:
        try:
            found = await _status(client.get_workflow_handle(placement_id))
        except RPCError:
            return placement_id, None
        return placement_id, found.choice_due

    answers = await asyncio.gather(*(one(p) for p in placement_ids))
    return {p: due for p, due in answers if due is not None}
