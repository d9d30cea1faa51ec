"""Opening obligation workflows, from an activity rather than as child workflows.

An obligation outlives the yearly contract run that opened it (continue-as-new) and even the
contract itself (termination), so it is an independent workflow, not a child: no parent-close
policy to get right, no completion event sent to a run that has long closed, and one activity
in the contract's history instead of a child-start per occurrence. Starting is idempotent: an
obligation that is already open (a retried activity) is left as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import activity
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.domain.provider_id import ProviderIds
from models.ids import (
    contract_workflow_id,
    meeting_workflow_id,
    obligation_workflow_id,
    search_value,
)
from models.messages.application import StartContract
from models.messages.contract import ContractInput, OpenObligations
from models.messages.meeting import MeetingInput
from models.messages.obligation import ObligationInput
from models.messages.placement import RotationEntry
from models.runtime import search_attributes as sa
from models.runtime.contract_start import start_contract_workflow
from models.runtime.municipal_signal import providers_changed


def _search_attributes(inp: ObligationInput) -> TypedSearchAttributes:
    occ = inp.occurrence
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.KIND, "obligation"),
            SearchAttributePair(sa.ORG_NR, search_value(inp.org_nr, inp.provider_ref)),
            SearchAttributePair(sa.OBLIGATION, occ.obligation),
            SearchAttributePair(sa.PERIOD, occ.period),
            SearchAttributePair(sa.STATUS, "upcoming"),
            SearchAttributePair(sa.OVERDUE, False),
            SearchAttributePair(sa.ESCALATION_LEVEL, 0),
            SearchAttributePair(sa.DUE, occ.schedule.deadline),
        ]
    )


def _meeting_search_attributes(inp: MeetingInput) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.KIND, "meeting"),
            SearchAttributePair(sa.ORG_NR, search_value(inp.org_nr, inp.provider_ref)),
            SearchAttributePair(sa.PERIOD, inp.window.period),
            SearchAttributePair(sa.STATUS, "unscheduled"),
            SearchAttributePair(sa.DUE, inp.window.deadline),
        ]
    )


ApprovedHook = Callable[[str, RotationEntry, bool], Awaitable[None]]

# Start requests in flight at once per activity: a year's obligations and meetings (about ten
# for Sundsvall) go out together instead of one round trip after another, without flooding the
# server when thousands of contracts prepare their year on the same night.
START_CONCURRENCY = 16

# Workflows are started by their type name, never by importing their class: workflow modules
# import these activities (layer rule, tests/system/test_layers.py), so importing them back
# would be a cycle. The names are in every stored history: they never change.
OBLIGATION_WORKFLOW = "ObligationWorkflow"
MEETING_WORKFLOW = "MeetingWorkflow"


async def _bounded(calls: list[Callable[[], Awaitable[str | None]]]) -> list[str]:
    """Run the start calls, at most START_CONCURRENCY at once; the ids started, in order."""
    gate = asyncio.Semaphore(START_CONCURRENCY)

    async def one(start: Callable[[], Awaitable[str | None]]) -> str | None:
        async with gate:
            return await start()

    return [wid for wid in await asyncio.gather(*(one(c) for c in calls)) if wid]


class OpeningActivities:
    def __init__(
        self,
        client: Client,
        task_queue: str,
        on_approved: ApprovedHook | None = None,
        ids: ProviderIds | None = None,
    ) -> None:
        self._client = client
        self._task_queue = task_queue
        self._ids = ids or ProviderIds()
        # The approved provider joins the rotation lists (activities.placement).
        self._on_approved = on_approved

    @activity.defn
    async def open_obligations(self, request: OpenObligations) -> list[str]:
        """Starts each obligation (and meeting) workflow not yet started; returns the ids it
        started."""
        calls = [self._start_obligation(inp) for inp in request.obligations]
        calls += [self._start_meeting(inp) for inp in request.meetings]
        return await _bounded(calls)

    def _start_obligation(self, inp: ObligationInput) -> Callable[[], Awaitable[str | None]]:
        occ = inp.occurrence
        wid = obligation_workflow_id(inp.org_nr, occ.obligation, occ.period, inp.provider_ref)

        async def start() -> str | None:
            try:
                await self._client.start_workflow(
                    OBLIGATION_WORKFLOW,
                    inp,
                    id=wid,
                    task_queue=self._task_queue,
                    search_attributes=_search_attributes(inp) if inp.search_attributes else None,
                )
                return wid
            except WorkflowAlreadyStartedError:
                activity.logger.info("obligation %s already open", wid)
                return None

        return start

    def _start_meeting(self, inp: MeetingInput) -> Callable[[], Awaitable[str | None]]:
        wid = meeting_workflow_id(inp.org_nr, inp.window.period, inp.provider_ref)

        async def start() -> str | None:
            try:
                await self._client.start_workflow(
                    MEETING_WORKFLOW,
                    inp,
                    id=wid,
                    task_queue=self._task_queue,
                    # A meeting that has been held (and closed) must not start over when an
                    # activity is retried: one meeting per window, ever.
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    search_attributes=(
                        _meeting_search_attributes(inp) if inp.search_attributes else None
                    ),
                )
                return wid
            except WorkflowAlreadyStartedError:
                activity.logger.info("meeting %s already open", wid)
                return None

        return start

    @activity.defn
    async def start_contract(self, request: StartContract) -> str:
        """An approved application's contract. Not a child: it outlives the application."""
        inp = ContractInput(
            provider=request.provider,
            contract_start=request.contract_start,
            plan_id=request.plan_id,
            search_attributes=request.search_attributes,
            actor=request.actor,
        )
        # ProviderIdError (the worker has no key): retried until the key is configured.
        ref = self._ids.ref(request.provider.org_nr)
        try:
            wid = await start_contract_workflow(self._client, self._task_queue, inp, ref)
        except WorkflowAlreadyStartedError:
            # A retry after the start went through (or a contract started by hand meanwhile):
            # either way the provider has its running contract. (Not the org nr in the log: it
            # may be a personnummer.)
            wid = contract_workflow_id(request.provider.org_nr, ref)
            activity.logger.info("contract %s already running", wid)
        # The plan's municipal duties get the provider's tasks now (best effort, by name).
        await providers_changed(self._client, request.plan_id)
        if self._on_approved is not None:
            # Idempotent: a provider already on a list keeps its place there.
            for area in request.areas:
                for service in request.service_types:
                    entry = RotationEntry(
                        org_nr=request.provider.org_nr,
                        name=request.provider.name,
                        area=area,
                        service_type=service,
                        starts_on=request.contract_start,
                    )
                    await self._on_approved(request.plan_id, entry, request.search_attributes)
        return wid
