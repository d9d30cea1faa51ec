"""Reads across providers for reports and `lov overdue`."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    select,
    union_all,
)

from models.domain.compliance import OccurrenceFact
from models.records.keyed import (
    KeyedStore,
    _period_in_year,
)
from models.records.tables import (
    Application,
    AuditEvent,
    ObligationOccurrence,
    Submission,
)


class ReportRecords(KeyedStore):
    async def workflow_org_nrs(self, workflow_ids: Collection[str]) -> dict[str, str]:
        """Workflow id → org nr, for those of `workflow_ids` that are obligations or
        applications (the workflows that go overdue): a sole trader's workflow carries only
        its opaque key in Temporal, and `lov overdue` names the provider by its org nr."""
        ids = sorted(set(workflow_ids))
        if not ids:
            return {}
        occurrences = select(ObligationOccurrence.workflow_id, ObligationOccurrence.org_nr).where(
            ObligationOccurrence.workflow_id.in_(ids)
        )
        applications = select(Application.application_id, Application.org_nr).where(
            Application.application_id.in_(ids)
        )
        rows = await self._all(union_all(occurrences, applications))
        return {workflow_id: org_nr for workflow_id, org_nr in rows}

    async def compliance_facts(self, year: int) -> list[OccurrenceFact]:
        """Every occurrence of follow-up year `year`, with its first submission's lateness.

        Two queries whatever the number of providers: the occurrences, and the "submitted"
        outcomes of those occurrences (their audit details carry the lateness as computed by the
        workflow against the deadline then in force).
        """
        occ = ObligationOccurrence
        in_year = _period_in_year(occ.period, year)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(
                        occ.workflow_id, occ.org_nr, occ.obligation, occ.period, occ.due, occ.status
                    ).where(in_year)
                )
            ).all()
            submitted = (
                await session.execute(
                    select(AuditEvent.workflow_id, AuditEvent.details)
                    .join(occ, occ.workflow_id == AuditEvent.workflow_id)
                    .where(in_year, AuditEvent.event_type == "submitted")
                    .order_by(AuditEvent.at, AuditEvent.id)
                )
            ).all()
        first: dict[str, int] = {}
        for workflow_id, details in submitted:
            first.setdefault(workflow_id, int(details.get("late_days", 0)))
        return [
            OccurrenceFact(org_nr, obligation, period, due, status, first.get(workflow_id))
            for workflow_id, org_nr, obligation, period, due, status in rows
        ]

    async def latest_report_fields(self, year: int, key: str) -> dict[str, dict[str, Any]]:
        """Per provider, the fields of its latest submission of `year` that reports `key`."""
        sub = Submission
        in_year = _period_in_year(sub.period, year)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(sub.org_nr, sub.fields).where(in_year).order_by(sub.submitted_at, sub.id)
                )
            ).all()
        latest: dict[str, dict[str, Any]] = {}
        for org_nr, fields in rows:
            if key in fields:
                latest[org_nr] = dict(fields)
        return latest
