"""ORM table: the municipality's own tasks (issue 19), one row per task of a municipal duties
workflow, with its current state, so reports count tasks done on time or late per role."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.records.tables import columns as col
from models.records.tables.base import Base, in_values

# models.messages.municipal.TaskState, as stored.
TASK_STATES = ("open", "due", "overdue", "escalated", "done-on-time", "done-late", "cancelled")
TASK_SCOPES = ("provider", "municipality")


class MunicipalTask(Base):
    """A municipal duty's occurrence: for the municipality, or at one provider (`org_nr`)."""

    __tablename__ = "municipal_tasks"
    __table_args__ = (
        UniqueConstraint("plan_id", "task_id"),
        CheckConstraint(in_values("state", TASK_STATES), name="state"),
        CheckConstraint(in_values("scope", TASK_SCOPES), name="scope"),
    )

    id: Mapped[col.RowId]
    plan_id: Mapped[col.Key] = mapped_column(index=True)
    task_id: Mapped[col.Id]
    duty: Mapped[col.Key]
    owner: Mapped[col.Key] = mapped_column(index=True)  # the municipal role
    scope: Mapped[col.Status]
    org_nr: Mapped[col.OrgNr | None] = mapped_column(index=True)
    period: Mapped[col.Period]
    due: Mapped[date]
    state: Mapped[col.Status]
    escalated: Mapped[bool]
    done_on: Mapped[date | None]
    done_by: Mapped[col.Key | None]
    result: Mapped[col.FreeText | None]
    late: Mapped[bool | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
