"""ORM tables: providers, their contracts (one contract workflow each), the plan of each year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import EMAIL_LEN, NAME_LEN
from models.records.tables import columns as col
from models.records.tables.base import ORG_NR_SHAPE_SQL, Base, in_values

CONTRACT_STATUSES: Final = ("active", "terminating", "terminated")

TERMINATION_KINDS: Final = ("uppsagning", "havning")


class Provider(Base):
    """A provider (utförare), identified by its organisationsnummer."""

    __tablename__ = "providers"
    __table_args__ = (CheckConstraint(ORG_NR_SHAPE_SQL, name="org_nr_format"),)

    org_nr: Mapped[col.OrgNr] = mapped_column(primary_key=True)
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

    id: Mapped[col.RowId]
    workflow_id: Mapped[col.Id] = mapped_column(unique=True)
    org_nr: Mapped[col.OrgNr] = mapped_column(
        ForeignKey("providers.org_nr", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[col.Key]
    start_date: Mapped[date]
    status: Mapped[col.Status]
    end_date: Mapped[date | None]
    termination_kind: Mapped[col.Status | None]
    termination_reason: Mapped[col.FreeText | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ContractYear(Base):
    """Which plan (and version) a contract followed in a follow-up year: auditors ask this."""

    __tablename__ = "contract_years"
    __table_args__ = (UniqueConstraint("workflow_id", "year"),)

    id: Mapped[col.RowId]
    workflow_id: Mapped[col.Id]
    year: Mapped[int]
    plan_id: Mapped[col.Key]
    plan_version: Mapped[col.Key]
    recorded_at: Mapped[datetime]
