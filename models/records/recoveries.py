"""Recovery (återkrav) cases, their claim lines and steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    select,
)

from models.records.keyed import (
    _LINE_KEYS,
    KeyedStore,
    _given,
    _money,
    _one_of,
    _org_nr,
)
from models.records.tables import (
    RECOVERY_STATUSES,
    Contract,
    Recovery,
    RecoveryLine,
    RecoveryStep,
)


@dataclass(frozen=True, slots=True)
class RecoveryRecord:
    recovery_id: str
    workflow_id: str
    org_nr: str
    year: int
    status: str
    claimed_amount: Decimal | None
    amount: Decimal | None
    response: str | None
    response_due: date | None
    decision: str | None
    decision_reason: str | None
    settlement: str | None
    invoice_number: str | None
    payment_due: date | None
    paid_at: datetime | None
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecoveryLineRecord:
    recovery_id: str
    revision: int
    line_no: int
    period: str
    customer_ref: str
    hours_billed: Decimal
    hours_approved: Decimal
    hourly_rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RecoveryStepRecord:
    idempotency_key: str
    recovery_id: str
    step: str
    status: str
    actor: str
    at: datetime
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecoveryTotal:
    """Recovery cases of one provider opened in one year (amounts in SEK)."""

    org_nr: str
    year: int
    cases: int
    open_cases: int
    withdrawn_cases: int
    claimed: Decimal  # as noticed
    decided: Decimal  # confirmed or adjusted
    paid: Decimal
    outstanding: Decimal  # decided, not yet paid


class RecoveryRecords(KeyedStore):
    async def upsert_recovery(
        self,
        recovery_id: str,
        org_nr: str,
        status: str,
        amount: Decimal | None,
        at: datetime,
        data: Mapping[str, Any] | None = None,
        *,
        workflow_id: str | None = None,
        year: int | None = None,
        claimed_amount: Decimal | None = None,
        response: str | None = None,
        response_due: date | None = None,
        decision: str | None = None,
        decision_reason: str | None = None,
        settlement: str | None = None,
        invoice_number: str | None = None,
        payment_due: date | None = None,
        paid_at: datetime | None = None,
    ) -> bool:
        """Record a case's whole current state (the workflow always sends all of it), so a
        repeated call is a no-op and an older state never overwrites a newer one."""
        _one_of("recovery status", status, RECOVERY_STATUSES)
        state = {
            "status": status,
            "amount": amount,
            "claimed_amount": claimed_amount,
            "response": response,
            "response_due": response_due,
            "decision": decision,
            "decision_reason": decision_reason,
            "settlement": settlement,
            "invoice_number": invoice_number,
            "payment_due": payment_due,
            "paid_at": paid_at,
            "data": dict(data or {}),
        }
        values = {
            **state,
            "recovery_id": recovery_id,
            "workflow_id": workflow_id or recovery_id,
            "org_nr": _org_nr(org_nr),
            "year": year if year is not None else at.year,
        }
        key = Recovery.recovery_id == recovery_id
        return await self._upsert(Recovery, key, values, state, at)

    async def get_recovery(self, recovery_id: str) -> RecoveryRecord | None:
        return await self._one(
            RecoveryRecord, select(Recovery).where(Recovery.recovery_id == recovery_id)
        )

    async def list_recoveries(
        self,
        org_nr: str | None = None,
        year: int | None = None,
        *,
        status: str | None = None,
        plan_id: str | None = None,
    ) -> list[RecoveryRecord]:
        """Cases by year, provider and case id; each filter given narrows the list. A case
        belongs to the plan of its provider's contract (the plan it was started under)."""
        query = select(Recovery).order_by(Recovery.year, Recovery.org_nr, Recovery.recovery_id)
        query = query.where(*_given((Recovery.org_nr, org_nr), (Recovery.year, year)))
        if status is not None:
            _one_of("recovery status", status, RECOVERY_STATUSES)
            query = query.where(Recovery.status == status)
        if plan_id is not None:
            contracts = select(Contract.org_nr).where(Contract.plan_id == plan_id)
            query = query.where(Recovery.org_nr.in_(contracts))
        return await self._snapshots(RecoveryRecord, query)

    async def record_recovery_lines(
        self, recovery_id: str, revision: int, lines: Sequence[Mapping[str, Any]]
    ) -> int:
        """Record a revision of a case's claim lines (numbered from 1); returns rows written.

        `lines` are {period, customer_ref, hours_billed, hours_approved, hourly_rate, amount};
        each line is keyed by (case, revision, line number), so a retry writes nothing twice.
        """
        written = 0
        for line_no, line in enumerate(lines, 1):
            values = {
                "recovery_id": recovery_id,
                "revision": revision,
                "line_no": line_no,
                **{name: line[name] for name in _LINE_KEYS},
            }
            key = (
                RecoveryLine.recovery_id == recovery_id,
                RecoveryLine.revision == revision,
                RecoveryLine.line_no == line_no,
            )
            written += await self._insert_once(RecoveryLine, values, *key)
        return written

    async def list_recovery_lines(
        self, recovery_id: str, revision: int | None = None
    ) -> list[RecoveryLineRecord]:
        query = (
            select(RecoveryLine)
            .where(RecoveryLine.recovery_id == recovery_id)
            .order_by(RecoveryLine.revision, RecoveryLine.line_no)
        )
        query = query.where(*_given((RecoveryLine.revision, revision)))
        return await self._snapshots(RecoveryLineRecord, query)

    async def record_recovery_step(
        self,
        key: str,
        recovery_id: str,
        step: str,
        status: str,
        actor: str,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> bool:
        _one_of("recovery status", status, RECOVERY_STATUSES)
        values = {
            "idempotency_key": key,
            "recovery_id": recovery_id,
            "step": step,
            "status": status,
            "actor": actor,
            "at": at,
            "details": dict(details or {}),
        }
        return await self._insert_once(RecoveryStep, values, RecoveryStep.idempotency_key == key)

    async def list_recovery_steps(self, recovery_id: str) -> list[RecoveryStepRecord]:
        query = (
            select(RecoveryStep)
            .where(RecoveryStep.recovery_id == recovery_id)
            .order_by(RecoveryStep.at, RecoveryStep.id)
        )
        return await self._snapshots(RecoveryStepRecord, query)

    async def recovery_totals(
        self, org_nr: str | None = None, year: int | None = None
    ) -> list[RecoveryTotal]:
        """Per provider and year: cases, amounts claimed, decided, paid and still owed.

        Summed here with Decimal rather than by SQL SUM: SQLite keeps NUMERIC as floating
        point, and a sum of many öre amounts must not drift.
        """
        groups: dict[tuple[str, int], list[RecoveryRecord]] = {}
        for record in await self.list_recoveries(org_nr, year):
            groups.setdefault((record.org_nr, record.year), []).append(record)
        totals = []
        for (org, the_year), cases in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
            decided = [c for c in cases if c.decision in ("confirmed", "adjusted")]
            paid = [c for c in decided if c.status == "paid"]
            totals.append(
                RecoveryTotal(
                    org_nr=org,
                    year=the_year,
                    cases=len(cases),
                    open_cases=sum(c.status not in ("paid", "withdrawn") for c in cases),
                    withdrawn_cases=sum(c.status == "withdrawn" for c in cases),
                    claimed=_money(c.claimed_amount for c in cases),
                    decided=_money(c.amount for c in decided),
                    paid=_money(c.amount for c in paid),
                    outstanding=_money(c.amount for c in decided if c.status != "paid"),
                )
            )
        return totals
