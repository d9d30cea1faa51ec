"""ORM tables: kundval placements (one placement workflow each)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import CheckConstraint, Index
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

PLACEMENT_STATUSES: Final = ("awaiting_choice", "active", "ended")


class Placement(Base):
    """A customer's placement (one biståndsbeslut) with a provider: kundval, seed 001/003.

    The customer is known only by a pseudonymous reference; no personnummer or name is stored.
    Per-provider statistics (seed 003 §2.2) are read from here.
    """

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint(in_values("status", PLACEMENT_STATUSES), name="status"),
        Index(None, "org_nr", "status"),
    )

    id: Mapped[col.RowId]
    placement_id: Mapped[col.Id] = mapped_column(unique=True)
    customer_ref: Mapped[col.Key]
    area: Mapped[col.Key]
    service_type: Mapped[col.Key]
    granted_hours: Mapped[Decimal]  # per month
    decision_date: Mapped[date]
    status: Mapped[col.Status]
    org_nr: Mapped[col.OrgNr | None]  # the current provider
    pending_org_nr: Mapped[col.OrgNr | None]  # switching to
    provider_start: Mapped[date | None]
    care_plan_due: Mapped[date | None]
    care_plan_done_on: Mapped[date | None]
    care_plan_current: Mapped[bool]
    end_date: Mapped[date | None]
    # The plan (municipality) whose rotation the placement is on, awaiting a choice included;
    # NULL for rows recorded before 0012_placement_plan whose plan the records could not tell.
    plan_id: Mapped[col.Key | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
