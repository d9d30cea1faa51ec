"""The audit trail: one row per administrator or workflow action."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    select,
)

from models.records.keyed import (
    KeyedStore,
    _org_nr,
)
from models.records.tables import (
    AuditEvent,
)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    idempotency_key: str
    at: datetime
    org_nr: str | None
    workflow_id: str | None
    event_type: str
    actor: str
    details: dict[str, Any]


class AuditRecords(KeyedStore):
    async def record_audit(
        self,
        key: str,
        at: datetime,
        org_nr: str | None,
        workflow_id: str | None,
        event_type: str,
        actor: str,
        details: Mapping[str, Any],
    ) -> bool:
        values = {
            "idempotency_key": key,
            "at": at,
            "org_nr": None if org_nr is None else _org_nr(org_nr),
            "workflow_id": workflow_id,
            "event_type": event_type,
            "actor": actor,
            "details": dict(details),
        }
        return await self._insert_once(AuditEvent, values, AuditEvent.idempotency_key == key)

    async def list_audit(self, org_nr: str | None = None) -> list[AuditRecord]:
        query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
        if org_nr is not None:
            query = query.where(AuditEvent.org_nr == org_nr)
        return await self._snapshots(AuditRecord, query)
