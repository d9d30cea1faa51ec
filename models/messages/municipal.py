"""Messages of the municipal duties workflow (`municipal-duties-<plan>`, issue 19): the
municipality's own tasks (a tillsynsbesök at a provider, the yearly kundundersökning), their
completion and what the workflow reports about them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from models.domain.calendar import CalendarRules
from models.domain.inputs import Actor, Day, Key
from models.messages.common import Message

# A completion's result and each finding note: enough for a paragraph, bounded for the records.
MAX_RESULT_CHARS = 4000
MAX_FINDINGS = 20


class TaskState(StrEnum):
    """What the task list shows. Computed when asked (`state_at`), except done ones."""

    OPEN = "open"  # not due yet, no reminder window
    DUE = "due"  # the first reminder has gone out, the due date has not passed
    OVERDUE = "overdue"  # past its due date, not yet escalated
    ESCALATED = "escalated"  # gone to the owner's manager
    DONE_ON_TIME = "done-on-time"
    DONE_LATE = "done-late"
    # Its provider's contract ended before it was due (patch municipal-provider-lifecycle): the
    # workflow no longer follows it, the records keep the row for the auditors.
    CANCELLED = "cancelled"

    @property
    def done(self) -> bool:
        return self in (TaskState.DONE_ON_TIME, TaskState.DONE_LATE)

    @property
    def closed(self) -> bool:
        """Nothing more to do: done, or cancelled (neither not done nor late)."""
        return self.done or self is TaskState.CANCELLED


class MunicipalRoleInfo(Message):
    """A role as the workflow needs it: title and address, and whom it escalates to."""

    title: str
    email: str
    manager: str | None = None


class ActiveProvider(Message):
    """A provider with a contract under the plan: whom a per-provider duty is done at."""

    org_nr: str
    name: str
    # The provider part of its contract workflow id (models.ids.id_part): names the task.
    part: str
    contract_start: date
    end_date: date | None = None


class TaskCompletion(Message):
    done_on: date
    by: str
    result: str
    documents: list[str] = Field(default_factory=list)  # SHA-256 in the document store
    findings: list[str] = Field(default_factory=list)
    at: datetime  # when it was registered
    late: bool


class MunicipalTask(Message):
    """One occurrence of a municipal duty: for the municipality, or at one provider."""

    task_id: str  # "<duty>-<period>" or "<duty>-<period>-<provider part>"
    duty: str
    title: str
    description: str = ""
    owner: str
    scope: str
    period: str
    due: date  # a business day
    org_nr: str | None = None
    provider_name: str | None = None
    reminders: list[datetime] = Field(default_factory=list)
    deadline: datetime  # end of the due day
    escalate_at: datetime
    reminders_sent: int = 0
    escalated: bool = False
    completion: TaskCompletion | None = None

    def state_at(self, now: datetime) -> TaskState:
        if self.completion is not None:
            return TaskState.DONE_LATE if self.completion.late else TaskState.DONE_ON_TIME
        if self.escalated:
            return TaskState.ESCALATED
        if now >= self.deadline:
            return TaskState.OVERDUE
        if self.reminders_sent or (self.reminders and now >= self.reminders[0]):
            return TaskState.DUE
        return TaskState.OPEN


class MunicipalYear(Message):
    """A plan's municipal duties for one year, dated by the `load_municipal_year` activity."""

    plan_id: str
    plan_version: str
    language: str
    year: int
    time_zone: str
    administrator_role: str
    roles: dict[str, MunicipalRoleInfo]
    # The plan's calendar (holidays, office hours) for holding e-mails until office hours.
    calendar: CalendarRules
    tasks: list[MunicipalTask]
    next_year_at: datetime


class LoadMunicipalYear(Message):
    plan_id: str
    year: int | None = None
    at: datetime


class ProviderTasksRequest(Message):
    """The per-provider tasks of `year` for the providers under the plan now (a contract started
    since the year was loaded gets its tasks; the plan file is read again)."""

    plan_id: str
    year: int
    at: datetime


class MunicipalDutiesInput(Message):
    plan_id: str
    year: int | None = None
    # Tasks of earlier years not yet done: they stay on the list until done.
    carried: list[MunicipalTask] = Field(default_factory=list)


class CompleteTaskRequest(Message):
    task_id: Key
    done_on: Day
    by: Actor
    result: str
    documents: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)


class TaskView(Message):
    """One task as the list shows it."""

    task_id: str
    duty: str
    title: str
    owner: str
    owner_title: str
    manager: str | None
    scope: str
    period: str
    due: date
    org_nr: str | None
    provider_name: str | None
    state: TaskState
    done_on: date | None = None
    by: str | None = None
    result: str | None = None


class MunicipalTasksStatus(Message):
    plan_id: str
    year: int | None
    tasks: list[TaskView]
    # The workflow's local day: a completion dated after it lies in the future.
    today: date | None = None


class MunicipalTaskWrite(Message):
    """A task's current state for the records (`municipal_tasks`), keyed by plan and task."""

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
    done_on: date | None = None
    done_by: str | None = None
    result: str | None = None
    late: bool | None = None
    at: datetime


class ProviderRefreshRequest(Message):
    """The providers under the plan now, `year`'s per-provider tasks for them, and the next
    year's tasks with a reminder after `at` and before `reminders_before` (the next refresh or
    1 January, whichever is first): its early tasks, reminded of in December."""

    plan_id: str
    year: int
    at: datetime
    reminders_before: datetime


class ProviderRefresh(Message):
    providers: list[ActiveProvider]
    tasks: list[MunicipalTask]
    # Next year's tasks with a reminder before the next refresh (and before 1 January).
    early: list[MunicipalTask] = Field(default_factory=list)


class RemoveTaskRequest(Message):
    """A task that no longer exists (its provider's contract ended before it was due): its row
    stays in the task records with state `cancelled`; the audit trail keeps why."""

    plan_id: str
    task_id: str
