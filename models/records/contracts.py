"""Providers, their contracts and contract years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from models.records.access import snapshot
from models.records.keyed import (
    KeyedStore,
    RecordNotFound,
    _one_of,
    _org_nr,
)
from models.records.tables import (
    CONTRACT_STATUSES,
    TERMINATION_KINDS,
    Contract,
    ContractYear,
    Provider,
)


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    org_nr: str
    name: str
    email: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContractRecord:
    workflow_id: str
    org_nr: str
    plan_id: str
    start_date: date
    status: str
    end_date: date | None
    termination_kind: str | None
    termination_reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContractYearRecord:
    workflow_id: str
    year: int
    plan_id: str
    plan_version: str
    recorded_at: datetime


class ContractRecords(KeyedStore):
    async def upsert_provider(self, org_nr: str, name: str, email: str, at: datetime) -> bool:
        values = {"org_nr": _org_nr(org_nr), "name": name, "email": email}
        return await self._upsert(
            Provider, Provider.org_nr == org_nr, values, {"name": name, "email": email}, at
        )

    async def get_provider(
        self, org_nr: str, connection: AsyncConnection | None = None
    ) -> ProviderRecord | None:
        row = await self._first(select(Provider).where(Provider.org_nr == org_nr), connection)
        return None if row is None else snapshot(ProviderRecord, row)

    async def provider_email(
        self, org_nr: str, connection: AsyncConnection | None = None
    ) -> str | None:
        provider = await self.get_provider(org_nr, connection)
        return None if provider is None else provider.email

    async def record_contract(
        self, workflow_id: str, org_nr: str, plan_id: str, start_date: date, at: datetime
    ) -> bool:
        """Record a new active contract; the provider must be recorded first."""
        values = {
            "workflow_id": workflow_id,
            "org_nr": _org_nr(org_nr),
            "plan_id": plan_id,
            "start_date": start_date,
            "status": "active",
            "created_at": at,
            "updated_at": at,
        }
        return await self._insert_once(Contract, values, Contract.workflow_id == workflow_id)

    async def get_contract(self, workflow_id: str) -> ContractRecord | None:
        row = await self._first(select(Contract).where(Contract.workflow_id == workflow_id))
        return None if row is None else snapshot(ContractRecord, row)

    async def set_contract_status(
        self,
        workflow_id: str,
        status: str,
        at: datetime,
        end_date: date | None = None,
        termination_kind: str | None = None,
        reason: str | None = None,
    ) -> None:
        _one_of("contract status", status, CONTRACT_STATUSES)
        if termination_kind is not None:
            _one_of("termination kind", termination_kind, TERMINATION_KINDS)
        # Setting absolute values makes a repeated call a no-op, so no key is needed.
        statement = (
            update(Contract)
            .where(Contract.workflow_id == workflow_id)
            .values(
                status=status,
                end_date=end_date,
                termination_kind=termination_kind,
                termination_reason=reason,
                updated_at=at,
            )
        )
        async with self._transaction() as session:
            if not (await session.execute(statement)).rowcount:  # type: ignore[attr-defined]
                raise RecordNotFound(f"no contract recorded for workflow {workflow_id}")

    async def record_contract_year(
        self, workflow_id: str, year: int, plan_id: str, plan_version: str, at: datetime
    ) -> bool:
        values = {
            "workflow_id": workflow_id,
            "year": year,
            "plan_id": plan_id,
            "plan_version": plan_version,
            "recorded_at": at,
        }
        key = (ContractYear.workflow_id == workflow_id, ContractYear.year == year)
        return await self._insert_once(ContractYear, values, *key)

    async def contract_years(self, workflow_id: str) -> list[ContractYearRecord]:
        rows = await self._all(
            select(ContractYear)
            .where(ContractYear.workflow_id == workflow_id)
            .order_by(ContractYear.year)
        )
        return [snapshot(ContractYearRecord, row) for row in rows]

    async def provider_names(self) -> dict[str, str]:
        async with self._sessions() as session:
            rows = await session.execute(select(Provider.org_nr, Provider.name))
            return {org_nr: name for org_nr, name in rows.all()}
