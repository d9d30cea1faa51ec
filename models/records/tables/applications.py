"""ORM tables: applications to become a provider and their skallkrav assessments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

ASSESSMENT_OUTCOMES: Final = ("met", "not_met")


class Application(Base):
    """An application to become a provider; `data` holds what was applied for and komplettering."""

    __tablename__ = "applications"

    id: Mapped[col.RowId]
    application_id: Mapped[col.Id] = mapped_column(unique=True)
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    status: Mapped[col.Status]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision: Mapped[col.Status | None]
    reason: Mapped[col.FreeText | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApplicationAssessment(col.Keyed, Base):
    """One assessment of one skallkrav of an application; a reassessment adds a row."""

    __tablename__ = "application_assessments"
    __table_args__ = (CheckConstraint(in_values("outcome", ASSESSMENT_OUTCOMES), name="outcome"),)

    application_id: Mapped[col.Id] = mapped_column(index=True)
    org_nr: Mapped[col.OrgNr]
    requirement: Mapped[col.Key]
    outcome: Mapped[col.Status]
    note: Mapped[col.FreeText]
    actor: Mapped[col.Key]
    at: Mapped[datetime]
