"""The municipality's own tasks (issue 19): each task's current state, written by the municipal
duties workflow, read by `lov task list` (when asked for the records) and the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, select, update

from models.records.keyed import KeyedStore, _given, _one_of
from models.records.tables import TASK_STATES, Contract, MunicipalTask, Provider

# States a task leaves no more (models.messages.municipal.TaskState.closed).
CLOSED_STATES = ("done-on-time", "done-late", "cancelled")


@dataclass(frozen=True, slots=True)
class MunicipalTaskRecord:
    plan_id: str
    task_id: str
    duty: str
    owner: str
    scope: str
    org_nr: str | None
    period: str
    due: date
    state: str
    escalated: bool
    done_on: date | None
    done_by: str | None
    result: str | None
    late: bool | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PlanProvider:
    """A provider with a contract under a plan (its latest under that plan)."""

    org_nr: str
    name: str
    workflow_id: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class TaskTotal:
    """A role's tasks of a year under a plan: done on time, done late, not done (of which
    escalated to its manager). Cancelled tasks are none of these."""

    plan_id: str
    owner: str
    done_on_time: int
    done_late: int
    not_done: int
    escalated: int


class MunicipalTaskRecords(KeyedStore):
    async def upsert_municipal_task(
        self,
        plan_id: str,
        task_id: str,
        at: datetime,
        *,
        duty: str,
        owner: str,
        scope: str,
        org_nr: str | None,
        period: str,
        due: date,
        state: str,
        escalated: bool,
        done_on: date | None = None,
        done_by: str | None = None,
        result: str | None = None,
        late: bool | None = None,
    ) -> bool:
        """The task's current state (absolute values: a repeat is a no-op); False if a newer
        state is already recorded."""
        _one_of("task state", state, TASK_STATES)
        changing = {
            "state": state,
            "escalated": escalated,
            "done_on": done_on,
            "done_by": done_by,
            "result": result,
            "late": late,
        }
        values = {
            **changing,
            "plan_id": plan_id,
            "task_id": task_id,
            "duty": duty,
            "owner": owner,
            "scope": scope,
            "org_nr": org_nr,
            "period": period,
            "due": due,
        }
        key = and_(MunicipalTask.plan_id == plan_id, MunicipalTask.task_id == task_id)
        return await self._upsert(MunicipalTask, key, values, changing, at)

    async def cancel_municipal_task(self, plan_id: str, task_id: str, at: datetime) -> bool:
        """Marks a task that no longer exists `cancelled` (its provider's contract ended before
        it was due); the row stays for the auditors. False if there is no such row, or it is
        already cancelled or done (a repeat is a no-op; a done task stays done)."""
        statement = (
            update(MunicipalTask)
            .where(
                MunicipalTask.plan_id == plan_id,
                MunicipalTask.task_id == task_id,
                MunicipalTask.state.not_in(CLOSED_STATES),
            )
            .values(state="cancelled", updated_at=at)
        )
        async with self._transaction() as session:
            return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]

    async def list_municipal_tasks(
        self, plan_id: str | None = None, owner: str | None = None
    ) -> list[MunicipalTaskRecord]:
        query = (
            select(MunicipalTask)
            .where(*_given((MunicipalTask.plan_id, plan_id), (MunicipalTask.owner, owner)))
            .order_by(MunicipalTask.due, MunicipalTask.task_id)
        )
        return await self._snapshots(MunicipalTaskRecord, query)

    async def plan_providers(self, plan_id: str) -> list[PlanProvider]:
        """Providers with a contract under `plan_id`, by org nr (the latest such contract)."""
        rows = await self._all(
            select(
                Provider.org_nr,
                Provider.name,
                Contract.workflow_id,
                Contract.start_date,
                Contract.end_date,
            )
            .join(Contract, Contract.org_nr == Provider.org_nr)
            .where(Contract.plan_id == plan_id)
            .order_by(Provider.org_nr, Contract.start_date, Contract.id)
        )
        latest: dict[str, PlanProvider] = {}
        for org_nr, name, workflow_id, start_date, end_date in rows:
            latest[org_nr] = PlanProvider(org_nr, name, workflow_id, start_date, end_date)
        return list(latest.values())

    async def municipal_task_totals(self, year: int, plan_id: str | None = None) -> list[TaskTotal]:
        """Per plan and owner role, the tasks due in `year` (for the reports)."""
        rows = await self._all(
            select(MunicipalTask.plan_id, MunicipalTask.owner, MunicipalTask.state)
            .where(
                MunicipalTask.due >= date(year, 1, 1),
                MunicipalTask.due <= date(year, 12, 31),
                *_given((MunicipalTask.plan_id, plan_id)),
            )
            .order_by(MunicipalTask.plan_id, MunicipalTask.owner)
        )
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for plan, owner, state in rows:
            found = counts.setdefault((plan, owner), {})
            found[state] = found.get(state, 0) + 1
        return [
            TaskTotal(
                plan_id=plan,
                owner=owner,
                done_on_time=c.get("done-on-time", 0),
                done_late=c.get("done-late", 0),
                not_done=sum(n for s, n in c.items() if s not in CLOSED_STATES),
                escalated=c.get("escalated", 0),
            )
            for (plan, owner), c in counts.items()
        ]
