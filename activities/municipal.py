"""Municipal duties activities (issue 19): the plan's municipal duties dated for a year, the
providers a per-provider duty is done at (from the records), and each task's state recorded.

Reading the plan file and the holiday tables happens here, outside workflow code, as for the
contract's year (activities/plans.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from temporalio import activity

from activities.plans import plan_calendar
from models.domain.municipal_calendar import current_year, municipal_tasks, year_starts_at
from models.ids import CONTRACT_PREFIX
from models.messages.municipal import (
    ActiveProvider,
    LoadMunicipalYear,
    MunicipalRoleInfo,
    MunicipalTask,
    MunicipalTaskWrite,
    MunicipalYear,
    ProviderRefresh,
    ProviderRefreshRequest,
    ProviderTasksRequest,
    RemoveTaskRequest,
)
from models.plans.loader import load_plan, resolve_plan_path
from models.plans.schema import Plan
from models.records.store import RecordStore


def _roles(plan: Plan) -> dict[str, MunicipalRoleInfo]:
    """The municipal roles, and the plan roles they escalate to (a manager may be either)."""
    found = {key: MunicipalRoleInfo(title=r.title, email=r.email) for key, r in plan.roles.items()}
    for key, role in plan.municipal.roles.items():
        found[key] = MunicipalRoleInfo(title=role.title, email=role.email, manager=role.manager)
    return found


def _from(tasks: list[MunicipalTask], at: datetime) -> list[MunicipalTask]:
    """The tasks to follow from `at` on: none whose day passed before the workflow knew of it
    (a plan or a contract registered late is not chased for what was due before), and no
    reminder that was due before `at` (a workflow started in December does not send the
    autumn's reminders at once)."""
    return [
        t.model_copy(update={"reminders_sent": sum(1 for r in t.reminders if r <= at)})
        for t in tasks
        if t.deadline > at
    ]


class MunicipalActivities:
    def __init__(self, plans_dir: Path, store: RecordStore) -> None:
        self._plans_dir = plans_dir
        self._store = store

    def _plan(self, plan_id: str) -> Plan:
        return load_plan(str(resolve_plan_path(plan_id, self._plans_dir)), self._plans_dir)

    async def _providers(self, plan_id: str) -> list[ActiveProvider]:
        return [
            ActiveProvider(
                org_nr=p.org_nr,
                name=p.name,
                part=p.workflow_id.removeprefix(CONTRACT_PREFIX),
                contract_start=p.start_date,
                end_date=p.end_date,
            )
            for p in await self._store.plan_providers(plan_id)
        ]

    @activity.defn
    async def load_municipal_year(self, request: LoadMunicipalYear) -> MunicipalYear:
        plan = self._plan(request.plan_id)
        year = request.year or current_year(plan, request.at)
        providers = await self._providers(plan.id)
        return MunicipalYear(
            plan_id=plan.id,
            plan_version=plan.version,
            language=plan.language,
            year=year,
            time_zone=plan.time_zone,
            administrator_role=plan.administrator_role,
            roles=_roles(plan),
            calendar=plan_calendar(plan, plan.reminder_offsets_days, ()),
            tasks=_from(municipal_tasks(plan, year, providers), request.at),
            next_year_at=year_starts_at(plan, year + 1),
        )

    @activity.defn
    async def municipal_provider_tasks(self, request: ProviderTasksRequest) -> list[MunicipalTask]:
        plan = self._plan(request.plan_id)
        providers = await self._providers(plan.id)
        return _from(municipal_tasks(plan, request.year, providers, scope="provider"), request.at)

    @activity.defn
    async def municipal_provider_refresh(self, request: ProviderRefreshRequest) -> ProviderRefresh:
        plan = self._plan(request.plan_id)
        providers = await self._providers(plan.id)
        tasks = municipal_tasks(plan, request.year, providers, scope="provider")
        # Next year's tasks with a reminder before 1 January, added by the refresh before it
        # (the first of the month): the year's run reminds of them in December, and the next
        # run finds them carried and does not date them again.
        early = [
            t
            for t in _from(municipal_tasks(plan, request.year + 1, providers), request.at)
            if any(request.at < r < request.reminders_before for r in t.reminders)
        ]
        return ProviderRefresh(providers=providers, tasks=_from(tasks, request.at), early=early)

    @activity.defn
    async def remove_municipal_task(self, request: RemoveTaskRequest) -> bool:
        # Named for what it once did (it is in recorded histories): it now keeps the row, in
        # state `cancelled`. Stamped with when the workflow scheduled it, the same on a retry.
        at = activity.info().scheduled_time
        return await self._store.cancel_municipal_task(request.plan_id, request.task_id, at)

    @activity.defn
    async def record_municipal_task(self, write: MunicipalTaskWrite) -> bool:
        return await self._store.upsert_municipal_task(
            write.plan_id,
            write.task_id,
            write.at,
            duty=write.duty,
            owner=write.owner,
            scope=write.scope,
            org_nr=write.org_nr,
            period=write.period,
            due=write.due,
            state=write.state,
            escalated=write.escalated,
            done_on=write.done_on,
            done_by=write.done_by,
            result=write.result,
            late=write.late,
        )
