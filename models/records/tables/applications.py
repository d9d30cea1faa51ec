"""ORM tables: applications to become a provider and their skallkrav assessments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    CheckConstraint,
    Integer,
    String,
    Text,
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

ASSESSMENT_OUTCOMES: Final = ("met", "not_met")


class Application(Base):
    """An application to become a provider; `data` holds what was applied for and komplettering."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(STATUS_LEN))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApplicationAssessment(Base):
    """One assessment of one skallkrav of an application; a reassessment adds a row."""

    __tablename__ = "application_assessments"
    __table_args__ = (CheckConstraint(in_values("outcome", ASSESSMENT_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    application_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN))
    requirement: Mapped[str] = mapped_column(String(KEY_LEN))
    outcome: Mapped[str] = mapped_column(String(STATUS_LEN))
    note: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[datetime]
