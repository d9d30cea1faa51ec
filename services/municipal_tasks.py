"""The municipality's own tasks (issue 19): start the municipal duties workflows, list tasks,
register a task as done. One application layer for the CLI (`lov task`) and, later, the desk.

The workflow (`MunicipalDutiesWorkflow`, one per plan with municipal duties) is addressed by
name, so this layer needs no workflow module. Every check that can be made here is made before
anything is written or sent: a refused registration exits 2 naming the field, with no document
stored and no Update sent; the workflow's validator checks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.ids import municipal_duties_workflow_id
from models.messages.municipal import (
    MAX_FINDINGS,
    MAX_RESULT_CHARS,
    CompleteTaskRequest,
    MunicipalDutiesInput,
    MunicipalTasksStatus,
    TaskState,
    TaskView,
)
from models.plans.loader import PlanError, list_plans, load_plan
from models.plans.schema import Plan
from services.calls import checked, run_update
from services.documents import DocumentStore, Stored
from services.errors import ActionError

WORKFLOW = "MunicipalDutiesWorkflow"
OPEN_STATES = (TaskState.OPEN, TaskState.DUE, TaskState.OVERDUE, TaskState.ESCALATED)
LATE_STATES = (TaskState.OVERDUE, TaskState.ESCALATED)


def task_id_of(plan: Plan, duty: str, period: str, provider_part: str | None) -> str:
    """The id of a task of `duty` (a key of the plan's [municipal] duties) in `period`, at the
    provider named by `provider_part` (models.ids.id_part) for a per-provider duty; ActionError
    naming "task" or "provider" when they do not fit the plan."""
    try:
        found = plan.municipal.duty(duty)
    except KeyError:
        keys = ", ".join(d.key for d in plan.municipal.duties) or "none"
        raise ActionError(
            "task", f"no municipal duty {duty[:60]!r} in plan {plan.id} (duties: {keys})"
        ) from None
    if found.scope == "provider" and provider_part is None:
        raise ActionError("provider", f"required: {duty} is done at each provider")
    if found.scope == "municipality" and provider_part is not None:
        raise ActionError("provider", f"not used: {duty} is the municipality's own, at no provider")
    return f"{duty}-{period}" if provider_part is None else f"{duty}-{period}-{provider_part}"


def plans_with_duties(plans_dir: Path) -> list[Plan]:
    """The plans in `plans_dir` that define municipal duties (a plan that cannot be read is
    left out here; `lov plan check` reports it)."""
    found = []
    for plan_id in list_plans(plans_dir):
        try:
            plan = load_plan(plan_id, plans_dir)
        except PlanError:
            continue
        if plan.municipal.duties:
            found.append(plan)
    return found


async def ensure_started(client: Client, task_queue: str, plan_id: str) -> None:
    """Start the plan's municipal duties workflow unless it runs already (idempotent)."""
    try:
        await client.start_workflow(
            WORKFLOW,
            MunicipalDutiesInput(plan_id=plan_id),
            id=municipal_duties_workflow_id(plan_id),
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:
        pass


async def ensure_all(client: Client, task_queue: str, plans_dir: Path) -> list[str]:
    """Start the workflow of every plan with municipal duties (the worker and `lov serve` do
    this when they start); the plan ids."""
    started = []
    for plan in plans_with_duties(plans_dir):
        await ensure_started(client, task_queue, plan.id)
        started.append(plan.id)
    return started


async def providers_changed(client: Client, plan_id: str) -> None:
    """Tell the plan's workflow to read its providers again (a contract started or ended);
    nothing if it does not run."""
    try:
        await client.get_workflow_handle(municipal_duties_workflow_id(plan_id)).signal(
            "providers_changed"
        )
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise


def _plan(plan_id: str, plans_dir: Path) -> Plan:
    try:
        plan = load_plan(plan_id, plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    if not plan.municipal.duties:
        raise ActionError("plan", f"plan {plan.id} has no municipal duties")
    return plan


async def _status(client: Client, plan_id: str) -> MunicipalTasksStatus | None:
    handle: WorkflowHandle[object, object] = client.get_workflow_handle(
        municipal_duties_workflow_id(plan_id)
    )
    try:
        return await handle.query("status", result_type=MunicipalTasksStatus)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


@dataclass(frozen=True)
class PlanTask:
    plan_id: str
    task: TaskView
    # The plan's day where the workflow runs (simulated time in `lov simulate` and tests).
    today: date | None = None


async def list_tasks(
    client: Client,
    plans_dir: Path,
    *,
    plan: str | None = None,
    role: str | None = None,
    mine: bool = False,
    overdue: bool = False,
) -> list[PlanTask]:
    """Tasks of one plan or of every plan with municipal duties, by due date.

    `role`: tasks the role owns. `mine` (needs `role`): what the role has to act on now — its
    own tasks not done, and tasks escalated to it as the owner's manager. `overdue`: only
    tasks past their due date and not done."""
    if mine and role is None:
        raise ActionError("--role", "--mine needs --role ROLE (whose tasks)")
    plans = [_plan(plan, plans_dir)] if plan is not None else plans_with_duties(plans_dir)
    if role is not None and not any(role in p.municipal.roles or role in p.roles for p in plans):
        known = sorted({r for p in plans for r in p.municipal.roles})
        raise ActionError("--role", f"no such municipal role {role[:60]!r} (roles: {known})")
    found: list[PlanTask] = []
    for p in plans:
        status = await _status(client, p.id)
        for task in status.tasks if status else []:
            if role is not None and not _for_role(task, role, mine):
                continue
            if overdue and task.state not in LATE_STATES:
                continue
            found.append(PlanTask(p.id, task, status.today if status else None))
    found.sort(key=lambda t: (t.task.due, t.plan_id, t.task.task_id))
    return found


def _for_role(task: TaskView, role: str, mine: bool) -> bool:
    if not mine:
        return task.owner == role
    if task.state not in OPEN_STATES:
        return False
    return task.owner == role or (task.state is TaskState.ESCALATED and task.manager == role)


@dataclass(frozen=True)
class Completion:
    task_id: str
    done_on: date
    by: str
    result: str
    documents: list[Path]
    findings: list[str]
    # Documents uploaded in the desk: (file name, content), checked and stored like files.
    uploads: tuple[tuple[str, bytes], ...] = ()


async def _find(client: Client, plans_dir: Path, task_id: str, plan: str | None) -> PlanTask:
    for found in await list_tasks(client, plans_dir, plan=plan):
        if found.task.task_id == task_id:
            return found
    raise ActionError("task", f"no such municipal task {task_id[:80]!r}")


# The workflow validator's field names as the CLI names them.
_OPTIONS = {"task_id": "task", "done_on": "--date", "by": "--by", "result": "--result"}


def _check(completion: Completion, task: TaskView, today: date | None) -> None:
    if task.state.done:
        raise ActionError(
            "task",
            f"{task.task_id} is already done ({task.done_on.isoformat() if task.done_on else ''})",
        )
    if today is not None and completion.done_on > today:
        raise ActionError("--date", f"{completion.done_on.isoformat()} lies in the future")
    check_input(completion)


def check_input(completion: Completion) -> None:
    """What can be checked without the task: by whom, the result, the findings (`lov simulate`
    checks a scenario's task-done with it before anything runs)."""
    if not completion.by.strip():
        raise ActionError("--by", "must not be empty")
    if not completion.result.strip():
        raise ActionError("--result", "must not be empty")
    if len(completion.result) > MAX_RESULT_CHARS:
        raise ActionError("--result", f"at most {MAX_RESULT_CHARS} characters")
    if len(completion.findings) > MAX_FINDINGS:
        raise ActionError("--finding", f"at most {MAX_FINDINGS}")
    for finding in completion.findings:
        if not finding.strip() or len(finding) > MAX_RESULT_CHARS:
            raise ActionError("--finding", f"a note of 1–{MAX_RESULT_CHARS} characters")


def _read(
    documents: list[Path], store: DocumentStore, uploads: tuple[tuple[str, bytes], ...] = ()
) -> list[tuple[str, bytes]]:
    """Every document read and checked before any is stored: (file name, content)."""
    read: list[tuple[str, bytes]] = []
    for i, path in enumerate(documents):
        try:
            data = path.read_bytes()
        except OSError as err:
            raise ActionError(
                f"--document[{i}]", f"cannot read the file ({err.strerror})"
            ) from None
        store.check(f"document-{i + 1}", data)
        read.append((path.name, data))
    for name, data in uploads:
        store.check(f"document-{len(read) + 1}", data)
        read.append((name, data))
    return read


async def complete(
    client: Client,
    plans_dir: Path,
    documents: DocumentStore,
    completion: Completion,
    *,
    plan: str | None = None,
) -> TaskView:
    """Register a task as done: checked here (task known and not done, date not in the future,
    by whom, result, readable documents of an accepted kind), then the documents stored and
    the `complete_task` Update sent; documents written now are removed if it is refused."""
    found = await _find(client, plans_dir, completion.task_id, plan)
    # Outside `lov simulate` and tests the workflow's day is the real one; there the workflow's
    # own clock (the validator, at the Update) decides, as a query's may lag behind it.
    zone = ZoneInfo(load_plan(found.plan_id, plans_dir).time_zone)
    real_today = datetime.now(zone).date()
    _check(completion, found.task, real_today if found.today == real_today else None)
    files = _read(completion.documents, documents, completion.uploads)
    request = CompleteTaskRequest(
        task_id=completion.task_id,
        done_on=completion.done_on,
        by=completion.by,
        result=completion.result,
        documents=[],
        findings=list(completion.findings),
    )
    checked(request)
    stored: list[Stored] = [
        documents.put(f"document-{i + 1}", name, data) for i, (name, data) in enumerate(files)
    ]
    request = request.model_copy(update={"documents": [s.ref.sha256 for s in stored]})
    handle = client.get_workflow_handle(municipal_duties_workflow_id(found.plan_id))
    try:
        return await run_update(handle, "complete_task", request, TaskView)
    except ActionError as err:
        documents.discard(stored)
        raise ActionError(_OPTIONS.get(err.field, err.field), err.message) from None
    except BaseException:
        documents.discard(stored)
        raise


__all__ = [
    "Completion",
    "check_input",
    "PlanTask",
    "complete",
    "ensure_all",
    "ensure_started",
    "list_tasks",
    "plans_with_duties",
    "providers_changed",
    "task_id_of",
]
