"""ORM tables: applications to become a provider and their skallkrav assessments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables.base import (
    Base,
    IdempotencyKey,
    IdStr,
    KeyStr,
    OrgNrStr,
    RowId,
    StatusStr,
    TextStr,
    in_values,
)

ASSESSMENT_OUTCOMES: Final = ("met", "not_met")


class Application(Base):
    """An application to become a provider; `data` holds what was applied for and komplettering."""

    __tablename__ = "applications"

    id: Mapped[RowId]
    application_id: Mapped[IdStr] = mapped_column(unique=True)
    org_nr: Mapped[OrgNrStr] = mapped_column(index=True)
    status: Mapped[StatusStr]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision: Mapped[StatusStr | None]
    reason: Mapped[TextStr | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApplicationAssessment(Base):
    """One assessment of one skallkrav of an application; a reassessment adds a row."""

    __tablename__ = "application_assessments"
    __table_args__ = (CheckConstraint(in_values("outcome", ASSESSMENT_OUTCOMES), name="outcome"),)

    id: Mapped[RowId]
    idempotency_key: Mapped[IdempotencyKey]
    application_id: Mapped[IdStr] = mapped_column(index=True)
    org_nr: Mapped[OrgNrStr]
    requirement: Mapped[KeyStr]
    outcome: Mapped[StatusStr]
    note: Mapped[TextStr]
    actor: Mapped[KeyStr]
    at: Mapped[datetime]
