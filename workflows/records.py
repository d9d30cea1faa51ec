"""What workflows write to the records database besides their own rows: the audit trail, the
escalation log, and the history notes their status shows."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.records import RecordActivities
    from models.domain.calendar import ScheduledEscalation
    from models.messages.audit import AuditRecord
    from models.messages.obligation import EscalationWrite
    from workflows.common import call


def add_note(history: list[str], at: datetime, event: str, actor: str) -> int:
    """Append an outcome to a status history; its number (the count right after the append)
    keys the outcome's audit event, so outcomes noted without an await in between never share
    a number."""
    history.append(f"{at.isoformat()} {event} ({actor})")
    return len(history)


def record_audit(
    key: str, at: datetime, org_nr: str, event_type: str, actor: str, details: dict[str, Any]
) -> Coroutine[Any, Any, bool]:
    """One audit event under "<workflow id>:<key>", built when called (see send_mail)."""
    wid = workflow.info().workflow_id
    return call(
        RecordActivities.record_audit,
        AuditRecord(
            key=f"{wid}:{key}",
            at=at,
            org_nr=org_nr,
            workflow_id=wid,
            event_type=event_type,
            actor=actor,
            details=details,
        ),
    )


def record_escalation(
    key: str, org_nr: str, obligation: str, period: str, step: ScheduledEscalation
) -> Coroutine[Any, Any, bool]:
    """One step of an escalation ladder taken, under "<workflow id>:<key>"."""
    wid = workflow.info().workflow_id
    return call(
        RecordActivities.record_escalation,
        EscalationWrite(
            key=f"{wid}:{key}",
            workflow_id=wid,
            org_nr=org_nr,
            obligation=obligation,
            period=period,
            level=step.level,
            kind=step.kind,
            title=step.title,
            at=workflow.now(),
        ),
    )
