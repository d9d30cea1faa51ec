"""services.placements without Temporal: input as typed (the customer reference, granted hours)
and `list_placements` over a real records database with its filters; a customer appears only
by the pseudonymous reference, never by anything shaped like a personnummer."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from models.messages.placement import PlacementInput
from models.records.store import RecordStore
from services import placements
from services.calls import ActionError
from tests.support.listings import settings_for

AT = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
FIRST, SECOND = "556036-0793", "559001-0004"


def test_a_personnummer_as_customer_is_refused_without_repeating_it() -> None:
    with pytest.raises(ActionError) as caught:
        placements.customer_ref("19400101-1234", "--customer")
    assert str(caught.value).startswith("--customer: looks like a personnummer")
    assert "400101" not in str(caught.value)
    # The same rule as a claim line's: letters å, ä, ö and one character are references too.
    assert placements.customer_ref(" Ö-12 ") == "Ö-12"
    assert placements.customer_ref("K") == "K"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("22,5", Decimal("22.50")), ("0", Decimal("0.00")), ("744", Decimal("744.00"))],
)
def test_granted_hours(text: str, expected: Decimal) -> None:
    assert placements.granted_hours(text) == expected


@pytest.mark.parametrize("text", ["tjugo", "-1", "745", "1.005", "NaN"])
def test_bad_granted_hours_name_the_option(text: str) -> None:
    with pytest.raises(ActionError) as caught:
        placements.granted_hours(text)
    assert caught.value.field == "--hours"


def _row(placement_id: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "customer_ref": f"DNR-{placement_id[-4:]}",
        "area": "Centrum",
        "service_type": "omvårdnad",
        "granted_hours": Decimal("22.50"),
        "decision_date": date(2031, 2, 20),
        "status": "active",
        "org_nr": FIRST,
        "pending_org_nr": None,
        "provider_start": date(2031, 3, 3),
        "care_plan_due": date(2031, 3, 17),
        "care_plan_done_on": None,
        "care_plan_current": False,
        "end_date": None,
        "at": AT,
    }
    return row | changes


async def _placements(store: RecordStore) -> None:
    for org, plan in ((FIRST, "sundsvall"), (SECOND, "herning")):
        await store.upsert_provider(org, f"Utförare {org}", "a@b.example", AT)
        await store.record_contract(f"contract-{org[:6]}", org, plan, date(2031, 1, 1), AT)
    rows = [
        _row("placement-000000000001"),
        _row(
            "placement-000000000002",
            area="Östra stan",
            status="awaiting_choice",
            org_nr=None,
            provider_start=None,
            care_plan_due=None,
        ),
        _row("placement-000000000003", org_nr=SECOND, pending_org_nr=FIRST, area="CENTRUM"),
        _row("placement-000000000004", org_nr=SECOND, status="ended", end_date=date(2031, 4, 1)),
        # Written straight to the records (no service refuses it there): never shown.
        _row("placement-000000000005", customer_ref="19121212-1212", org_nr=SECOND),
    ]
    for n, row in enumerate(rows, 1):
        # Registered one after another: the list keeps that order.
        row["at"] = AT.replace(minute=n)
        await store.upsert_placement(f"placement-{n:012d}", **row)


async def test_list_placements_filters(db_url: str, store: RecordStore) -> None:
    await _placements(store)

    async def ids(**filters: str) -> list[int]:
        rows = await placements.list_placements(settings_for(db_url), **filters)
        return [int(r.placement.placement_id[-4:]) for r in rows]

    assert await ids() == [1, 2, 3, 4, 5]
    assert await ids(state="active") == [1, 3, 5]
    assert await ids(state="awaiting_choice") == [2]
    assert await ids(state="Ended") == [4]
    # The provider serving it, or taking it over.
    assert await ids(org_nr=FIRST) == [1, 3]
    assert await ids(area="centrum") == [1, 3, 4, 5]
    assert await ids(area="östra STAN") == [2]
    # By the provider's contract: one still awaiting the customer's choice has no plan yet.
    assert await ids(plan="sundsvall") == [1]
    assert await ids(plan="herning", state="active", area="Centrum") == [3, 5]


async def test_the_list_never_shows_a_personnummer(db_url: str, store: RecordStore) -> None:
    await _placements(store)
    rows = await placements.list_placements(settings_for(db_url))
    shown = json.dumps([r.as_json() for r in rows], ensure_ascii=False)
    assert "1212" not in shown
    assert [r.customer_ref for r in rows][-1] == "(dold)"
    assert list(rows[0].as_json()) == [
        "placement_id", "customer_ref", "area", "service_type", "granted_hours",
        "decision_date", "state", "org_nr", "pending_org_nr", "provider_start",
        "care_plan_due", "care_plan_done_on", "care_plan_current", "end_date",
        "registered_at", "updated_at",
    ]  # fmt: skip
    assert rows[0].as_json()["granted_hours"] == "22.50"


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"state": "pågår"}, "--state"),
        ({"plan": "uppsala"}, "--plan"),
        ({"area": "  "}, "--area"),
    ],
)
async def test_bad_filters_are_refused_before_the_database_is_read(
    tmp_path: Path, filters: dict[str, str], field: str
) -> None:
    missing = tmp_path / "none" / "records.db"
    with pytest.raises(ActionError) as caught:
        await placements.list_placements(settings_for(f"sqlite+aiosqlite:///{missing}"), **filters)
    assert caught.value.field == field
    assert not missing.exists()


def _input(**changes: Any) -> PlacementInput:
    values: dict[str, Any] = {
        "customer_ref": "DNR-2031-0042",
        "area": "Centrum",
        "service_type": "omvårdnad",
        "granted_hours": Decimal("22.50"),
        "decision_date": date(2031, 2, 20),
        "start": date(2031, 3, 3),
        "plan_id": "sundsvall",
        "actor": "Handläggare",
    }
    return PlacementInput(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"start": date(2031, 2, 19)}, "--start: får inte vara före beslutsdatum"),
        ({"customer_ref": "400101-1234"}, "customer_ref: looks like a personnummer"),
        ({"area": "x" * 500}, "area:"),
    ],
)
def test_a_start_is_checked_before_anything_is_sent(changes: dict[str, Any], expected: str) -> None:
    placements.check_input(_input())  # the unchanged input passes
    with pytest.raises(ActionError) as caught:
        placements.check_input(_input(**changes))
    assert str(caught.value).startswith(expected), str(caught.value)
