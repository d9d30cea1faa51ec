"""Reads across providers for reports and `lov overdue`."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    func,
    select,
    union_all,
)

from models.domain.compliance import ContractFact, FindingFact, OccurrenceFact
from models.domain.municipal_figures import MunicipalTaskFact
from models.records.keyed import (
    KeyedStore,
    _period_in_year,
)
from models.records.tables import (
    Application,
    AuditEvent,
    Contract,
    ContractYear,
    Finding,
    FindingDecision,
    FindingStep,
    MunicipalTask,
    ObligationOccurrence,
    Placement,
    Provider,
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
        # Core reads (no ORM session): the rows are plain tuples, and the ORM's per-row work
        # was most of the report's time at 1,000 providers (docs/PERFORMANCE.md §6).
        rows = await self._all(
            select(
                occ.workflow_id,
                occ.org_nr,
                occ.obligation,
                occ.period,
                occ.due,
                occ.status,
                occ.nominal_due,
            ).where(in_year)
        )
        # Only the lateness from each outcome's details, read by the database, not every
        # "submitted" outcome's whole JSON.
        late_days = func.coalesce(AuditEvent.details["late_days"].as_integer(), 0)
        submitted = await self._all(
            select(AuditEvent.workflow_id, late_days)
            .join(occ, occ.workflow_id == AuditEvent.workflow_id)
            .where(in_year, AuditEvent.event_type == "submitted")
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        first: dict[str, int] = {}
        for workflow_id, late in submitted:
            first.setdefault(workflow_id, int(late))
        return [
            OccurrenceFact(
                org_nr, obligation, period, due, status, first.get(workflow_id), nominal_due
            )
            for workflow_id, org_nr, obligation, period, due, status, nominal_due in rows
        ]

    async def compliance_stamp(self, year: int) -> tuple[Any, ...]:
        """A mark of what the compliance matrix of `year` reads, that moves when those records
        change: one SELECT of aggregates the indexes answer (a few ms at 1,000 providers × 10
        years, against about 100 ms for the matrix's own reads), so a desk can keep the matrix
        while this stays the same (services/reports.py ComplianceCache).

        Rows written once (audit events, submissions, contract years) move their table's
        highest id; rows updated in place (occurrences, contracts, providers, placements) their
        count and latest `updated_at`. An update whose workflow time is older than the table's
        latest and that writes no audit event would not move it; the cache's age limit bounds
        that case."""
        occ = ObligationOccurrence
        in_year = _period_in_year(occ.period, year)
        marks = [
            select(func.count()).select_from(occ).where(in_year),
            select(func.max(occ.updated_at)).where(in_year),
            select(func.max(AuditEvent.id)),
            select(func.max(Submission.id)),
            select(func.max(ContractYear.id)),
            *(
                mark
                for table in (Contract, Provider, Placement)
                for mark in (
                    select(func.count()).select_from(table),
                    select(func.max(table.updated_at)),
                )
            ),
        ]
        row = await self._first(select(*(mark.scalar_subquery() for mark in marks)))
        return tuple(row)

    async def compliance_contracts(self, year: int) -> dict[str, ContractFact]:
        """Per provider, its latest contract: its state, and the plan it followed in follow-up
        year `year` (recorded when the year was prepared; else the contract's plan). An
        obligation key means something only within its plan, so the report looks its title
        and date up there."""
        async with self._sessions() as session:
            contracts = (
                await session.execute(
                    select(
                        Contract.workflow_id,
                        Contract.org_nr,
                        Contract.plan_id,
                        Contract.status,
                        Contract.end_date,
                        Contract.termination_kind,
                    ).order_by(Contract.start_date, Contract.id)
                )
            ).all()
            year_plans = dict(
                (
                    await session.execute(
                        select(ContractYear.workflow_id, ContractYear.plan_id).where(
                            ContractYear.year == year
                        )
                    )
                ).all()
            )
        of_year: dict[str, ContractFact] = {}
        latest: dict[str, ContractFact] = {}
        for workflow_id, org_nr, plan_id, status, end_date, kind in contracts:
            # Ordered by start: the last one seen is the provider's latest. A contract that ran
            # in `year` goes before a later one (a new contract under another plan).
            fact = ContractFact(
                org_nr, year_plans.get(workflow_id, plan_id), status, end_date, kind
            )
            latest[org_nr] = fact
            if workflow_id in year_plans:
                of_year[org_nr] = fact
        return latest | of_year

    async def latest_report_fields(self, year: int, key: str) -> dict[str, dict[str, Any]]:
        """Per provider, the fields of its latest submission of `year` that reports `key`."""
        sub = Submission
        in_year = _period_in_year(sub.period, year)
        rows = await self._all(
            select(sub.org_nr, sub.fields).where(in_year).order_by(sub.submitted_at, sub.id)
        )
        latest: dict[str, dict[str, Any]] = {}
        for org_nr, fields in rows:
            if key in fields:
                latest[org_nr] = dict(fields)
        return latest

    async def compliance_findings(self, year: int) -> list[FindingFact]:
        """Every finding registered in `year` (its own year, in the plan's time zone): its state,
        whether a verification found it remedied, the sanctions decided and their amounts.
        Three queries whatever the number of findings."""
        rows = await self._all(
            select(Finding.finding_id, Finding.org_nr, Finding.status, Finding.sanctioned_amount)
            .where(Finding.year == year)
            .order_by(Finding.org_nr, Finding.finding_id)
        )
        in_year = Finding.finding_id == FindingStep.finding_id
        remedied = {
            finding_id
            for (finding_id,) in await self._all(
                select(FindingStep.finding_id)
                .join(Finding, in_year)
                .where(Finding.year == year, FindingStep.step == "verified-remedied")
            )
        }
        decisions: dict[str, list[str]] = {}
        for finding_id, kind in await self._all(
            select(FindingDecision.finding_id, FindingDecision.kind)
            .join(Finding, Finding.finding_id == FindingDecision.finding_id)
            .where(Finding.year == year)
            .order_by(FindingDecision.at, FindingDecision.id)
        ):
            decisions.setdefault(finding_id, []).append(kind)
        return [
            FindingFact(
                org_nr,
                finding_id,
                status,
                # Closed by its verification; a finding closed otherwise was not remedied.
                status == "closed" and finding_id in remedied,
                tuple(decisions.get(finding_id, ())),
                amount,
            )
            for finding_id, org_nr, status, amount in rows
        ]

    async def compliance_municipal_tasks(self, year: int) -> list[MunicipalTaskFact]:
        """Every municipal task due in `year` (issue 19): its plan, owner role, provider (if
        done at one), state as last recorded and whether it went to the owner's manager."""
        rows = await self._all(
            select(
                MunicipalTask.plan_id,
                MunicipalTask.owner,
                MunicipalTask.org_nr,
                MunicipalTask.state,
                MunicipalTask.escalated,
            )
            .where(MunicipalTask.due >= date(year, 1, 1), MunicipalTask.due <= date(year, 12, 31))
            .order_by(MunicipalTask.plan_id, MunicipalTask.task_id)
        )
        return [
            MunicipalTaskFact(plan, owner, org_nr or None, state, bool(escalated))
            for plan, owner, org_nr, state, escalated in rows
        ]
