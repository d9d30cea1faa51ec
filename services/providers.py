"""Providers as the records database knows them: the list, and one page per provider.

Read from the records (the workflows write every contract, occurrence, escalation, meeting,
recovery and placement there), so these queries work while Temporal is down and cost a few
SELECTs, not a walk through workflow histories.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from models.domain.contract_state import contract_state
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.records.access import snapshot
from models.records.provider_page import ProviderPageRecords
from models.records.tables import CONTRACT_STATUSES
from models.runtime.locations import RecordsConfig
from services.document_facts import DocumentFacts, document_facts
from services.errors import ActionError
from services.filters import plan_filter, search_filter
from services.record_reads import read_records

SETTLED = ("accepted", "waived", "cancelled")
RECOVERY_CLOSED = ("paid", "withdrawn")


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """One provider of `lov provider list`, with its latest contract (None fields if none)."""

    org_nr: str
    name: str
    email: str
    plan_id: str | None
    contract_start: date | None
    status: str | None
    end_date: date | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ContractFacts:
    workflow_id: str
    plan_id: str
    start_date: date
    status: str
    end_date: date | None
    termination_kind: str | None
    termination_reason: str | None
    plan_versions: dict[str, str]  # year → plan version, as recorded


@dataclass(frozen=True, slots=True)
class SubmittedFacts:
    """One submission of a duty: when, by whom (a provider contact when sent in the portal),
    and its documents by name and SHA-256, as the document store keeps them."""

    submitted_at: datetime
    actor: str
    documents: list[DocumentFacts]


@dataclass(frozen=True, slots=True)
class Duty:
    obligation: str
    title: str | None  # from the contract's plan, if it can be read here
    period: str
    due: date
    nominal_due: date
    state: str
    overdue: bool
    escalation_level: int
    submitted_at: datetime | None
    accepted_at: datetime | None
    submissions: list[SubmittedFacts] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EscalationStep:
    obligation: str
    period: str
    level: int
    kind: str
    title: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    meeting_id: str
    period: str
    status: str
    scheduled_at: datetime | None
    place: str | None


@dataclass(frozen=True, slots=True)
class RecoveryFacts:
    recovery_id: str
    year: int
    status: str
    claimed_amount: Decimal | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class PlacementFacts:
    current: int  # not ended: served now or about to be taken over
    active: int
    granted_hours: Decimal  # per month, over the active ones
    care_plans_current: int


@dataclass(frozen=True, slots=True)
class ProviderPage:
    """Everything the records hold about one provider, for `lov provider show`."""

    org_nr: str
    name: str
    email: str
    year: int
    contract: ContractFacts | None
    duties: list[Duty]
    open_escalations: list[EscalationStep]
    meetings: list[MeetingFacts]
    recoveries: list[RecoveryFacts]
    open_recoveries: int
    placements: PlacementFacts
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_status(status: str | None) -> str | None:
    """A contract status filter, or ActionError naming the allowed ones."""
    if status is None:
        return None
    value = status.strip()
    if value not in CONTRACT_STATUSES:
        raise ActionError(
            "--status",
            f"okänd status {value!r} (unknown); välj {', '.join(CONTRACT_STATUSES)}",
        )
    return value


async def list_providers(
    store: ProviderPageRecords,
    plan_id: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> list[ProviderRow]:
    """Providers by name with their latest contract; filtered by plan, contract status and a
    part of the name or org nr."""
    found = await store.list_provider_contracts(plan_id, check_status(status), search)
    return [
        ProviderRow(
            org_nr=e.provider.org_nr,
            name=e.provider.name,
            email=e.provider.email,
            plan_id=e.contract.plan_id if e.contract else None,
            contract_start=e.contract.start_date if e.contract else None,
            status=e.contract.status if e.contract else None,
            end_date=e.contract.end_date if e.contract else None,
        )
        for e in found
    ]


def _org_nr(org_nr: str) -> str:
    try:
        return normalize_org_nr(org_nr)
    except OrgNrError as err:
        raise ActionError("org_nr", str(err)) from None


@dataclass(frozen=True, slots=True)
class _Titles:
    duties: dict[str, str] = field(default_factory=dict)  # obligation → title
    documents: dict[str, dict[str, str]] = field(default_factory=dict)  # obligation → key → title


def _titles(plan_id: str, plans_dir: Path, notes: list[str]) -> _Titles:
    # Here, not at the top: the plan schema (pydantic) only for a provider with a contract.
    from models.plans.loader import PlanError, load_plan

    try:
        plan = load_plan(plan_id, plans_dir)
    except PlanError as err:
        notes.append(f"planen {plan_id} kan inte läsas här, skyldigheterna visas utan titel: {err}")
        return _Titles()
    return _Titles(
        {ob.key: ob.title for ob in plan.known_obligations},
        {ob.key: {d.key: d.title for d in ob.documents} for ob in plan.known_obligations},
    )


async def _submitted(
    store: ProviderPageRecords, workflow_id: str, document_titles: dict[str, str]
) -> list[SubmittedFacts]:
    return [
        SubmittedFacts(
            submitted_at=s.submitted_at,
            actor=s.actor,
            documents=[document_facts(d, document_titles) for d in s.documents],
        )
        for s in await store.list_submissions(workflow_id)
    ]


async def provider_page(
    store: ProviderPageRecords, org_nr: str, today: date, plans_dir: Path
) -> ProviderPage:
    """The provider's page: its latest contract, this year's duties (and earlier ones still
    not settled), open escalations, meetings, recoveries and placements. ActionError naming
    org_nr if the records know no such provider."""
    org = _org_nr(org_nr)
    provider = await store.get_provider(org)
    if provider is None:
        raise ActionError(
            "org_nr", f"ingen utförare {org} i registret (no such provider in the records)"
        )
    notes: list[str] = []
    contracts = await store.contracts_of(org)
    contract: ContractFacts | None = None
    titles = _Titles()
    if contracts:
        latest = contracts[-1]
        years = await store.contract_years(latest.workflow_id)
        contract = snapshot(
            ContractFacts,
            latest,
            status=contract_state(latest.status, latest.start_date, today),
            plan_versions={str(y.year): y.plan_version for y in years},
        )
        titles = _titles(latest.plan_id, plans_dir, notes)
    else:
        notes.append("inget avtal registrerat (no contract recorded)")
    duties = [
        snapshot(
            Duty,
            o,
            title=titles.duties.get(o.obligation),
            state=o.status,
            submissions=await _submitted(
                store, o.workflow_id, titles.documents.get(o.obligation, {})
            ),
        )
        for o in await store.list_occurrences(org_nr=org)
        # This year's, and any earlier one that is still not settled.
        if o.due.year == today.year or (o.due.year < today.year and o.status not in SETTLED)
    ]
    escalations = [snapshot(EscalationStep, e) for e in await store.open_escalations(org)]
    meetings = [snapshot(MeetingFacts, m) for m in await store.list_meetings(org)]
    recoveries = [snapshot(RecoveryFacts, r) for r in await store.list_recoveries(org)]
    stats = next((s for s in await store.placement_statistics() if s.org_nr == org), None)
    placements = PlacementFacts(
        current=len(await store.current_placements(org)),
        active=stats.decisions if stats else 0,
        granted_hours=stats.granted_hours if stats else Decimal("0.00"),
        care_plans_current=stats.care_plans_current if stats else 0,
    )
    return ProviderPage(
        org_nr=provider.org_nr,
        name=provider.name,
        email=provider.email,
        year=today.year,
        contract=contract,
        duties=duties,
        open_escalations=escalations,
        meetings=meetings,
        recoveries=recoveries,
        open_recoveries=sum(r.status not in RECOVERY_CLOSED for r in recoveries),
        placements=placements,
        notes=notes,
    )


# --- the queries, on the configured records database ----------------------------------------


async def provider_list(
    settings: RecordsConfig,
    plan: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> list[ProviderRow]:
    """`list_providers` on the configured records; the filters are checked before anything is
    read (an unknown plan, status or an empty search is an ActionError naming the option)."""
    plan_id = plan_filter(plan, settings.plans_dir)
    the_status = check_status(status)
    text = search_filter(search)
    return await read_records(
        settings.require_records(),
        ProviderPageRecords,
        lambda store: list_providers(store, plan_id, the_status, text),
    )


async def provider_page_of(settings: RecordsConfig, org_nr: str, today: date) -> ProviderPage:
    """`provider_page` on the configured records."""
    org = _org_nr(org_nr)
    return await read_records(
        settings.require_records(),
        ProviderPageRecords,
        lambda store: provider_page(store, org, today, settings.plans_dir),
    )
