"""Applications to become a provider: states and the messages of the application workflow
(its workflow id is built in models.ids).

An application is reviewed against the plan's skallkrav (mandatory requirements). Each skallkrav
is assessed met or not met by an administrator; komplettering asks the applicant for missing
items by a deadline; the decision (approve or reject) must come within the plan's decision time.
Approval starts the provider's contract workflow.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from models.domain.calendar import CalendarRules
from models.domain.inputs import Actor, Key, Keys, OptionalDay
from models.messages.common import HeldMailStatus, Message, Provider
from models.messages.obligation import DocumentRef
from models.plans.schema import Role

# LOV 10 kap. 1-2 §§: a decision may be appealed to förvaltningsrätten within three weeks of the
# day the applicant received it (förvaltningslagen 44 §). The notice must say so.
APPEAL_WEEKS = 3


class ApplicationState(StrEnum):
    RECEIVED = "received"
    COMPLETION_REQUESTED = "completion_requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def decided(self) -> bool:
        return self in (ApplicationState.APPROVED, ApplicationState.REJECTED)


class ApplicationPlan(Message):
    """What an application needs from the plan, loaded once when it arrives (by an activity)."""

    plan_id: str
    plan_version: str
    language: str
    # One escalation step: who hears, and when, that a decision (or a komplettering) is late.
    rules: CalendarRules
    roles: dict[str, Role]
    administrator_role: str
    skallkrav: dict[str, str]  # key → title, in plan order
    decision_weeks: int
    response_days: int


class LoadApplicationPlan(Message):
    plan_id: str


class ApplicationInput(Message):
    application_id: str = ""  # set by the submitter: the workflow id
    provider: Provider
    service_types: Keys = Field(min_length=1)
    areas: Keys = Field(min_length=1)
    documents: list[DocumentRef] = Field(default_factory=list)
    plan_id: str
    requested_start: OptionalDay = None
    actor: Actor
    search_attributes: bool = True


class Assessment(Message):
    key: str
    title: str
    outcome: Literal["met", "not_met"] | None = None
    note: str = ""
    actor: str | None = None
    at: datetime | None = None


class AssessRequest(Message):
    key: Key
    met: bool
    note: str = ""
    actor: Actor


class CompletionRequest(Message):
    items: list[str]
    due: OptionalDay = None  # default: the plan's response time (kommunicering) from today
    note: str = ""
    actor: Actor


class CompleteRequest(Message):
    documents: list[DocumentRef] = Field(default_factory=list)
    note: str = ""
    actor: Actor


class DecideRequest(Message):
    approve: bool
    reason: str = ""
    contract_start: OptionalDay = None
    actor: Actor


class CompletionRound(Message):
    items: list[str]
    due: date
    note: str
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None = None
    documents: list[DocumentRef] = Field(default_factory=list)
    completion_note: str = ""


class Decision(Message):
    outcome: Literal["approved", "rejected", "rejected_incomplete"]
    reason: str
    actor: str
    at: datetime
    contract_start: date | None = None
    contract_workflow_id: str | None = None
    appeal_by: date | None = None


class ApplicationStatus(Message):
    application_id: str
    provider: Provider
    plan_id: str
    plan_version: str
    state: ApplicationState
    registered: bool  # acknowledged; administrators may act
    submitted_at: datetime
    service_types: list[str]
    areas: list[str]
    documents: list[DocumentRef]
    requested_start: date | None
    checklist: list[Assessment]
    completions: list[CompletionRound]
    decision_due: date | None
    decision_overdue: bool
    decision: Decision | None
    history: list[str]

    @property
    def open_completion(self) -> CompletionRound | None:
        last = self.completions[-1] if self.completions else None
        return last if last is not None and last.completed_at is None else None

    @property
    def unassessed(self) -> list[Assessment]:
        return [a for a in self.checklist if a.outcome is None]

    @property
    def not_met(self) -> list[Assessment]:
        return [a for a in self.checklist if a.outcome == "not_met"]

    # E-mails held until office hours (workflows/office_hours.py); none in older results.
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class ApplicationWrite(Message):
    """The application's row in the records database, as of `at`."""

    application_id: str = ""  # set by the submitter: the workflow id
    provider: Provider
    state: ApplicationState
    submitted_at: datetime
    at: datetime
    decision: Decision | None = None
    data: dict[str, object] = Field(default_factory=dict)


class AssessmentWrite(Message):
    key: str  # idempotency key
    application_id: str = ""  # set by the submitter: the workflow id
    org_nr: str
    requirement: str
    outcome: Literal["met", "not_met"]
    note: str
    actor: str
    at: datetime


class StartContract(Message):
    """Approval → the provider's contract workflow (started by an activity; it outlives us)."""

    provider: Provider
    contract_start: date
    plan_id: str
    search_attributes: bool = True
    # What was approved: the provider joins the rotation list of each area × service type.
    # Absent in histories recorded before kundval; then nothing is added.
    areas: list[str] = Field(default_factory=list)
    service_types: list[str] = Field(default_factory=list)
    # Who approved, recorded as the contract's starter; None in histories from before.
    actor: str | None = None
