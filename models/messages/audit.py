"""One audit trail entry, as workflows hand it to the records activity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from models.messages.common import Message


class AuditRecord(Message):
    """An outcome: written once per key to the audit table, and shown in history as the input."""

    key: str
    at: datetime
    org_nr: str
    workflow_id: str
    event_type: str
    actor: str
    details: dict[str, Any] = Field(default_factory=dict)
