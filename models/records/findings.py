"""Findings (brister): their state, steps and sanction decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from models.records.keyed import KeyedStore, _given, _money, _one_of, _org_nr
from models.records.tables import (
    FINDING_SEVERITIES,
    FINDING_SOURCES,
    FINDING_STATUSES,
    SANCTION_KINDS,
    Finding,
    FindingDecision,
    FindingStep,
)


@dataclass(frozen=True, slots=True)
class FindingRecord:
    finding_id: str
    workflow_id: str
    org_nr: str
    plan_id: str
    year: int
    status: str
    requirement: str
    severity: str
    source: str
    what: str
    round: int
    response_due: date | None
    action_plan_due: date | None
    last_decision: str | None
    sanctioned_amount: Decimal | None
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FindingStepRecord:
    idempotency_key: str
    finding_id: str
    step: str
    status: str
    actor: str
    at: datetime
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FindingDecisionRecord:
    idempotency_key: str
    finding_id: str
    org_nr: str
    kind: str
    title: str
    amount: Decimal | None
    reason: str
    actor: str
    at: datetime
    details: dict[str, Any]


class FindingRecords(KeyedStore):
    async def upsert_finding(
        self,
        finding_id: str,
        *,
        workflow_id: str,
        org_nr: str,
        plan_id: str,
        year: int,
        status: str,
        requirement: str,
        severity: str,
        source: str,
        what: str,
        round: int,
        at: datetime,
        response_due: date | None = None,
        action_plan_due: date | None = None,
        last_decision: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> bool:
        """Record a finding's whole current state (the workflow always sends all of it), so a
        repeated call is a no-op and an older state never overwrites a newer one."""
        _one_of("finding status", status, FINDING_STATUSES)
        _one_of("finding severity", severity, FINDING_SEVERITIES)
        _one_of("finding source", source, FINDING_SOURCES)
        state = {
            "status": status,
            "round": round,
            "response_due": response_due,
            "action_plan_due": action_plan_due,
            "data": dict(data or {}),
        }
        if last_decision is not None:
            _one_of("sanction", last_decision, SANCTION_KINDS)
            state["last_decision"] = last_decision
        values = {
            **state,
            "finding_id": finding_id,
            "workflow_id": workflow_id,
            "org_nr": _org_nr(org_nr),
            "plan_id": plan_id,
            "year": year,
            "requirement": requirement,
            "severity": severity,
            "source": source,
            "what": what,
        }
        key = Finding.finding_id == finding_id
        return await self._upsert(Finding, key, values, state, at)

    async def record_finding_step(
        self,
        key: str,
        finding_id: str,
        step: str,
        status: str,
        actor: str,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> bool:
        _one_of("finding status", status, FINDING_STATUSES)
        values = {
            "idempotency_key": key,
            "finding_id": finding_id,
            "step": step,
            "status": status,
            "actor": actor,
            "at": at,
            "details": dict(details or {}),
        }
        return await self._insert_once(FindingStep, values, FindingStep.idempotency_key == key)

    async def record_finding_decision(
        self,
        key: str,
        finding_id: str,
        org_nr: str,
        kind: str,
        title: str,
        amount: Decimal | None,
        reason: str,
        actor: str,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> bool:
        """One decision, once; the finding's `sanctioned_amount` is the sum of its amounts."""
        _one_of("sanction", kind, SANCTION_KINDS)
        values = {
            "idempotency_key": key,
            "finding_id": finding_id,
            "org_nr": _org_nr(org_nr),
            "kind": kind,
            "title": title,
            "amount": amount,
            "reason": reason,
            "actor": actor,
            "at": at,
            "details": dict(details or {}),
        }
        written = await self._insert_once(
            FindingDecision, values, FindingDecision.idempotency_key == key
        )
        total = _money(d.amount for d in await self.list_finding_decisions(finding_id))
        async with self._transaction() as connection:
            await connection.execute(
                update(Finding)
                .where(Finding.finding_id == finding_id)
                .values(sanctioned_amount=total if total > 0 else None)
            )
        return written

    async def get_finding(self, finding_id: str) -> FindingRecord | None:
        return await self._one(
            FindingRecord, select(Finding).where(Finding.finding_id == finding_id)
        )

    async def list_findings(
        self,
        org_nr: str | None = None,
        year: int | None = None,
        *,
        status: str | None = None,
        plan_id: str | None = None,
    ) -> list[FindingRecord]:
        query = select(Finding).order_by(Finding.year, Finding.org_nr, Finding.finding_id)
        query = query.where(
            *_given((Finding.org_nr, org_nr), (Finding.year, year), (Finding.plan_id, plan_id))
        )
        if status is not None:
            _one_of("finding status", status, FINDING_STATUSES)
            query = query.where(Finding.status == status)
        return await self._snapshots(FindingRecord, query)

    async def list_finding_steps(self, finding_id: str) -> list[FindingStepRecord]:
        query = (
            select(FindingStep)
            .where(FindingStep.finding_id == finding_id)
            .order_by(FindingStep.at, FindingStep.id)
        )
        return await self._snapshots(FindingStepRecord, query)

    async def list_finding_decisions(self, finding_id: str) -> list[FindingDecisionRecord]:
        query = (
            select(FindingDecision)
            .where(FindingDecision.finding_id == finding_id)
            .order_by(FindingDecision.at, FindingDecision.id)
        )
        return await self._snapshots(FindingDecisionRecord, query)

    async def list_amount_decisions(self) -> list[FindingDecisionRecord]:
        """The decisions with an amount (prisavdrag, vite), oldest first: what the finance
        system may be handed (services.findings.sanctions_for_invoicing)."""
        query = (
            select(FindingDecision)
            .where(FindingDecision.amount.is_not(None))
            .order_by(FindingDecision.at, FindingDecision.id)
        )
        return await self._snapshots(FindingDecisionRecord, query)
