"""ORM tables: providers, their contracts (one contract workflow each), the plan of each year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import (
    EMAIL_LEN,
    ID_LEN,
    KEY_LEN,
    NAME_LEN,
    ORG_NR_LEN,
    STATUS_LEN,
)
from models.records.tables.base import ORG_NR_SHAPE_SQL, Base, in_values

CONTRACT_STATUSES: Final = ("active", "terminating", "terminated")

TERMINATION_KINDS: Final = ("uppsagning", "havning")


class Provider(Base):
    """A provider (utförare), identified by its organisationsnummer."""

    __tablename__ = "providers"
    __table_args__ = (CheckConstraint(ORG_NR_SHAPE_SQL, name="org_nr_format"),)

    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    email: Mapped[str] = mapped_column(String(EMAIL_LEN))  # RFC 5321 maximum
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Contract(Base):
    """One provider contract, i.e. one contract workflow."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint(in_values("status", CONTRACT_STATUSES), name="status"),
        CheckConstraint(
            "termination_kind IS NULL OR " + in_values("termination_kind", TERMINATION_KINDS),
            name="termination_kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    org_nr: Mapped[str] = mapped_column(
        String(ORG_NR_LEN), ForeignKey("providers.org_nr", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[str] = mapped_column(String(KEY_LEN))
    start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    end_date: Mapped[date | None]
    termination_kind: Mapped[str | None] = mapped_column(String(STATUS_LEN))
    termination_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ContractYear(Base):
    """Which plan (and version) a contract followed in a follow-up year: auditors ask this."""

    __tablename__ = "contract_years"
    __table_args__ = (UniqueConstraint("workflow_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN))
    year: Mapped[int]
    plan_id: Mapped[str] = mapped_column(String(KEY_LEN))
    plan_version: Mapped[str] = mapped_column(String(KEY_LEN))
    recorded_at: Mapped[datetime]
