"""Placements (kundval) and per-provider placement statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    case,
    func,
    select,
)

from models.records.keyed import (
    KeyedStore,
    _one_of,
    _org_nr,
)
from models.records.tables import (
    PLACEMENT_STATUSES,
    Contract,
    Placement,
)


@dataclass(frozen=True, slots=True)
class PlacementRecord:
    placement_id: str
    customer_ref: str
    area: str
    service_type: str
    granted_hours: Decimal
    decision_date: date
    status: str
    org_nr: str | None
    pending_org_nr: str | None
    provider_start: date | None
    care_plan_due: date | None
    care_plan_done_on: date | None
    care_plan_current: bool
    end_date: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProviderPlacementStats:
    """Seed 003 §2.2, per provider over its current placements."""

    org_nr: str
    decisions: int
    granted_hours: Decimal
    care_plans_current: int

    @property
    def share_current(self) -> Decimal:
        if not self.decisions:
            return Decimal("0")
        return (Decimal(self.care_plans_current) / Decimal(self.decisions)).quantize(
            Decimal("0.01")
        )


class PlacementRecords(KeyedStore):
    async def upsert_placement(
        self,
        placement_id: str,
        *,
        customer_ref: str,
        area: str,
        service_type: str,
        granted_hours: Decimal,
        decision_date: date,
        status: str,
        org_nr: str | None,
        pending_org_nr: str | None,
        provider_start: date | None,
        care_plan_due: date | None,
        care_plan_done_on: date | None,
        care_plan_current: bool,
        end_date: date | None,
        at: datetime,
        plan_id: str | None = None,
    ) -> bool:
        """Record a placement's state. `plan_id` None (an activity scheduled by a workflow from
        before the plan was written) leaves the recorded plan as it is."""
        _one_of("placement status", status, PLACEMENT_STATUSES)
        if not isinstance(granted_hours, Decimal):
            raise TypeError("granted_hours: Decimal required (never float)")
        state = {
            "status": status,
            "org_nr": None if org_nr is None else _org_nr(org_nr),
            "pending_org_nr": None if pending_org_nr is None else _org_nr(pending_org_nr),
            "provider_start": provider_start,
            "care_plan_due": care_plan_due,
            "care_plan_done_on": care_plan_done_on,
            "care_plan_current": care_plan_current,
            "end_date": end_date,
            **({"plan_id": plan_id} if plan_id is not None else {}),
        }
        values = {
            "plan_id": plan_id,
            **state,
            "placement_id": placement_id,
            "customer_ref": customer_ref,
            "area": area,
            "service_type": service_type,
            "granted_hours": granted_hours,
            "decision_date": decision_date,
        }
        key = Placement.placement_id == placement_id
        return await self._upsert(Placement, key, values, state, at)

    async def get_placement(self, placement_id: str) -> PlacementRecord | None:
        return await self._one(
            PlacementRecord, select(Placement).where(Placement.placement_id == placement_id)
        )

    async def list_placements(
        self,
        *,
        org_nr: str | None = None,
        status: str | None = None,
        area: str | None = None,
        plan_id: str | None = None,
    ) -> list[PlacementRecord]:
        """Placements in the order they were registered; each filter given narrows the list.

        `org_nr`: the provider serving the placement or taking it over. `area`: compared without
        regard to case (Python's casefold, so Å and å are one letter; SQLite's lower() folds only
        ASCII). `plan_id`: the placement's plan, awaiting a choice included; a row whose plan was
        never recorded (before 0012_placement_plan, not backfilled) by its provider's contract."""
        query = select(Placement).order_by(Placement.created_at, Placement.id)
        if org_nr is not None:
            query = query.where((Placement.org_nr == org_nr) | (Placement.pending_org_nr == org_nr))
        if status is not None:
            _one_of("placement status", status, PLACEMENT_STATUSES)
            query = query.where(Placement.status == status)
        if plan_id is not None:
            contracts = select(Contract.org_nr).where(Contract.plan_id == plan_id)
            query = query.where(
                (Placement.plan_id == plan_id)
                | (Placement.plan_id.is_(None) & Placement.org_nr.in_(contracts))
            )
        found = await self._snapshots(PlacementRecord, query)
        if area is not None:
            wanted = area.strip().casefold()
            found = [p for p in found if p.area.casefold() == wanted]
        return found

    async def current_placements(self, org_nr: str) -> list[str]:
        """Ids of the placements not ended that `org_nr` serves or is about to take over."""
        query = (
            select(Placement.placement_id)
            .where(
                Placement.status != "ended",
                (Placement.org_nr == org_nr) | (Placement.pending_org_nr == org_nr),
            )
            .order_by(Placement.id)
        )
        async with self._sessions() as session:
            return list((await session.execute(query)).scalars().all())

    async def placement_statistics(self) -> list[ProviderPlacementStats]:
        """Per provider: decisions, granted hours and current genomförandeplaner (active ones)."""
        current = func.sum(case((Placement.care_plan_current, 1), else_=0))
        query = (
            select(
                Placement.org_nr,
                func.count(Placement.id),
                func.sum(Placement.granted_hours),
                current,
            )
            .where(Placement.status == "active", Placement.org_nr.is_not(None))
            .group_by(Placement.org_nr)
            .order_by(Placement.org_nr)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            ProviderPlacementStats(
                org_nr=org_nr,
                decisions=int(count),
                # SQLite sums NUMERIC as float; go through str so no binary fraction survives.
                granted_hours=Decimal(str(hours)).quantize(Decimal("0.01")),
                care_plans_current=int(done or 0),
            )
            for org_nr, count, hours, done in rows
        ]
