"""Messages of the finding (brist) workflow: input, admin requests, status, record writes.

Same conventions as models.messages.recovery: frozen pydantic models, `actor` on every admin
request, workflow time in `at`, amounts as Decimal kronor (carried as strings, exactly).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from models.domain.calendar import CalendarRules
from models.domain.inputs import Actor, Day
from models.domain.sanctions import CollectMethod, SanctionKind
from models.messages.common import HeldMailStatus, Message
from models.plans.schema import Role

Severity = Literal["low", "medium", "high"]
Source = Literal["review", "visit", "survey", "meeting", "own"]
SANCTION_KINDS: tuple[str, ...] = ("pafpekande", "prisavdrag", "vite", "havning")


class FindingState(StrEnum):
    NOTICED = "noticed"  # notice sent; the provider may respond (kommunicering)
    RESPONDED = "responded"  # the provider has responded; no åtgärdsplan asked for yet
    ACTION_PLAN_REQUESTED = "action_plan_requested"  # åtgärdsplan due by a date
    ACTION_PLAN_LATE = "action_plan_late"  # the due date passed without an åtgärdsplan
    ACTION_PLAN_SUBMITTED = "action_plan_submitted"  # waiting for the municipality to verify
    NOT_REMEDIED = "not_remedied"  # verification failed: a new round or a sanction
    CLOSED = "closed"

    @property
    def terminal(self) -> bool:
        return self is FindingState.CLOSED


class LadderStep(Message):
    kind: SanctionKind
    title: str
    amount: Decimal | None = None
    notify: list[str] = Field(default_factory=list)
    # The plan's `collect` for this step (models/plans/findings.py); None: not collected.
    collect: CollectMethod | None = None


class FindingInput(Message):
    finding_id: str
    org_nr: str
    provider_name: str
    plan_id: str
    language: str
    calendar: CalendarRules
    roles: dict[str, Role]
    administrator_role: str
    decider_role: str
    procedure: str
    requirement: str  # the plan's requirement key
    requirement_title: str
    requirement_reference: str = ""
    severity: Severity
    source: Source
    what: str  # what was found, in the municipality's words
    evidence: str = ""
    response_days: int = Field(ge=1, le=90)
    action_plan_min_days: int = Field(ge=1, le=365)
    action_plan_max_days: int = Field(ge=1, le=365)
    reminder_days: tuple[int, ...] = ()
    # The plan's sanction ladder, in order.
    sanctions: list[LadderStep]
    year: int
    actor: Actor
    search_attributes: bool = True


class RespondRequest(Message):
    comment: str
    actor: Actor


class ActionPlanRequest(Message):
    due: Day
    note: str = ""
    actor: Actor


class SubmitActionPlanRequest(Message):
    summary: str
    actor: Actor


class VerifyRequest(Message):
    outcome: Literal["remedied", "not_remedied"]
    note: str = ""
    actor: Actor


class DecideRequest(Message):
    kind: SanctionKind
    reason: str
    amount: Decimal | None = None
    actor: Actor


class CloseRequest(Message):
    reason: str
    actor: Actor


class Kommunicering(Message):
    """One chance for the provider to respond before a decision: from the notice, and again
    when an åtgärdsplan is late or the verification fails."""

    opened_at: datetime
    due: date
    deadline: datetime  # the end of `due`, in the plan's time zone
    response: str | None = None
    responded_at: datetime | None = None


class FindingDecision(Message):
    kind: SanctionKind
    title: str
    amount: Decimal | None
    reason: str
    actor: str
    at: datetime
    # Set by the "finding-sanction-collect" path: how the amount is collected, and the
    # reference the finance system invoices it by.
    collect: CollectMethod | None = None
    invoice_reference: str = ""


class FindingStepNote(Message):
    at: datetime
    step: str
    actor: str
    note: str = ""


class FindingStatus(Message):
    finding_id: str
    workflow_id: str
    org_nr: str
    provider_name: str
    procedure: str
    status: FindingState
    requirement: str
    requirement_title: str
    severity: Severity
    source: Source
    what: str
    evidence: str
    round: int  # åtgärdsplan rounds asked for so far
    kommunicering: Kommunicering | None = None
    action_plan_due: date | None = None
    action_plan: str | None = None
    action_plan_late: bool = False
    verification: str | None = None
    decisions: list[FindingDecision] = Field(default_factory=list)
    closed_reason: str | None = None
    steps: list[FindingStepNote] = Field(default_factory=list)
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class FindingStepWrite(Message):
    """One step for the records database: the finding's state, the step, a decision (when
    the step is one) and the audit event, in one activity."""

    key: str
    finding_id: str
    workflow_id: str
    org_nr: str
    plan_id: str
    year: int
    step: str
    actor: str
    at: datetime
    status: FindingState
    requirement: str
    severity: Severity
    source: Source
    what: str
    round: int
    response_due: date | None = None
    action_plan_due: date | None = None
    decision: FindingDecision | None = None
    details: dict[str, Any] = Field(default_factory=dict)
