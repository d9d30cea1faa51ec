"""ORM tables: follow-up meetings (one meeting workflow each) and their action items."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import LINK_LEN, NAME_LEN
from models.records.tables import columns as col
from models.records.tables.base import Base


class Meeting(Base):
    """A follow-up meeting (uppföljningsmöte), i.e. one meeting workflow, and its current state.

    The columns after `updated_at` came with revision 0004 and are nullable so the revision
    can add them to a table that may already hold rows.
    """

    __tablename__ = "meetings"

    id: Mapped[col.RowId]
    meeting_id: Mapped[col.Id] = mapped_column(unique=True)  # the workflow id
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    period: Mapped[col.Period]  # "2027-H1"
    status: Mapped[col.Status]
    scheduled_at: Mapped[datetime | None]  # when the meeting starts
    place: Mapped[str | None] = mapped_column(String(NAME_LEN))
    # {summary, attendees, actions: [{number, owner, due, text, obligation_workflow_id}], …}
    minutes: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    ends_at: Mapped[datetime | None]
    link: Mapped[str | None] = mapped_column(String(LINK_LEN))
    sequence: Mapped[int | None]  # SEQUENCE of the latest invitation (.ics)
    escalated_at: Mapped[datetime | None]


class MeetingActionItem(col.Keyed, Base):
    """An action item from a meeting's minutes; the provider's become obligations."""

    __tablename__ = "meeting_action_items"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    meeting_id: Mapped[col.Id]
    org_nr: Mapped[col.OrgNr] = mapped_column(index=True)
    number: Mapped[int]
    owner: Mapped[col.Key]
    due: Mapped[date]
    text: Mapped[col.FreeText]
    obligation_workflow_id: Mapped[col.Id | None]
    created_at: Mapped[datetime]
