"""ORM tables: obligation occurrences (one obligation workflow each), submissions, reviews,
escalations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import TITLE_LEN
from models.records.tables import columns as col
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

    id: Mapped[col.RowId]
    workflow_id: Mapped[col.Id] = mapped_column(unique=True)
    org_nr: Mapped[col.OrgNr]
    obligation: Mapped[col.Key]
    period: Mapped[col.Period]
    nominal_due: Mapped[date]  # as written in the plan
    due: Mapped[date]  # after business-day adjustment and extensions
    recipient: Mapped[col.Key]  # plan role
    status: Mapped[col.Status]
    overdue: Mapped[bool]
    escalation_level: Mapped[int]
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Submission(col.Keyed, Base):
    """What a provider handed in for an occurrence, as registered by the administrator."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(None, "org_nr", "obligation", "period"),
        Index(None, "period"),  # reports select one follow-up year (revision 0007)
    )

    workflow_id: Mapped[col.Id] = mapped_column(index=True)
    org_nr: Mapped[col.OrgNr]
    obligation: Mapped[col.Key]
    period: Mapped[col.Period]
    submitted_at: Mapped[datetime]
    fields: Mapped[dict[str, Any]]
    # [{name, path, sha256, size}]: the files themselves live outside the database.
    documents: Mapped[list[dict[str, Any]]]
    actor: Mapped[col.Key]


class Review(col.Keyed, Base):
    """The administrator's decision on an occurrence."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint(in_values("outcome", REVIEW_OUTCOMES), name="outcome"),)

    workflow_id: Mapped[col.Id] = mapped_column(index=True)
    outcome: Mapped[col.Status]
    note: Mapped[col.FreeText | None]
    new_due: Mapped[date | None]  # set by "extended"
    actor: Mapped[col.Key]
    at: Mapped[datetime]


class Escalation(col.Keyed, Base):
    """A step on the escalation ladder that was taken for an overdue occurrence."""

    __tablename__ = "escalations"

    workflow_id: Mapped[col.Id]
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    obligation: Mapped[col.Key]
    period: Mapped[col.Period]
    level: Mapped[int]
    kind: Mapped[col.Key]
    title: Mapped[str] = mapped_column(String(TITLE_LEN))
    at: Mapped[datetime]
