"""Messages of the recovery (återkrav) workflow: input, admin requests, status, record writes.

Kept beside `models.messages.contract` (same conventions: frozen pydantic models, `actor` on every
admin
request, workflow time in `at`) so the recovery issue adds a module instead of growing the
shared one. Amounts are Decimal; the pydantic data converter carries them as strings, exactly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from models.domain.calendar import CalendarRules
from models.domain.inputs import Actor, Key
from models.domain.money import ClaimLine
from models.messages.common import HeldMailStatus, Message
from models.plans.schema import Role


class RecoveryState(StrEnum):
    NOTICED = "noticed"  # notice sent, waiting for the provider's response (kommunicering)
    RESPONDED = "responded"  # the provider has accepted or disputed; waiting for a decision
    DECIDED = "decided"  # confirmed or adjusted; waiting for invoice or set-off
    INVOICED = "invoiced"  # invoice sent, payment due
    SET_OFF = "set_off"  # to be deducted from the next payment to the provider
    DEBT_COLLECTION = "debt_collection"  # invoice unpaid at its due date: inkasso
    PAID = "paid"
    WITHDRAWN = "withdrawn"

    @property
    def terminal(self) -> bool:
        return self in (RecoveryState.PAID, RecoveryState.WITHDRAWN)


class RecoveryInput(Message):
    case_id: str
    org_nr: str
    provider_name: str
    plan_id: str
    language: str
    # The plan's time zone, holiday calendar and office hours; the workflow adds its own
    # reminder offsets and "ladder" (expiry, inkasso) to date its deadlines.
    calendar: CalendarRules
    roles: dict[str, Role]
    administrator_role: str
    response_days: int = Field(ge=1, le=90)
    payment_days: int = Field(default=30, ge=1, le=365)
    payment_reminder_days: int = Field(default=7, ge=1, le=60)
    lines: list[ClaimLine]
    subject: str = ""  # what the claim concerns, e.g. "Granskning av utförd tid, mars 2027"
    year: int
    actor: Actor
    search_attributes: bool = True


class RespondRequest(Message):
    outcome: Literal["accept", "dispute"]
    comment: str = ""
    actor: Actor


class DecideRequest(Message):
    outcome: Literal["confirm", "adjust", "withdraw"]
    # For "adjust": either a new amount or adjusted lines (the amount is then their sum).
    amount: Decimal | None = None
    lines: list[ClaimLine] | None = None
    reason: str = ""
    actor: Actor


class SettleRequest(Message):
    method: Literal["invoice", "set_off"]
    invoice_number: Key = ""
    actor: Actor


class PaidRequest(Message):
    note: str = ""
    actor: Actor


class RecoveryResponse(Message):
    outcome: Literal["accepted", "disputed"]
    comment: str
    actor: str
    at: datetime
    late: bool  # registered after the response deadline


class RecoveryDecision(Message):
    outcome: Literal["confirmed", "adjusted", "withdrawn"]
    amount: Decimal  # what the provider owes after the decision (0 when withdrawn)
    reason: str
    actor: str
    at: datetime


class RecoverySettlement(Message):
    method: Literal["invoice", "set_off"]
    invoice_number: str | None
    payment_due: date
    actor: str
    at: datetime


class RecoveryStepNote(Message):
    """One step in the case's history, as the status shows it."""

    at: datetime
    step: str
    actor: str
    note: str = ""


class RecoveryStatus(Message):
    case_id: str
    workflow_id: str
    org_nr: str
    provider_name: str
    subject: str
    status: RecoveryState
    lines: list[ClaimLine]
    calculation: list[str]
    claimed_amount: Decimal
    amount: Decimal  # owed now: the claim until decided, then the decided amount
    adjusted_lines: list[ClaimLine] | None = None
    adjusted_calculation: list[str] | None = None
    response_due: date | None = None
    response: RecoveryResponse | None = None
    decision: RecoveryDecision | None = None
    settlement: RecoverySettlement | None = None
    payment_reminder_at: datetime | None = None
    debt_collection_at: datetime | None = None
    paid_at: datetime | None = None
    steps: list[RecoveryStepNote] = Field(default_factory=list)
    # E-mails held until office hours (workflows/office_hours.py); none in older results.
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class RecoveryStepWrite(Message):
    """One step for the records database: the case's state, the step, and (when they change)
    the claim lines; one activity so each step is one event pair in history."""

    key: str
    case_id: str
    workflow_id: str
    org_nr: str
    year: int
    step: str
    actor: str
    at: datetime
    status: RecoveryState
    claimed_amount: Decimal
    amount: Decimal
    response: Literal["accepted", "disputed"] | None = None
    response_due: date | None = None
    decision: Literal["confirmed", "adjusted", "withdrawn"] | None = None
    decision_reason: str | None = None
    settlement: Literal["invoice", "set_off"] | None = None
    invoice_number: str | None = None
    payment_due: date | None = None
    paid_at: datetime | None = None
    lines_revision: int | None = None  # 0 = as noticed, 1 = as adjusted by the decision
    lines: list[ClaimLine] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
