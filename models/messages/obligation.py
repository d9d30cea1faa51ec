"""Messages of the obligation workflow: its input, the administrator's and provider's requests, its
status and record writes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from models.domain.calendar import CalendarRules, Occurrence
from models.domain.inputs import Actor, Day, OptionalDay
from models.messages.common import ContractItemInput, HeldMailStatus, Message
from models.plans.schema import Obligation, Role


class ObligationState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    SUBMITTED = "submitted"
    COMPLETION_REQUESTED = "completion_requested"
    ACCEPTED = "accepted"
    WAIVED = "waived"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (ObligationState.ACCEPTED, ObligationState.WAIVED, ObligationState.CANCELLED)


class ItemStatus(Message):
    """What the contract knows about one occurrence (reported by its obligation workflow)."""

    workflow_id: str
    obligation: str
    period: str
    due: date
    status: ObligationState
    overdue: bool = False
    escalation_level: int = 0
    changed_at: datetime | None = None


class ObligationSummary(Message):
    open: list[ItemStatus]
    overdue: list[ItemStatus]
    done: list[ItemStatus]
    done_earlier: int = 0


class ObligationInput(ContractItemInput):
    occurrence: Occurrence
    obligation: Obligation
    rules: CalendarRules
    roles: dict[str, Role]
    administrator_role: str
    search_attributes: bool = True
    provider_ref: str | None = None  # as ContractInput.provider_ref


class DocumentRef(Message):
    """A submitted document: stored as its path and SHA-256 (the file stays where it is)."""

    key: str
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class SubmitRequest(Message):
    fields: dict[str, Any] = Field(default_factory=dict)
    documents: list[DocumentRef] = Field(default_factory=list)
    note: str = ""
    actor: Actor


class ReviewRequest(Message):
    outcome: Literal["accept", "request-completion"]
    note: str = ""
    new_due: OptionalDay = None
    actor: Actor


class WaiveRequest(Message):
    reason: str
    actor: Actor


class ExtendRequest(Message):
    new_due: Day
    reason: str
    actor: Actor


class CloseRequest(Message):
    reason: str


class SubmissionRecord(Message):
    at: datetime
    fields: dict[str, Any]
    documents: list[DocumentRef]
    actor: str


class ObligationStatus(Message):
    workflow_id: str
    org_nr: str
    obligation: str
    title: str
    period: str
    nominal_due: date
    due: date
    status: ObligationState
    overdue: bool
    escalation_level: int
    reminders_sent: int
    submissions: list[SubmissionRecord]
    history: list[str]
    # E-mails held until office hours (workflows/office_hours.py); none in older results.
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class OccurrenceRecord(Message):
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    nominal_due: date
    due: date
    recipient: str
    status: ObligationState
    overdue: bool
    escalation_level: int
    at: datetime


class SubmissionWrite(Message):
    key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    fields: dict[str, Any]
    documents: list[DocumentRef]
    actor: str
    at: datetime


class ReviewWrite(Message):
    key: str
    workflow_id: str
    outcome: Literal["accepted", "completion_requested", "waived", "extended"]
    note: str
    new_due: date | None
    actor: str
    at: datetime


class EscalationWrite(Message):
    key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    level: int
    kind: str
    title: str
    at: datetime
