"""What went wrong with e-mail, for `lov mail` and the desk: refused or unanswered messages
(`mail_failures`) and mail server outages (`mail_outages`), read from the records database."""

from __future__ import annotations

from typing import Any

from models.domain.date_text import iso_or_none
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
        "at": iso_or_none(f.at),
        "administrator_told": f.notice_key is not None,
    }


def outage_json(o: MailOutageRecord) -> dict[str, Any]:
    return {
        "started_at": iso_or_none(o.started_at),
        "last_failure_at": iso_or_none(o.last_failure_at),
        "ended_at": iso_or_none(o.ended_at),
        "failures": o.failures,
        "declared": o.declared_at is not None,
        "administrator_told": o.notified_at is not None,
        "last_error": o.last_error,
    }
