"""A provider's placements (kundval) in the portal: the genomförandeplaner it still owes, one
placement, and its report that the plan is established.

The report is the case officer's `lov placement plan-done` and the desk's: the checked
`care_plan_done` Update of services/placements.py, with the provider's contact address as the
actor. Every placement is looked up for the provider of the visit (services/portal.PortalProvider),
by its generated id: a placement of another provider is "no such placement"
(ActionError("placement")), exactly as one that does not exist, and nothing is sent. The customer
appears only by the pseudonymous reference, on the page, never in an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from temporalio.client import Client

from models.domain.customer_ref import looks_like_personnummer
from models.ids import is_placement_id
from models.messages.placement import CarePlanDoneRequest, PlacementStatus
from models.records.placements import PlacementRecord
from models.records.store import RecordStore
from services import placements
from services.errors import ActionError
from services.placements import HIDDEN_REF
from services.portal import PortalProvider


@dataclass(frozen=True, slots=True)
class PortalPlacement:
    placement: PlacementRecord

    @property
    def placement_id(self) -> str:
        return self.placement.placement_id

    @property
    def customer_ref(self) -> str:
        """The pseudonymous reference the provider was told of; never a personnummer."""
        ref = self.placement.customer_ref
        return HIDDEN_REF if looks_like_personnummer(ref) else ref

    @property
    def care_plan_owed(self) -> bool:
        """The provider still owes the genomförandeplan (and may report it)."""
        p = self.placement
        return p.status != "ended" and p.care_plan_due is not None and p.care_plan_done_on is None

    def overdue(self, today: date) -> bool:
        due = self.placement.care_plan_due
        return self.care_plan_owed and due is not None and due < today


def _nowhere() -> ActionError:
    return ActionError("placement", "no such placement")


async def care_plans_owed(store: RecordStore, provider: PortalProvider) -> list[PortalPlacement]:
    """The provider's placements whose genomförandeplan is not yet reported, earliest due first."""
    found = [
        PortalPlacement(p)
        for p in await store.list_placements(org_nr=provider.org_nr)
        if p.org_nr == provider.org_nr
    ]
    owed = [p for p in found if p.care_plan_owed]
    return sorted(owed, key=lambda p: (p.placement.care_plan_due or date.max, p.placement_id))


async def placement(
    store: RecordStore, provider: PortalProvider, placement_id: str
) -> PortalPlacement:
    """One placement the provider serves; ActionError("placement") otherwise (the id is never
    echoed: what was typed may be anything)."""
    if not is_placement_id(placement_id):
        raise _nowhere()
    found = await store.get_placement(placement_id)
    if found is None or found.org_nr != provider.org_nr:
        raise _nowhere()
    return PortalPlacement(found)


def done_on(found: PortalPlacement, typed: str, today: date) -> date:
    """The day the plan was established, as typed (ÅÅÅÅ-MM-DD): from the provider's start up to
    today, as the workflow's validator requires too. ActionError("done_on") otherwise."""
    value = typed.strip()
    if not value:
        raise ActionError("done_on", "missing")
    try:
        when = date.fromisoformat(value)
    except ValueError:
        raise ActionError("done_on", "not a date") from None
    if when > today:
        raise ActionError("done_on", "must not be in the future")
    start = found.placement.provider_start
    if start is not None and when < start:
        raise ActionError("done_on", "before the provider's start")
    return when


async def care_plan_done(
    client: Client,
    store: RecordStore,
    provider: PortalProvider,
    placement_id: str,
    typed_done_on: str,
    today: date,
) -> PlacementStatus:
    """The provider reports its genomförandeplan for `placement_id` as established on the day
    typed: ActionError("placement") for another provider's placement, ActionError("done_on")
    for a bad day, ActionError("status") when none is owed; nothing is sent then."""
    found = await placement(store, provider, placement_id)
    if not found.care_plan_owed:
        raise ActionError("status", "the genomförandeplan is already registered")
    when = done_on(found, typed_done_on, today)
    # The records may lag behind the workflow (a switch just completed): the plan owed now must
    # be this provider's, by the workflow's own word.
    current = await placements.status(client, found.placement_id)
    care = current.care_plan
    if care is None or care.org_nr != provider.org_nr:
        raise _nowhere()
    request = CarePlanDoneRequest(done_on=when, actor=provider.email)
    return await placements.care_plan_done(client, found.placement_id, request)
