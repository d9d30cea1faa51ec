"""ORM tables: obligation occurrences (one obligation workflow each), submissions, reviews,
escalations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    CheckConstraint,
    Index,
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
    PERIOD_LEN,
    STATUS_LEN,
    TITLE_LEN,
)
from models.records.tables.base import Base, in_values

OCCURRENCE_STATUSES: Final = (
    "upcoming",
    "open",
    "submitted",
    "completion_requested",
    "accepted",
    "waived",
    "cancelled",
)

REVIEW_OUTCOMES: Final = ("accepted", "completion_requested", "waived", "extended")


class ObligationOccurrence(Base):
    """One occurrence of a plan obligation (one obligation workflow) and its current state."""

    __tablename__ = "obligation_occurrences"
    __table_args__ = (
        CheckConstraint(in_values("status", OCCURRENCE_STATUSES), name="status"),
        # Leading org_nr also serves "everything about provider X" without a separate index.
        Index(None, "org_nr", "obligation", "period"),
        Index(None, "status", "overdue"),
        # Reports select one follow-up year by period (revision 0007).
        Index(None, "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN))
    obligation: Mapped[str] = mapped_column(String(KEY_LEN))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    nominal_due: Mapped[date]  # as written in the plan
    due: Mapped[date]  # after business-day adjustment and extensions
    recipient: Mapped[str] = mapped_column(String(KEY_LEN))  # plan role
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    overdue: Mapped[bool]
    escalation_level: Mapped[int]
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Submission(Base):
    """What a provider handed in for an occurrence, as registered by the administrator."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(None, "org_nr", "obligation", "period"),
        Index(None, "period"),  # reports select one follow-up year (revision 0007)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN))
    obligation: Mapped[str] = mapped_column(String(KEY_LEN))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    submitted_at: Mapped[datetime]
    fields: Mapped[dict[str, Any]]
    # [{name, path, sha256, size}]: the files themselves live outside the database.
    documents: Mapped[list[dict[str, Any]]]
    actor: Mapped[str] = mapped_column(String(KEY_LEN))


class Review(Base):
    """The administrator's decision on an occurrence."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint(in_values("outcome", REVIEW_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    outcome: Mapped[str] = mapped_column(String(STATUS_LEN))
    note: Mapped[str | None] = mapped_column(Text)
    new_due: Mapped[date | None]  # set by "extended"
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[datetime]


class Escalation(Base):
    """A step on the escalation ladder that was taken for an overdue occurrence."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN))
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    obligation: Mapped[str] = mapped_column(String(KEY_LEN))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    level: Mapped[int]
    kind: Mapped[str] = mapped_column(String(KEY_LEN))
    title: Mapped[str] = mapped_column(String(TITLE_LEN))
    at: Mapped[datetime]
