"""Rotation workflow: the municipality's turordningslistor (`rotation-<plan>`), one per
area and service type, and the set of providers approved for each.

One workflow owns every list, so assignments are serialized: concurrent placements are handed
out strictly in turn, and the lists survive restarts because they are workflow state. Providers
join when their application is approved (a signal from the approval activity) or by an
administrator, and leave on termination (a signal from the termination hook) or by an
administrator. Placement workflows report their state here, which gives the per-provider
statistics query. History is bounded by continuing as new with the state as input.
"""

from __future__ import annotations

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.domain.contract_state import has_started
    from models.ids import list_key
    from models.messages.placement import (
        Assignment,
        AssignRequest,
        PlacementSummary,
        ProviderRemoval,
        ProviderStatistics,
        RotationEntry,
        RotationInput,
        RotationQueue,
        RotationStatus,
        statistics,
    )
    from models.runtime import search_attributes as sa
    from workflows.common import FollowedPlan, until_handlers_finished
    from workflows.validation import require, require_org_nr, require_text, require_valid

# Continue as new after this many changes (or earlier when the server suggests it).
MAX_CHANGES = 2000
# Idempotency keys of assignments kept (a retried activity arrives within minutes, not months).
KEEP_GIVEN = 1000


@workflow.defn
class RotationWorkflow:
    @workflow.init
    def __init__(self, inp: RotationInput) -> None:
        self._in = inp
        self._lists: dict[str, RotationQueue] = dict(inp.lists)
        self._names: dict[str, str] = dict(inp.names)
        self._given: dict[str, Assignment] = dict(inp.given)
        self._placements: dict[str, PlacementSummary] = dict(inp.placements)
        self._starts: dict[str, date] = dict(inp.starts)
        self._changes = 0

    @workflow.run
    async def run(self, inp: RotationInput) -> None:
        if inp.search_attributes:
            workflow.upsert_search_attributes([sa.KIND.value_set("rotation")])
        await workflow.wait_condition(
            lambda: self._changes >= MAX_CHANGES or workflow.info().is_continue_as_new_suggested()
        )
        await until_handlers_finished()
        workflow.continue_as_new(
            RotationInput(
                plan_id=inp.plan_id,
                search_attributes=inp.search_attributes,
                lists=self._lists,
                names=self._names,
                given=dict(list(self._given.items())[-KEEP_GIVEN:]),
                placements={k: v for k, v in self._placements.items() if v.active},
                starts=self._starts,
            )
        )

    # --- assignment -----------------------------------------------------------------------------

    @workflow.update
    def assign(self, request: AssignRequest) -> Assignment:
        earlier = self._given.get(request.key)
        if earlier is not None:
            return earlier  # a retried activity: the list moved on once already
        key = list_key(request.area, request.service_type)
        queue = self._lists[key]
        if request.chosen is not None:
            result = Assignment(
                org_nr=request.chosen,
                name=self._names.get(request.chosen, ""),
                via="choice",
                sequence=0,
            )
        else:
            org_nr, self._lists[key] = queue.take_turn(
                exclude=request.exclude, skip=self._not_started(queue, request.on)
            )
            result = Assignment(
                org_nr=org_nr,
                name=self._names.get(org_nr, ""),
                via="rotation",
                sequence=self._lists[key].assigned,
            )
        self._given[request.key] = result
        self._changes += 1
        return result

    @assign.validator
    def _validate_assign(self, request: AssignRequest) -> None:
        require_text(request.key, "key")
        require_valid(request)
        if request.key in self._given:
            return
        for value in (request.chosen, request.exclude):
            if value is not None:
                require_org_nr(value, "provider")
        key = list_key(request.area, request.service_type)
        queue = self._lists.get(key)
        where = f"{request.area} / {request.service_type}"
        require(
            queue is not None and bool(queue.providers),
            f"provider: no approved provider for {where}",
        )
        assert queue is not None
        if request.chosen is not None:
            require(
                request.chosen in queue.providers,
                f"provider: {request.chosen} is not approved for {where}"
                f" (approved: {', '.join(sorted(queue.providers))})",
            )
            require(
                request.chosen != request.exclude,
                f"provider: {request.chosen} is already the customer's provider",
            )
            starts = self._starts.get(request.chosen)
            require(
                has_started(starts, request.on),
                f"provider: {request.chosen}'s contract starts {starts}, after {request.on}",
            )
        else:
            skip = self._not_started(queue, request.on)
            others = [p for p in queue.providers if p != request.exclude and p not in skip]
            require(
                bool(others),
                f"provider: no other approved provider for {where}"
                + (f" whose contract has started by {request.on}" if skip else ""),
            )

    # --- the lists --------------------------------------------------------------------------------

    @workflow.update
    def add_provider(self, entry: RotationEntry) -> RotationStatus:
        self._add(entry)
        return self.status()

    @add_provider.validator
    def _validate_add(self, entry: RotationEntry) -> None:
        require_org_nr(entry.org_nr, "org_nr")
        require_valid(entry)
        require_text(entry.area, "area")
        require_text(entry.service_type, "service_type")
        queue = self._lists.get(list_key(entry.area, entry.service_type))
        require(
            queue is None or entry.org_nr not in queue.providers,
            f"org_nr: {entry.org_nr} is already on the list for {entry.area} / "
            f"{entry.service_type}",
        )

    @workflow.update
    def remove_provider(self, removal: ProviderRemoval) -> RotationStatus:
        self._remove(removal)
        return self.status()

    @remove_provider.validator
    def _validate_remove(self, removal: ProviderRemoval) -> None:
        require_org_nr(removal.org_nr, "org_nr")
        require_valid(removal)
        require(
            any(removal.org_nr in q.providers for q in self._matching(removal)),
            f"org_nr: {removal.org_nr} is not on "
            + (
                f"the list for {removal.area} / {removal.service_type}"
                if removal.area
                else "any rotation list"
            ),
        )

    @workflow.signal
    def provider_approved(self, entry: RotationEntry) -> None:
        """From the approval activity: idempotent (a provider already listed stays put)."""
        self._add(entry)

    @workflow.signal
    def provider_terminated(self, removal: ProviderRemoval) -> None:
        """From the termination hook: off every list, idempotently."""
        self._remove(removal)

    @workflow.signal
    def placement_changed(self, summary: PlacementSummary) -> None:
        if summary.active:
            self._placements[summary.placement_id] = summary
        else:
            self._placements.pop(summary.placement_id, None)
        self._changes += 1

    # --- queries ----------------------------------------------------------------------------------

    def followed_plan(self) -> FollowedPlan:
        """workflows.common.FollowsPlan: where a record refused for good is reported."""
        return self._in.plan_id, None

    @workflow.query
    def status(self) -> RotationStatus:
        return RotationStatus(
            workflow_id=workflow.info().workflow_id,
            plan_id=self._in.plan_id,
            lists=[self._lists[k] for k in sorted(self._lists)],
            names=dict(self._names),
        )

    @workflow.query
    def statistics(self) -> list[ProviderStatistics]:
        return statistics(list(self._placements.values()), self._names)

    # --- helpers ----------------------------------------------------------------------------------

    def _not_started(self, queue: RotationQueue, on: date | None) -> frozenset[str]:
        """Providers on `queue` whose contract starts after `on` (none when `on` is None)."""
        return frozenset(p for p in queue.providers if not has_started(self._starts.get(p), on))

    def _add(self, entry: RotationEntry) -> None:
        if entry.starts_on is not None:
            self._starts[entry.org_nr] = entry.starts_on
        key = list_key(entry.area, entry.service_type)
        queue = self._lists.get(key) or RotationQueue(
            area=entry.area.strip(), service_type=entry.service_type.strip()
        )
        self._lists[key] = queue.with_provider(entry.org_nr)
        if entry.name:
            self._names[entry.org_nr] = entry.name
        self._changes += 1

    def _matching(self, removal: ProviderRemoval) -> list[RotationQueue]:
        if removal.area and removal.service_type:
            queue = self._lists.get(list_key(removal.area, removal.service_type))
            return [queue] if queue else []
        return list(self._lists.values())

    def _remove(self, removal: ProviderRemoval) -> None:
        for queue in self._matching(removal):
            key = list_key(queue.area, queue.service_type)
            self._lists[key] = queue.without(removal.org_nr)
        self._changes += 1
