"""ORM tables: kundval placements (one placement workflow each)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Final

from sqlalchemy import (
    CheckConstraint,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import (
    ID_LEN,
    KEY_LEN,
    ORG_NR_LEN,
    STATUS_LEN,
)
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

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    placement_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    customer_ref: Mapped[str] = mapped_column(String(KEY_LEN))
    area: Mapped[str] = mapped_column(String(KEY_LEN))
    service_type: Mapped[str] = mapped_column(String(KEY_LEN))
    granted_hours: Mapped[Decimal]  # per month
    decision_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN))  # the current provider
    pending_org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN))  # switching to
    provider_start: Mapped[date | None]
    care_plan_due: Mapped[date | None]
    care_plan_done_on: Mapped[date | None]
    care_plan_current: Mapped[bool]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
