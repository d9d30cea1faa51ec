"""Municipal duties workflow (issue 19): the municipality's own follow-up tasks under one plan
(`municipal-duties-<plan>`), e.g. a tillsynsbesök at each provider and the yearly
kundundersökning, each owned by a municipal role.

Each run covers one calendar year: it dates the year's tasks through an activity (the plan file
and the holiday tables stay out of workflow code), reminds the owner role before each due date,
escalates a task still not done to the owner's manager after the plan's days, and continues as
new on 1 January with the tasks still open. `complete_task` (an Update with a validator)
registers what was done; the `status` query lists every task with its state.

Per-provider tasks need the providers under the plan: read from the records when the year
starts, again on the first of every month (a contract started since gets its tasks) and when
the `providers_changed` signal asks. The contract workflow is not involved.

Since LIFECYCLE_PATCH a refresh also cancels the open tasks at a provider that is gone (its
contract ended before the task was due, starts only after it, or is not under the plan): they
leave the list and the task records, are audited ("municipal-task-cancelled") and get no more
reminders or escalations. The stored task states (models.records.tables.TASK_STATES, a CHECK
constraint) have no "cancelled", so the row is removed rather than given a state reports would
count as done or not done. A refresh is made at the start of every year too, and it adds the
next year's tasks whose reminders fall before 1 January (a visit due in mid-January is reminded
of in December; the next run finds them carried). The `providers_changed` signal (sent by the
application layer when a contract under the plan starts or ends) reads the providers at once and
once more a minute later: a new contract workflow records its contract by an activity that may
not have run when the signal arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.municipal import MunicipalActivities
    from models.domain.municipal_providers import gone_reason
    from models.messages.municipal import (
        MAX_FINDINGS,
        MAX_RESULT_CHARS,
        ActiveProvider,
        CompleteTaskRequest,
        LoadMunicipalYear,
        MunicipalDutiesInput,
        MunicipalTask,
        MunicipalTasksStatus,
        MunicipalTaskWrite,
        MunicipalYear,
        ProviderRefresh,
        ProviderRefreshRequest,
        ProviderTasksRequest,
        RemoveTaskRequest,
        TaskCompletion,
        TaskState,
        TaskView,
    )
    from models.plans.schema import Role
    from workflows.common import FollowedPlan, call, local_time, local_today
    from workflows.mail import ProviderUnderPlan, mail_request
    from workflows.office_hours import HeldMail
    from workflows.records import record_audit
    from workflows.validation import require, require_text, require_valid

SHA256_HEX = frozenset("0123456789abcdef")
# Refreshes cancel the tasks of providers that are gone and add next year's early tasks; a
# `providers_changed` signal is followed by a second read a minute later.
LIFECYCLE_PATCH = "municipal-provider-lifecycle"
SECOND_READ_AFTER = timedelta(minutes=1)


def _month_after(at: datetime, time_zone: str) -> datetime:
    """The first instant of the next local month: when the providers are read again."""
    local = local_time(at, time_zone)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


@workflow.defn
class MunicipalDutiesWorkflow:
    @workflow.init
    def __init__(self, inp: MunicipalDutiesInput) -> None:
        self._in = inp
        self._tasks: dict[str, MunicipalTask] = {t.task_id: t for t in inp.carried}
        self._year: MunicipalYear | None = None
        self._recorded: dict[str, TaskState] = {}
        self._revision = 0
        self._refresh = False
        # After a `providers_changed` signal: when to read the providers once more.
        self._second_read_at: datetime | None = None
        self._held_mail = HeldMail()

    def followed_plan(self) -> FollowedPlan:
        return self._in.plan_id, None

    @workflow.run
    async def run(self, inp: MunicipalDutiesInput) -> None:
        year = await call(
            MunicipalActivities.load_municipal_year,
            LoadMunicipalYear(plan_id=inp.plan_id, year=inp.year, at=workflow.now()),
        )
        self._year = year
        self._add(year.tasks)
        await self._record_changes()
        refresh_at = _month_after(workflow.now(), year.time_zone)
        if workflow.patched(LIFECYCLE_PATCH):
            self._refresh = True  # next year's early tasks, and providers gone meanwhile
        while workflow.now() < year.next_year_at:
            second_read = self._second_read_at
            if second_read is not None and workflow.now() >= second_read:
                self._second_read_at = None
                self._refresh = True
            if self._refresh or workflow.now() >= refresh_at:
                self._refresh = False
                refresh_at = _month_after(workflow.now(), year.time_zone)
                if workflow.patched(LIFECYCLE_PATCH):
                    await self._refresh_providers(year, min(refresh_at, year.next_year_at))
                else:
                    self._add(
                        await call(
                            MunicipalActivities.municipal_provider_tasks,
                            ProviderTasksRequest(
                                plan_id=inp.plan_id, year=year.year, at=workflow.now()
                            ),
                        )
                    )
            await self._timed_steps()
            await self._record_changes()
            second = [self._second_read_at] if self._second_read_at is not None else []
            target = min([year.next_year_at, refresh_at, *second, *self._next_steps()])
            delay = target - workflow.now()
            if delay <= timedelta(0):
                continue
            try:
                await workflow.wait_condition(self._changed_since(self._revision), timeout=delay)
            except TimeoutError:
                pass
        await self._held_mail.settled()
        await self._record_changes()
        workflow.continue_as_new(
            MunicipalDutiesInput(
                plan_id=inp.plan_id,
                year=year.year + 1,
                carried=[t for t in self._tasks.values() if t.completion is None],
            )
        )

    # --- the year's tasks -------------------------------------------------------------------------

    def _changed_since(self, revision: int) -> Callable[[], bool]:
        return lambda: self._revision != revision

    def _add(self, tasks: list[MunicipalTask]) -> None:
        for task in tasks:
            self._tasks.setdefault(task.task_id, task)

    async def _refresh_providers(self, year: MunicipalYear, until: datetime) -> None:
        """The providers read again: new ones' tasks added, gone ones' open tasks cancelled;
        next year's tasks with a reminder before `until` (the next refresh) added."""
        found: ProviderRefresh = await call(
            MunicipalActivities.municipal_provider_refresh,
            ProviderRefreshRequest(
                plan_id=self._in.plan_id,
                year=year.year,
                at=workflow.now(),
                reminders_before=until,
            ),
        )
        providers = found.providers
        self._add([t for t in found.tasks + found.early if gone_reason(t, providers) is None])
        for task_id in sorted(self._tasks):
            task = self._tasks.get(task_id)
            reason = gone_reason(task, providers) if task is not None else None
            if reason is not None:
                await self._cancel(task_id, reason, providers)

    async def _cancel(self, task_id: str, reason: str, providers: list[ActiveProvider]) -> None:
        task = self._tasks.pop(task_id)
        self._recorded.pop(task_id, None)
        self._revision += 1
        ends = [p.end_date for p in providers if p.org_nr == task.org_nr and p.end_date]
        details: dict[str, Any] = {"reason": reason, "due": task.due.isoformat()}
        if ends:
            details["end_date"] = ends[0].isoformat()
        await self._audit(task, "cancelled", "municipal-task-cancelled", "system", details)
        await call(
            MunicipalActivities.remove_municipal_task,
            RemoveTaskRequest(plan_id=self._in.plan_id, task_id=task_id),
        )

    def _next_steps(self) -> list[datetime]:
        """The next reminder, deadline or escalation of each task not done."""
        now = workflow.now()
        found: list[datetime] = []
        for task in self._tasks.values():
            if task.completion is not None or task.escalated:
                continue
            pending = [r for r in task.reminders[task.reminders_sent :] if r > now]
            found += pending[:1] + [t for t in (task.deadline, task.escalate_at) if t > now]
        return found

    async def _timed_steps(self) -> None:
        """Reminders and escalations whose time has come, in task order. A task is read again
        after every await: `complete_task` may have registered it meanwhile."""
        now = workflow.now()
        for task_id in sorted(self._tasks, key=lambda k: (self._tasks[k].due, k)):
            task = self._tasks[task_id]
            passed = sum(1 for r in task.reminders if r <= now)
            if task.completion is None and passed > task.reminders_sent:
                self._tasks[task_id] = task = task.model_copy(update={"reminders_sent": passed})
                # Only the latest reminder that has come due, and none once the day has passed
                # (a year loaded late does not send the reminders it missed).
                if now < task.deadline:
                    await self._remind(task, passed)
            task = self._tasks[task_id]
            if task.completion is None and not task.escalated and now >= task.escalate_at:
                self._tasks[task_id] = task = task.model_copy(update={"escalated": True})
                await self._escalate(task)

    # --- e-mail

    def _roles(self) -> dict[str, Role]:
        assert self._year is not None
        return {k: Role(title=r.title, email=r.email) for k, r in self._year.roles.items()}

    def _manager(self, task: MunicipalTask) -> str:
        assert self._year is not None
        role = self._year.roles.get(task.owner)
        manager = role.manager if role is not None else None
        return manager if manager in self._year.roles else self._year.administrator_role

    def _context(self, task: MunicipalTask) -> dict[str, Any]:
        assert self._year is not None
        roles = self._year.roles
        owner = roles.get(task.owner)
        manager = roles[self._manager(task)]
        return {
            "title": task.title,
            "description": task.description,
            "provider_name": task.provider_name or "",
            "org_nr": task.org_nr or "",
            "due": task.due.isoformat(),
            "escalate_on": local_time(task.escalate_at, self._year.time_zone).date().isoformat(),
            "owner_title": owner.title if owner else task.owner,
            "owner_email": owner.email if owner else "",
            "manager_title": manager.title,
            "manager_email": manager.email,
        }

    async def _mail(self, task: MunicipalTask, key: str, template: str, to: list[str]) -> None:
        year = self._year
        assert year is not None
        request = mail_request(
            f"{task.task_id}:{key}",
            template,
            to,
            to=ProviderUnderPlan(
                org_nr=task.org_nr or "", language=year.language, roles=self._roles()
            ),
            time_zone=year.time_zone,
            context=self._context(task),
            obligation=task.duty,
            period=task.period,
        )
        # Timed steps fall on the plan's send_at on business days; a year loaded at night
        # (a worker that was down) holds its catch-up e-mails until office hours.
        await self._held_mail.send(request, year.calendar)

    async def _remind(self, task: MunicipalTask, number: int) -> None:
        await self._mail(task, f"reminder-{number}", "municipal-task-reminder", [task.owner])
        await self._audit(task, f"reminder-{number}", "municipal-task-reminder", "system", {})

    async def _escalate(self, task: MunicipalTask) -> None:
        manager = self._manager(task)
        to = [manager] if manager == task.owner else [manager, task.owner]
        await self._mail(task, "escalation", "municipal-task-escalation", to)
        await self._audit(
            task, "escalation", "municipal-task-escalated", "system", {"manager": manager}
        )

    # --- records ----------------------------------------------------------------------------------

    async def _audit(
        self, task: MunicipalTask, key: str, event: str, actor: str, details: dict[str, Any]
    ) -> None:
        await record_audit(
            f"{task.task_id}:{key}",
            workflow.now(),
            task.org_nr or "",
            event,
            actor,
            {"plan": self._in.plan_id, "task": task.task_id, "duty": task.duty, **details},
        )

    async def _record_changes(self) -> None:
        """Every task whose state changed since it was last recorded (the first time: all)."""
        now = workflow.now()
        for task_id in sorted(self._tasks):
            found = self._tasks.get(task_id)
            if found is None:
                continue  # cancelled meanwhile (its provider gone) by the run's refresh
            task = found
            state = task.state_at(now)
            if self._recorded.get(task_id) == state:
                continue
            self._recorded[task_id] = state
            done = task.completion
            await call(
                MunicipalActivities.record_municipal_task,
                MunicipalTaskWrite(
                    plan_id=self._in.plan_id,
                    task_id=task_id,
                    duty=task.duty,
                    owner=task.owner,
                    scope=task.scope,
                    org_nr=task.org_nr,
                    period=task.period,
                    due=task.due,
                    state=state.value,
                    escalated=task.escalated,
                    done_on=done.done_on if done else None,
                    done_by=done.by if done else None,
                    result=done.result if done else None,
                    late=done.late if done else None,
                    at=now,
                ),
            )

    # --- messages ---------------------------------------------------------------------------------

    @workflow.signal
    def providers_changed(self) -> None:
        """A contract under the plan started or ended: read the providers again."""
        self._refresh = True
        if workflow.patched(LIFECYCLE_PATCH):
            self._second_read_at = workflow.now() + SECOND_READ_AFTER
        self._revision += 1

    @workflow.update
    async def complete_task(self, request: CompleteTaskRequest) -> TaskView:
        task = self._tasks[request.task_id]
        completion = TaskCompletion(
            done_on=request.done_on,
            by=request.by.strip(),
            result=request.result.strip(),
            documents=list(request.documents),
            findings=[f.strip() for f in request.findings],
            at=workflow.now(),
            late=request.done_on > task.due,
        )
        self._tasks[task.task_id] = task = task.model_copy(update={"completion": completion})
        self._revision += 1
        await self._audit(
            task,
            "done",
            "municipal-task-done",
            completion.by,
            {
                "done_on": completion.done_on.isoformat(),
                "late": completion.late,
                "escalated": task.escalated,
                "result": completion.result,
                "documents": completion.documents,
                "findings": completion.findings,
            },
        )
        await self._record_changes()
        return self._view(task)

    @complete_task.validator
    def _validate_complete(self, request: CompleteTaskRequest) -> None:
        require_valid(request)
        require(self._year is not None, "task_id: the task list is not ready yet, try again")
        task = self._tasks.get(request.task_id)
        require(task is not None, f"task_id: no such task {request.task_id[:80]!r}")
        assert task is not None and self._year is not None
        done = task.completion
        require(
            done is None,
            f"task_id: already done on {done.done_on.isoformat() if done else ''}",
        )
        today = local_today(self._year.time_zone)
        require(request.done_on <= today, "done_on: lies in the future")
        require_text(request.by, "by")
        require_text(request.result, "result")
        require(
            len(request.result) <= MAX_RESULT_CHARS,
            f"result: at most {MAX_RESULT_CHARS} characters",
        )
        for i, sha in enumerate(request.documents):
            require(
                len(sha) == 64 and set(sha) <= SHA256_HEX,
                f"documents[{i}]: not a SHA-256 of a stored document",
            )
        require(len(request.findings) <= MAX_FINDINGS, f"findings: at most {MAX_FINDINGS}")
        for i, finding in enumerate(request.findings):
            require_text(finding, f"findings[{i}]")
            require(
                len(finding) <= MAX_RESULT_CHARS,
                f"findings[{i}]: at most {MAX_RESULT_CHARS} characters",
            )

    def _view(self, task: MunicipalTask) -> TaskView:
        roles = self._year.roles if self._year else {}
        owner = roles.get(task.owner)
        done = task.completion
        return TaskView(
            task_id=task.task_id,
            duty=task.duty,
            title=task.title,
            owner=task.owner,
            owner_title=owner.title if owner else task.owner,
            manager=self._manager(task) if self._year else None,
            scope=task.scope,
            period=task.period,
            due=task.due,
            org_nr=task.org_nr,
            provider_name=task.provider_name,
            state=task.state_at(workflow.now()),
            done_on=done.done_on if done else None,
            by=done.by if done else None,
            result=done.result if done else None,
        )

    @workflow.query
    def status(self) -> MunicipalTasksStatus:
        tasks = sorted(self._tasks.values(), key=lambda t: (t.due, t.task_id))
        return MunicipalTasksStatus(
            plan_id=self._in.plan_id,
            year=self._year.year if self._year else self._in.year,
            tasks=[self._view(t) for t in tasks],
            today=local_today(self._year.time_zone) if self._year else None,
        )
