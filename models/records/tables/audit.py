"""ORM tables: the append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlalchemy.orm import Mapped

from models.records.tables import columns as col
from models.records.tables.base import Base


class AuditEvent(col.Keyed, Base):
    """An append-only audit trail entry: who did what to which provider, when."""

    __tablename__ = "audit_events"
    # Auditors read one provider's trail in time order; the compliance report finds each
    # occurrence's "submitted" events (revision 0007).
    __table_args__ = (Index(None, "org_nr", "at"), Index(None, "workflow_id", "event_type"))

    at: Mapped[datetime]
    org_nr: Mapped[col.OrgNr | None]
    workflow_id: Mapped[col.Id | None]
    event_type: Mapped[col.Key]
    actor: Mapped[col.Key]
    details: Mapped[dict[str, Any]]
