"""ORM tables: findings (brister, one finding workflow each), their steps and decisions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

FINDING_STATUSES: Final = (
    "noticed",
    "responded",
    "action_plan_requested",
    "action_plan_late",
    "action_plan_submitted",
    "not_remedied",
    "closed",
)
FINDING_SEVERITIES: Final = ("low", "medium", "high")
FINDING_SOURCES: Final = ("review", "visit", "survey", "meeting", "own")
SANCTION_KINDS: Final = ("pafpekande", "prisavdrag", "vite", "havning")


class Finding(Base):
    """A finding (brist): one finding workflow, its current state.

    `sanctioned_amount` sums the prisavdrag and vite decided on it (kronor); `year` is the year
    it was registered, in the plan's time zone, so totals per provider and year read here.
    """

    __tablename__ = "findings"
    __table_args__ = (
        CheckConstraint(in_values("status", FINDING_STATUSES), name="status"),
        CheckConstraint(in_values("severity", FINDING_SEVERITIES), name="severity"),
        CheckConstraint(in_values("source", FINDING_SOURCES), name="source"),
        Index(None, "year", "org_nr"),
    )

    id: Mapped[col.RowId]
    finding_id: Mapped[col.Id] = mapped_column(unique=True)
    workflow_id: Mapped[col.Id]
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    plan_id: Mapped[col.Key]
    year: Mapped[int]
    status: Mapped[col.Status]
    requirement: Mapped[col.Key]
    severity: Mapped[col.Status]
    source: Mapped[col.Status]
    what: Mapped[col.FreeText]
    round: Mapped[int]
    response_due: Mapped[date | None]
    action_plan_due: Mapped[date | None]
    last_decision: Mapped[col.Status | None]
    sanctioned_amount: Mapped[Decimal | None]  # kronor, two decimals
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FindingStep(col.Keyed, Base):
    """A step of a finding (notice, response, åtgärdsplan, verification, reminder, decision),
    in the order taken: the finding's own trail beside the audit trail."""

    __tablename__ = "finding_steps"

    finding_id: Mapped[col.Id] = mapped_column(index=True)
    step: Mapped[col.Key]
    status: Mapped[col.Status]  # the finding's status after the step
    actor: Mapped[col.Key]
    at: Mapped[datetime]
    details: Mapped[dict[str, Any]]


class FindingDecision(col.Keyed, Base):
    """A decision on the sanction ladder (påpekande, prisavdrag, vite, proposal of hävning),
    with its reason, actor and, for prisavdrag and vite, the amount in kronor. `details` says
    how the amount is collected (today: a note that it is handed to återkrav by hand)."""

    __tablename__ = "finding_decisions"
    __table_args__ = (CheckConstraint(in_values("kind", SANCTION_KINDS), name="kind"),)

    finding_id: Mapped[col.Id] = mapped_column(index=True)
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    kind: Mapped[col.Status]
    title: Mapped[col.FreeText]
    amount: Mapped[Decimal | None]
    reason: Mapped[col.FreeText]
    actor: Mapped[col.Key]
    at: Mapped[datetime]
    details: Mapped[dict[str, Any]]
