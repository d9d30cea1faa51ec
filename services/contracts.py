"""Provider contracts: start one, read its status, terminate it, change its contact.

The contract workflow is addressed by its type name and its Updates and Query by their names
(they are in every stored history), so this module loads no workflow code: `lov contract status`
starts as fast as a plain Temporal client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.domain.contract_state import contract_state
from models.domain.provider_id import ProviderIds
from models.ids import contract_workflow_id
from models.messages.common import Provider
from models.messages.contract import (
    ChangeContactRequest,
    ContractInput,
    ContractStatus,
    RequestDutyRequest,
    TerminateRequest,
)
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan
from models.runtime.contract_start import start_contract_workflow
from models.runtime.municipal_signal import providers_changed
from services.calls import checked, contract_ids, provider_ref, run_update
from services.errors import ActionError
from services.org_nr import org_nr_for_plan
from services.request_ids import current_request_id, start_memo, started_by

# The contract workflow's Query and Updates, by the names in its history.
STATUS_QUERY = "status"
TERMINATE = "terminate"
CHANGE_CONTACT = "change_contact"
REQUEST_DUTY = "request_duty"


@dataclass(frozen=True, slots=True)
class StartPlan:
    """The plan a new contract follows, and the id it is stored under."""

    plan: Plan
    plan_id: str


def plan_for_start(plan_ref: str, plans_dir: Path) -> StartPlan:
    """Load the plan named by `plan_ref` (an id in plans_dir or a path); ActionError("plan")
    saying why if it cannot.

    A plan file given by path is stored absolute, so the worker finds it from any directory."""
    try:
        plan = load_plan(plan_ref, plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    plan_id = plan_ref if plan_ref == plan.id else str(Path(plan_ref).resolve())
    return StartPlan(plan=plan, plan_id=plan_id)


async def start_contract(
    client: Client,
    task_queue: str,
    provider: Provider,
    contract_start: date,
    plan_id: str,
    search_attributes: bool,
    ids: ProviderIds | None = None,
    actor: str | None = None,
    plan: Plan | None = None,
) -> str:
    """Start the provider's contract workflow; its workflow id. ActionError if the provider
    already has a running contract (unless this very request started it: a retry), or if
    `plan` (the plan `plan_id` names, when the caller has loaded it) is for a country whose
    providers have another kind of identifier (a CVR-nummer under a Swedish plan). `actor`: who
    starts it, recorded in the audit trail (None: "system")."""
    if plan is not None:
        provider = provider.model_copy(update={"org_nr": org_nr_for_plan(provider.org_nr, plan)})
    inp = ContractInput(
        provider=provider,
        contract_start=contract_start,
        plan_id=plan_id,
        search_attributes=search_attributes,
        actor=actor,
        # Started directly: the provider gets the welcome mail with the year's duties.
        welcome=True,
    )
    checked(inp)
    # Computed first: a missing key refuses the request before anything is started.
    ref = provider_ref(provider.org_nr, ids)
    try:
        wid = await start_contract_workflow(client, task_queue, inp, ref, memo=start_memo())
    except WorkflowAlreadyStartedError:
        wid = contract_workflow_id(provider.org_nr, ref)
        if not await started_by(client.get_workflow_handle(wid), current_request_id()):
            raise ActionError(
                "org_nr", f"{provider.org_nr} already has a running contract"
            ) from None
        # This request, retried: started by the earlier attempt (signalled again: harmless).
    # The plan's municipal duties get the provider's tasks now, not at the month's refresh.
    await providers_changed(client, plan_id)
    return wid


async def running_contract(client: Client, org_nr: str) -> WorkflowHandle[Any, Any]:
    """The handle of the provider's running contract; ActionError if it has none or it ended."""
    for wid in contract_ids(org_nr):
        handle = client.get_workflow_handle(wid)
        try:
            desc = await handle.describe()
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                continue
            raise
        break
    else:
        raise ActionError("org_nr", f"no contract for provider {org_nr}")
    if desc.status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        # Continue-as-new keeps the id, so a closed run here means the contract has ended.
        raise ActionError("org_nr", f"the contract for {org_nr} has ended")
    return handle


def as_of_today(status: ContractStatus) -> ContractStatus:
    """The state as of the plan's local date: "not-started" before the contract's start."""
    today = datetime.now(ZoneInfo(status.time_zone)).date()
    state = contract_state(status.state, status.contract_start, today)
    return status if state == status.state else status.model_copy(update={"state": state})


async def contract_status(
    client: Client, org_nr: str, ids: ProviderIds | None = None
) -> ContractStatus:
    """The contract's status query: obligations open, overdue and done, plan version per year."""
    for wid in contract_ids(org_nr, ids):
        try:
            result: ContractStatus = await client.get_workflow_handle(wid).query(
                STATUS_QUERY, result_type=ContractStatus
            )
            return as_of_today(result)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
    raise ActionError("org_nr", f"no contract for provider {org_nr}")


async def terminate(client: Client, org_nr: str, request: TerminateRequest) -> ContractStatus:
    handle = await running_contract(client, org_nr)
    status = await run_update(handle, TERMINATE, request, ContractStatus)
    # The update has recorded the end date: the plan's municipal duties cancel the provider's
    # tasks due after it (best effort, never failing the termination).
    await providers_changed(client, status.plan_id)
    return as_of_today(status)


async def change_contact(
    client: Client, org_nr: str, request: ChangeContactRequest
) -> ContractStatus:
    handle = await running_contract(client, org_nr)
    return as_of_today(await run_update(handle, CHANGE_CONTACT, request, ContractStatus))


async def request_duty(client: Client, org_nr: str, request: RequestDutyRequest) -> ContractStatus:
    """Requests a duty that was not requested when the contract was registered (its deadline
    had passed), due on `request.due` (moved to the next business day where needed)."""
    handle = await running_contract(client, org_nr)
    return as_of_today(await run_update(handle, REQUEST_DUTY, request, ContractStatus))
