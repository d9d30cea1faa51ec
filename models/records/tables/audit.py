"""ORM tables: the append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses
# longer text with the same numbers.
from models.domain.limits import (
    ID_LEN,
    KEY_LEN,
    ORG_NR_LEN,
)
from models.records.tables.base import Base


class AuditEvent(Base):
    """An append-only audit trail entry: who did what to which provider, when."""

    __tablename__ = "audit_events"
    # Auditors read one provider's trail in time order; the compliance report finds each
    # occurrence's "submitted" events (revision 0007).
    __table_args__ = (Index(None, "org_nr", "at"), Index(None, "workflow_id", "event_type"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    at: Mapped[datetime]
    org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN))
    workflow_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    event_type: Mapped[str] = mapped_column(String(KEY_LEN))
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    details: Mapped[dict[str, Any]]
