"""services.providers on a real records database (SQLite, and PostgreSQL when it runs), seeded
through RecordStore as the activities write it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.records.store import OccurrenceEvent, RecordStore
from models.runtime.settings import PROJECT_ROOT
from services import providers
from services.errors import ActionError

AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2027, 3, 10)
PLANS = PROJECT_ROOT / "plans"
AKE = "556036-0793"  # "Åkes Omsorg AB", on sundsvall, active
BJORK = "556677-8899"  # "björk vård", on nordanstig, terminated
CEDER = "559900-1236"  # "Ceder Omsorg", no contract


async def _occurrence(
    store: RecordStore,
    org: str,
    key: str,
    period: str,
    due: date,
    status: str,
    overdue: bool = False,
    level: int = 0,
) -> str:
    wid = f"obligation-{org.replace('-', '')}-{key}-{period}"
    await store.upsert_occurrence(
        wid,
        org,
        key,
        period,
        due,
        due,
        "lov-admin",
        status,
        overdue,
        level,
        AT,
    )
    return wid


async def _seed(store: RecordStore) -> None:
    await store.upsert_provider(AKE, "Åkes Omsorg AB", "ake@omsorg.example", AT)
    await store.upsert_provider(BJORK, "björk vård", "bjork@vard.example", AT)
    await store.upsert_provider(CEDER, "Ceder Omsorg", "ceder@omsorg.example", AT)
    await store.record_contract("contract-5560360793", AKE, "sundsvall", date(2026, 2, 1), AT)
    await store.record_contract_year("contract-5560360793", 2027, "sundsvall", "2025-1", AT)
    await store.record_contract("contract-5566778899", BJORK, "nordanstig", date(2026, 1, 1), AT)
    await store.set_contract_status(
        "contract-5566778899", "terminated", AT, date(2027, 1, 31), "uppsagning", "Flyttar"
    )


async def test_list_sorts_by_name_and_filters(store: RecordStore) -> None:
    await _seed(store)
    everyone = await providers.list_providers(store)
    # By name, any case: "björk" before "Ceder" before "Åkes" (å sorts after z).
    assert [r.org_nr for r in everyone] == [BJORK, CEDER, AKE]
    assert everyone[1].plan_id is None and everyone[1].status is None
    assert (everyone[2].plan_id, everyone[2].status) == ("sundsvall", "active")
    assert everyone[0].end_date == date(2027, 1, 31)

    assert [r.org_nr for r in await providers.list_providers(store, plan_id="sundsvall")] == [AKE]
    terminated = await providers.list_providers(store, status="terminated")
    assert [r.org_nr for r in terminated] == [BJORK]
    # Search: part of the name in any case (also å/Å, which SQLite's lower() does not fold),
    # or part of the org nr with or without the dash.
    assert [r.org_nr for r in await providers.list_providers(store, search="ÅKES")] == [AKE]
    assert [r.org_nr for r in await providers.list_providers(store, search="omsorg")] == [
        CEDER,
        AKE,
    ]
    assert [r.org_nr for r in await providers.list_providers(store, search="6677889")] == [BJORK]
    assert [r.org_nr for r in await providers.list_providers(store, search="556036-07")] == [AKE]
    assert await providers.list_providers(store, search="nobody") == []


async def test_list_refuses_an_unknown_status(store: RecordStore) -> None:
    with pytest.raises(ActionError) as caught:
        await providers.list_providers(store, status="open")
    assert caught.value.field == "--status"
    assert "active, terminating, terminated" in str(caught.value)


async def test_page_gathers_the_provider(store: RecordStore) -> None:
    await _seed(store)
    # This year's duties, an unsettled one from last year, and a settled one from last year.
    late = await _occurrence(
        store, AKE, "self-inspection", "2027-T1", date(2027, 3, 5), "open", overdue=True, level=1
    )
    await _occurrence(store, AKE, "annual-report", "2027", date(2027, 9, 30), "upcoming")
    await _occurrence(store, AKE, "kkik-continuity", "2026", date(2026, 12, 1), "open")
    done = await _occurrence(store, AKE, "annual-accounts", "2026", date(2026, 6, 30), "accepted")
    await store.record_escalation(
        OccurrenceEvent("esc-1", late, AKE, "self-inspection", "2027-T1"),
        1,
        "overdue",
        "Sen redovisning",
        AT,
    )
    await store.record_escalation(
        OccurrenceEvent("esc-2", done, AKE, "annual-accounts", "2026"),
        1,
        "overdue",
        "Sen, sedan godkänd",
        AT,
    )
    await store.upsert_meeting("meeting-5560360793-2027-H1", AKE, "2027-H1", "scheduled", AT)
    await store.upsert_recovery("rec-1", AKE, "noticed", Decimal("1200.00"), AT)
    await store.upsert_recovery("rec-2", AKE, "paid", Decimal("300.00"), AT)

    page = await providers.provider_page(store, AKE.replace("-", ""), TODAY, PLANS)

    assert (page.org_nr, page.name, page.email, page.year) == (
        AKE,
        "Åkes Omsorg AB",
        "ake@omsorg.example",
        2027,
    )
    assert page.contract is not None
    assert (page.contract.plan_id, page.contract.status) == ("sundsvall", "active")
    assert page.contract.plan_versions == {"2027": "2025-1"}
    assert [(d.obligation, d.period, d.state, d.overdue) for d in page.duties] == [
        ("kkik-continuity", "2026", "open", False),
        ("self-inspection", "2027-T1", "open", True),
        ("annual-report", "2027", "upcoming", False),
    ]
    # Titles come from the contract's plan (plans/sundsvall.toml).
    assert page.duties[1].title is not None and "Egenkontroll" in page.duties[1].title
    # Only the escalation of the occurrence still open.
    assert [(e.obligation, e.level) for e in page.open_escalations] == [("self-inspection", 1)]
    assert [m.period for m in page.meetings] == ["2027-H1"]
    assert [r.recovery_id for r in page.recoveries] == ["rec-1", "rec-2"]
    assert page.open_recoveries == 1
    assert page.placements.current == 0 and page.placements.granted_hours == Decimal("0.00")
    assert page.notes == []
    as_dict = page.as_dict()
    assert as_dict["contract"]["plan_id"] == "sundsvall" and len(as_dict["duties"]) == 3


async def test_page_without_contract_or_readable_plan(store: RecordStore, tmp_path: Path) -> None:
    await _seed(store)
    bare = await providers.provider_page(store, CEDER, TODAY, PLANS)
    assert bare.contract is None and bare.duties == []
    assert bare.notes == ["inget avtal registrerat (no contract recorded)"]

    await _occurrence(store, AKE, "self-inspection", "2027-T1", date(2027, 3, 5), "open")
    unreadable = await providers.provider_page(store, AKE, TODAY, tmp_path)  # no plans here
    assert [d.title for d in unreadable.duties] == [None]
    assert len(unreadable.notes) == 1 and "sundsvall" in unreadable.notes[0]


async def test_page_of_an_unknown_provider_names_the_org_nr(store: RecordStore) -> None:
    for text, says in (("556677-8890", "check digit"), ("212000-0142", "ingen utförare")):
        with pytest.raises(ActionError) as caught:
            await providers.provider_page(store, text, TODAY, PLANS)
        assert caught.value.field == "org_nr" and says in str(caught.value)
