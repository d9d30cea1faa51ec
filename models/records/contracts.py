"""Providers, their contracts and contract years."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

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
class ProviderContractRecord:
    """A provider and its latest contract (None if none is recorded): one row of
    `lov provider list`."""

    provider: ProviderRecord
    contract: ContractRecord | None


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
        return await self._one(
            ProviderRecord, select(Provider).where(Provider.org_nr == org_nr), connection
        )

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
        return await self._one(
            ContractRecord, select(Contract).where(Contract.workflow_id == workflow_id)
        )

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
        return await self._snapshots(
            ContractYearRecord,
            select(ContractYear)
            .where(ContractYear.workflow_id == workflow_id)
            .order_by(ContractYear.year),
        )

    async def provider_names(self) -> dict[str, str]:
        async with self._sessions() as session:
            rows = await session.execute(select(Provider.org_nr, Provider.name))
            return {org_nr: name for org_nr, name in rows.all()}

    async def contracts_of(self, org_nr: str) -> list[ContractRecord]:
        """The provider's contracts, oldest first."""
        return await self._snapshots(
            ContractRecord,
            select(Contract)
            .where(Contract.org_nr == org_nr)
            .order_by(Contract.start_date, Contract.id),
        )

    async def list_provider_contracts(
        self,
        plan_id: str | None = None,
        status: str | None = None,
        search: str | None = None,
    ) -> list[ProviderContractRecord]:
        """Every provider with its latest contract, by name. `plan_id` and `status` filter on
        that contract (a provider without one is left out then); `search` matches a part of the
        name (any case) or of the org nr (with or without the dash)."""
        if status is not None:
            _one_of("contract status", status, CONTRACT_STATUSES)
        query = (
            select(Provider, Contract)
            .outerjoin(Contract, Contract.org_nr == Provider.org_nr)
            .order_by(Provider.org_nr, Contract.start_date, Contract.id)
        )
        latest: dict[str, ProviderContractRecord] = {}
        async with self._reader.connect() as connection:
            result = await connection.execute(query)
            for row in result.all():
                provider = ProviderRecord(
                    **{f: row._mapping[Provider.__table__.c[f]] for f in _PROVIDER_FIELDS}
                )
                contract = (
                    None
                    if row._mapping[Contract.__table__.c.workflow_id] is None
                    else ContractRecord(
                        **{f: row._mapping[Contract.__table__.c[f]] for f in _CONTRACT_FIELDS}
                    )
                )
                # Ordered by start: the last contract seen is the provider's latest.
                latest[provider.org_nr] = ProviderContractRecord(provider, contract)
        # Matched here rather than in SQL: SQLite's lower() folds ASCII only ("Å", "Ö").
        needle = (search or "").strip().casefold()
        digits = needle.replace("-", "")
        found = [
            entry
            for entry in latest.values()
            if (plan_id is None or (entry.contract and entry.contract.plan_id == plan_id))
            and (status is None or (entry.contract and entry.contract.status == status))
            and (
                not needle
                or needle in entry.provider.name.casefold()
                or (digits.isdigit() and digits in entry.provider.org_nr.replace("-", ""))
            )
        ]
        return sorted(found, key=lambda e: (e.provider.name.casefold(), e.provider.org_nr))


_PROVIDER_FIELDS = [f.name for f in fields(ProviderRecord)]
_CONTRACT_FIELDS = [f.name for f in fields(ContractRecord)]
