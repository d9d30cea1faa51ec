"""Placement activities: the plan's kundval rules, assignments through the rotation workflow,
placement records, and the hooks that keep the rotation lists in step with approvals and
terminations.

Assignments are Updates on the rotation workflow, executed from here rather than from workflow
code (a workflow cannot call another's Update): the request carries an idempotency key, so a
retried activity gets the same provider and the list moves on once.
"""

from __future__ import annotations

from pathlib import Path

from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.plans import plan_calendar
from models.domain.provider_id import ProviderIds
from models.ids import rotation_workflow_id
from models.messages.contract import ContractStateRecord
from models.messages.placement import (
    Assignment,
    AssignRequest,
    LoadPlacementPlan,
    PlacementPlan,
    PlacementReport,
    ProviderRemoval,
    ProviderTerminated,
    RotationEntry,
    RotationInput,
)
from models.plans.loader import load_plan, resolve_plan_path
from models.records.store import RecordStore

REFUSED = "RotationRefused"
# The rotation workflow is called by its type and Update names, never by importing its class:
# workflow modules import these activities (layer rule, tests/system/test_layers.py). Both
# names are in stored histories: they never change.
ROTATION_WORKFLOW = "RotationWorkflow"
ASSIGN_UPDATE = "assign"


async def signal_rotation_with_start(
    client: Client,
    task_queue: str,
    plan_id: str,
    entry: RotationEntry,
    search_attributes: bool,
) -> None:
    """Adds an approved provider to its lists, starting the municipality's rotation workflow if
    it is not running yet (signal-with-start: one round trip, no race between two approvals)."""
    await client.start_workflow(
        ROTATION_WORKFLOW,
        RotationInput(plan_id=plan_id, search_attributes=search_attributes),
        id=rotation_workflow_id(plan_id),
        task_queue=task_queue,
        start_signal="provider_approved",
        start_signal_args=[entry],
    )


async def _signal(client: Client, workflow_id: str, signal: str, arg: object) -> bool:
    """Signal a running workflow; False if there is none (never started, or completed)."""
    try:
        await client.get_workflow_handle(workflow_id).signal(signal, arg)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


class PlacementActivities:
    def __init__(
        self,
        client: Client,
        task_queue: str,
        store: RecordStore,
        plans_dir: Path,
        ids: ProviderIds | None = None,
    ) -> None:
        self._client = client
        self._task_queue = task_queue
        self._store = store
        self._plans_dir = plans_dir
        self._ids = ids or ProviderIds()

    @activity.defn
    async def load_placement_plan(self, request: LoadPlacementPlan) -> PlacementPlan:
        plan = load_plan(str(resolve_plan_path(request.plan_id, self._plans_dir)), self._plans_dir)
        k = plan.kundval
        return PlacementPlan(
            plan_id=plan.id,
            plan_version=plan.version,
            language=plan.language,
            time_zone=plan.time_zone,
            rules=plan_calendar(plan, k.care_plan_reminder_days, plan.escalation),
            roles=plan.roles,
            administrator_role=plan.administrator_role,
            case_officer_role=k.case_officer_role or plan.administrator_role,
            care_plan_days=k.care_plan_days,
            switch_min_days=k.switch_min_days,
            switch_max_days=k.switch_max_days,
            choice_days=k.choice_days,
        )

    @activity.defn
    async def assign_provider(self, request: AssignRequest) -> Assignment:
        handle = self._client.get_workflow_handle(rotation_workflow_id(request.plan_id))
        try:
            result: Assignment = await handle.execute_update(
                ASSIGN_UPDATE, request, result_type=Assignment
            )
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            raise ApplicationError(
                str(getattr(cause, "message", None) or cause), non_retryable=True, type=REFUSED
            ) from None
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            raise ApplicationError(
                f"provider: no rotation list for {request.plan_id} (no provider approved yet)",
                non_retryable=True,
                type=REFUSED,
            ) from None
        # The placement names a sole trader by its opaque key in LovOrgNr
        # (models.domain.provider_id).
        return result.model_copy(update={"ref": self._ids.ref(result.org_nr)})

    @activity.defn
    async def record_placement(self, report: PlacementReport) -> None:
        w = report.write
        await self._store.upsert_placement(
            w.placement_id,
            customer_ref=w.customer_ref,
            area=w.area,
            service_type=w.service_type,
            granted_hours=w.granted_hours,
            decision_date=w.decision_date,
            status=w.status.value,
            org_nr=w.org_nr,
            pending_org_nr=w.pending_org_nr,
            provider_start=w.provider_start,
            care_plan_due=w.care_plan_due,
            care_plan_done_on=w.care_plan_done_on,
            care_plan_current=w.care_plan_current,
            end_date=w.end_date,
            at=w.at,
            plan_id=w.plan_id,
        )
        # The audit trail names the provider, never the customer reference.
        await self._store.record_audit(
            report.event_key,
            w.at,
            w.org_nr,
            w.placement_id,
            report.event,
            report.actor,
            dict(report.details),
        )

    # --- hooks (run inside other activities) ---------------------------------------------------

    async def contract_state_changed(self, record: ContractStateRecord) -> None:
        """A terminated contract: off the rotation lists, and its customers choose again.

        Runs inside `record_contract_state`, so the contract workflow's history is unchanged
        (and replay-safe); both steps are idempotent for that activity's retries.
        """
        t = record.termination
        if t is None:
            return
        contract = await self._store.get_contract(record.workflow_id)
        if contract is None:
            return
        await _signal(
            self._client,
            rotation_workflow_id(contract.plan_id),
            "provider_terminated",
            ProviderRemoval(org_nr=record.org_nr, reason=t.reason, actor=t.actor),
        )
        notice = ProviderTerminated(org_nr=record.org_nr, end_date=t.end_date)
        for placement_id in await self._store.current_placements(record.org_nr):
            if not await _signal(self._client, placement_id, "provider_terminated", notice):
                activity.logger.info("placement %s has ended", placement_id)

    async def provider_approved(
        self, plan_id: str, entry: RotationEntry, search_attributes: bool
    ) -> None:
        await signal_rotation_with_start(
            self._client, self._task_queue, plan_id, entry, search_attributes
        )
