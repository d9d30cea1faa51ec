"""The municipality's own tasks as the desk lists them (issue 19 + issue 17): from the records
(`municipal_tasks`, written by the municipal duties workflow at every change of state), so the
list and the start page answer while Temporal is down; titles from each plan. Registering a
task as done goes through services/municipal_tasks.py (`complete`).

Filters are checked here like the CLI's options: an unknown role, plan or state is an
ActionError naming the filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from models.messages.municipal import TaskState
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan
from models.records.store import RecordStore
from services.errors import ActionError
from services.municipal_tasks import plans_with_duties

NOT_DONE = ("open", "due", "overdue", "escalated")
LATE = ("overdue", "escalated")
# What each desk role has to act on, on the start page ("Att göra"): the administrator runs
# the follow-up and sees every task that is due or late; a manager the ones late (escalated
# tasks go to the owner's manager). Auditors and case officers have none of their own.
START_STATES: dict[str, tuple[str, ...]] = {
    "administrator": ("due", "overdue", "escalated"),
    "manager": LATE,
}


@dataclass(frozen=True, slots=True)
class TaskRow:
    plan_id: str
    task_id: str
    duty: str
    title: str
    description: str
    owner: str
    owner_title: str
    manager_title: str
    scope: str
    period: str
    org_nr: str | None
    provider_name: str | None
    due: date
    state: str
    escalated: bool
    done_on: date | None
    done_by: str | None
    result: str | None
    language: str

    @property
    def done(self) -> bool:
        return TaskState(self.state).done

    @property
    def closed(self) -> bool:
        """Done or cancelled: nothing to register."""
        return TaskState(self.state).closed

    @property
    def late(self) -> bool:
        return self.state in LATE


@dataclass(frozen=True, slots=True)
class TaskFilter:
    plan: str | None = None
    role: str | None = None
    state: str | None = None
    overdue: bool = False


def _plans(plans_dir: Path) -> dict[str, Plan]:
    return {p.id: p for p in plans_with_duties(plans_dir)}


def roles_of(plans_dir: Path) -> dict[str, str]:
    """Role key → title of every municipal role (for the filter's choices)."""
    found: dict[str, str] = {}
    for plan in _plans(plans_dir).values():
        found |= {k: r.title for k, r in plan.municipal.roles.items()}
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


def check_filter(
    plans_dir: Path, plan: str = "", role: str = "", state: str = "", overdue: str = ""
) -> TaskFilter:
    """The desk's filters from the query string; ActionError naming the one not known."""
    plans = _plans(plans_dir)
    if plan and plan not in plans:
        raise ActionError("plan", f"okänd plan med kommunens uppgifter: {plan[:60]!r}")
    if role and role not in roles_of(plans_dir):
        raise ActionError("role", f"okänd roll: {role[:60]!r}")
    if state and state not in {s.value for s in TaskState}:
        raise ActionError("state", f"okänt läge: {state[:60]!r}")
    return TaskFilter(plan or None, role or None, state or None, overdue in ("1", "on", "true"))


def _manager(plan: Plan, owner: str) -> str:
    role = plan.municipal.roles.get(owner)
    manager = role.manager if role is not None else None
    if manager in plan.municipal.roles:
        return plan.municipal.roles[manager].title
    if manager in plan.roles:
        return plan.roles[manager].title
    admin = plan.roles.get(plan.administrator_role)
    return admin.title if admin else (manager or "")


async def recorded_tasks(
    store: RecordStore, plans_dir: Path, found: TaskFilter | None = None
) -> list[TaskRow]:
    """Every recorded task matching `found`, by due date (the latest state the workflow wrote)."""
    found = found or TaskFilter()
    plans = _plans(plans_dir)
    names = await store.provider_names()
    rows = []
    for r in await store.list_municipal_tasks(found.plan, found.role):
        plan = plans.get(r.plan_id)
        if plan is None:
            try:
                plan = load_plan(r.plan_id, plans_dir)
            except PlanError:
                continue
        if found.state is not None and r.state != found.state:
            continue
        if found.overdue and r.state not in LATE:
            continue
        duties = {d.key: d for d in plan.municipal.duties}
        duty = duties.get(r.duty)
        role = plan.municipal.roles.get(r.owner)
        rows.append(
            TaskRow(
                plan_id=r.plan_id,
                task_id=r.task_id,
                duty=r.duty,
                title=duty.title if duty else r.duty,
                description=duty.description if duty else "",
                owner=r.owner,
                owner_title=role.title if role else r.owner,
                manager_title=_manager(plan, r.owner),
                scope=r.scope,
                period=r.period,
                org_nr=r.org_nr,
                provider_name=names.get(r.org_nr) if r.org_nr else None,
                due=r.due,
                state=r.state,
                escalated=r.escalated,
                done_on=r.done_on,
                done_by=r.done_by,
                result=r.result,
                language=plan.language,
            )
        )
    rows.sort(key=lambda t: (t.due, t.plan_id, t.task_id))
    return rows


async def start_tasks(store: RecordStore, plans_dir: Path, desk_role: str) -> list[TaskRow]:
    """The tasks for the start page of a user with `desk_role`: late first, then by due date."""
    states = START_STATES.get(desk_role, ())
    if not states:
        return []
    rows = [t for t in await recorded_tasks(store, plans_dir) if t.state in states]
    return sorted(rows, key=lambda t: (not t.late, t.due, t.task_id))


async def recorded_task(store: RecordStore, plans_dir: Path, plan: str, task_id: str) -> TaskRow:
    """One task; ActionError("task") when the records have none such."""
    for row in await recorded_tasks(store, plans_dir, TaskFilter(plan=plan)):
        if row.task_id == task_id:
            return row
    raise ActionError("task", "det finns ingen sådan uppgift")


__all__ = [
    "TaskFilter",
    "TaskRow",
    "check_filter",
    "recorded_task",
    "recorded_tasks",
    "roles_of",
    "start_tasks",
]
