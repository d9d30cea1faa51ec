"""Placement (kundval) actions as client calls, shared by `lov placement` and the tests.

A placement is addressed by its generated id (`placement-<12 hex>`), never by the customer. The
customer's choice is checked against the rotation workflow's lists before any Update is sent, so
an unapproved provider is refused with nothing written; the rotation workflow's own validator
checks it again when the assignment is made.
"""

from __future__ import annotations

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

from models.ids import is_placement_id, list_key, new_placement_id, rotation_workflow_id
from models.messages.placement import (
    CarePlanDoneRequest,
    ChooseRequest,
    CustomerRefError,
    EndRequest,
    PlacementInput,
    PlacementStatus,
    ProviderRemoval,
    ProviderStatistics,
    RotationEntry,
    RotationInput,
    RotationStatus,
    SwitchRequest,
    check_customer_ref,
)
from models.runtime import search_attributes as sa
from services.calls import ActionError, _update, checked, contract_ids, wait_registered
from services.lookup import describe_or_none
from services.request_ids import current_request_id, start_memo, started_by
from workflows.contract import ContractWorkflow
from workflows.placement import PlacementWorkflow
from workflows.rotation import RotationWorkflow

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
    result: RotationStatus = await handle.query(RotationWorkflow.status)
    return result


async def statistics(client: Client, plan_id: str) -> list[ProviderStatistics]:
    handle = await _rotation(client, plan_id)
    if handle is None:
        return []
    result: list[ProviderStatistics] = await handle.query(RotationWorkflow.statistics)
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
    if not entry.name:
        contract = await client.get_workflow_handle(desc.id).query(ContractWorkflow.status)
        entry = entry.model_copy(update={"name": contract.provider.name})
    try:
        await client.start_workflow(
            RotationWorkflow.run,
            RotationInput(plan_id=plan_id, search_attributes=search_attributes),
            id=rotation_workflow_id(plan_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:
        pass
    handle = client.get_workflow_handle(rotation_workflow_id(plan_id))
    result: RotationStatus = await _update(handle, RotationWorkflow.add_provider, entry)
    return result


async def remove_provider(client: Client, plan_id: str, removal: ProviderRemoval) -> RotationStatus:
    handle = await _rotation(client, plan_id)
    if handle is None:
        raise ActionError("org_nr", f"{removal.org_nr} is not on any rotation list")
    result: RotationStatus = await _update(handle, RotationWorkflow.remove_provider, removal)
    return result


async def start(client: Client, task_queue: str, inp: PlacementInput) -> str:
    # A start has no validator: the customer reference and the marked fields are checked here.
    try:
        check_customer_ref(inp.customer_ref)
    except CustomerRefError as err:
        raise ActionError("customer_ref", str(err)) from None
    checked(inp)
    request_id = current_request_id()
    wid = new_placement_id(request_id)
    try:
        await _start_placement(client, task_queue, inp, wid)
    except WorkflowAlreadyStartedError:
        if not await started_by(client.get_workflow_handle(wid), request_id):
            raise ActionError("--request-id", "already used for another placement") from None
    await wait_registered(client.get_workflow_handle(wid), PlacementWorkflow.status)
    return wid


async def _start_placement(client: Client, task_queue: str, inp: PlacementInput, wid: str) -> None:
    await client.start_workflow(
        PlacementWorkflow.run,
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
    handle = client.get_workflow_handle(ref)
    try:
        await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ActionError("placement", f"no placement {ref}") from None
        raise
    return handle


async def status(client: Client, placement_id: str) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    result: PlacementStatus = await handle.query(PlacementWorkflow.status)
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
    current: PlacementStatus = await handle.query(PlacementWorkflow.status)
    if current.state.value == "awaiting_choice":
        await _check_provider(client, current, request.provider)
    result: PlacementStatus = await _update(handle, PlacementWorkflow.choose, request)
    return result


async def switch(client: Client, placement_id: str, request: SwitchRequest) -> PlacementStatus:
    handle = await resolve(client, placement_id)
    current: PlacementStatus = await handle.query(PlacementWorkflow.status)
    if current.state.value == "active" and request.provider != current.provider:
        await _check_provider(client, current, request.provider)
    result: PlacementStatus = await _update(handle, PlacementWorkflow.switch, request)
    return result


async def care_plan_done(
    client: Client, placement_id: str, request: CarePlanDoneRequest
) -> PlacementStatus:
    result: PlacementStatus = await _update(
        await resolve(client, placement_id), PlacementWorkflow.care_plan_done, request
    )
    return result


async def end(client: Client, placement_id: str, request: EndRequest) -> PlacementStatus:
    result: PlacementStatus = await _update(
        await resolve(client, placement_id), PlacementWorkflow.end, request
    )
    return result
