"""ORM tables: recovery (återkrav) cases (one recovery workflow each), claim lines and steps."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import CUSTOMER_REF_LEN
from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

RECOVERY_STATUSES: Final = (
    "noticed",
    "responded",
    "decided",
    "invoiced",
    "set_off",
    "debt_collection",
    "paid",
    "withdrawn",
)


class Recovery(Base):
    """A recovery (återkrav) case: one recovery workflow, its current state and amounts.

    `claimed_amount` is what the notice asked for (the sum of the noticed lines); `amount` is
    what is owed now: the claim until a decision, then the decided amount (0 when withdrawn).
    Totals per provider and year are summed from these rows, so `year` is the year the case
    was opened, in the plan's time zone.
    """

    __tablename__ = "recoveries"
    __table_args__ = (
        CheckConstraint(in_values("status", RECOVERY_STATUSES), name="status"),
        Index(None, "year", "org_nr"),
    )

    id: Mapped[col.RowId]
    recovery_id: Mapped[col.Id] = mapped_column(unique=True)  # the case id
    workflow_id: Mapped[col.Id]
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    year: Mapped[int]
    status: Mapped[col.Status]
    claimed_amount: Mapped[Decimal | None]  # SEK, two decimals
    amount: Mapped[Decimal | None]  # SEK, two decimals
    response: Mapped[col.Status | None]  # accepted | disputed
    response_due: Mapped[date | None]
    decision: Mapped[col.Status | None]
    decision_reason: Mapped[col.FreeText | None]
    settlement: Mapped[col.Status | None]  # invoice | set_off
    invoice_number: Mapped[col.Key | None]
    payment_due: Mapped[date | None]
    paid_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RecoveryLine(Base):
    """One claim line of a recovery case. Revision 0 holds the lines as noticed; a decision
    that adjusts the lines adds revision 1, so both what was claimed and what was decided
    stay on record."""

    __tablename__ = "recovery_lines"
    __table_args__ = (UniqueConstraint("recovery_id", "revision", "line_no"),)

    id: Mapped[col.RowId]
    recovery_id: Mapped[col.Id] = mapped_column(
        ForeignKey("recoveries.recovery_id", ondelete="RESTRICT")
    )
    revision: Mapped[int]
    line_no: Mapped[int]
    period: Mapped[col.Period]  # "2027-03"
    customer_ref: Mapped[str] = mapped_column(
        String(CUSTOMER_REF_LEN)
    )  # pseudonymous, never a personnummer
    hours_billed: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    hours_approved: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    amount: Mapped[Decimal]


class RecoveryStep(col.Keyed, Base):
    """A step of a recovery case (notice, response, decision, settlement, reminder, inkasso,
    payment), in the order taken: the case's own trail beside the audit trail."""

    __tablename__ = "recovery_steps"

    recovery_id: Mapped[col.Id] = mapped_column(index=True)
    step: Mapped[col.Key]
    status: Mapped[col.Status]  # the case's status after the step
    actor: Mapped[col.Key]
    at: Mapped[datetime]
    details: Mapped[dict[str, Any]]
