"""What went wrong with e-mail, for `lov mail` and the desk: refused or unanswered messages
(`mail_failures`) and mail server outages (`mail_outages`), read from the records database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.records.mail_incidents import MailFailureRecord, MailIncidentStore, MailOutageRecord
from models.runtime.settings import Settings
from services.record_reads import read_records


async def failures(settings: Settings) -> list[MailFailureRecord]:
    """E-mails the server refused for good, or never answered; they are not sent again."""
    return await read_records(
        settings.require_records(), MailIncidentStore, lambda s: s.list_failures()
    )


async def outages(settings: Settings) -> list[MailOutageRecord]:
    """Stretches when no e-mail could be sent."""
    return await read_records(
        settings.require_records(), MailIncidentStore, lambda s: s.list_outages()
    )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def failure_json(f: MailFailureRecord) -> dict[str, Any]:
    return {
        "key": f.idempotency_key,
        "message_id": f.message_id,
        "kind": f.kind,
        "org_nr": f.org_nr,
        "workflow_id": f.workflow_id,
        "reason": f.reason,
        "refused": f.refused,
        "error": f.error,
        "at": _iso(f.at),
        "administrator_told": f.notice_key is not None,
    }


def outage_json(o: MailOutageRecord) -> dict[str, Any]:
    return {
        "started_at": _iso(o.started_at),
        "last_failure_at": _iso(o.last_failure_at),
        "ended_at": _iso(o.ended_at),
        "failures": o.failures,
        "declared": o.declared_at is not None,
        "administrator_told": o.notified_at is not None,
        "last_error": o.last_error,
    }
