"""services.due: the window rules, and the occurrences due in it from a real records database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from models.records.store import RecordStore
from services import due
from services.errors import ActionError

AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_window_defaults_to_this_month_and_knows_month_ends() -> None:
    assert due.due_window(date(2027, 2, 14)) == (date(2027, 2, 1), date(2027, 2, 28))
    assert due.due_window(date(2028, 2, 14)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert due.due_window(date(2027, 12, 31)) == (date(2027, 12, 1), date(2027, 12, 31))
    april = (date(2027, 4, 1), date(2027, 4, 30))
    assert due.due_window(date(2027, 1, 1), month=april) == april
    span = (date(2027, 1, 5), date(2027, 1, 5))
    assert due.due_window(date(2027, 3, 1), first=span[0], last=span[1]) == span


@pytest.mark.parametrize(
    ("kwargs", "field", "says"),
    [
        (
            {"month": (date(2027, 4, 1), date(2027, 4, 30)), "first": date(2027, 4, 2)},
            "--from",
            "--month",
        ),
        (
            {"month": (date(2027, 4, 1), date(2027, 4, 30)), "last": date(2027, 4, 2)},
            "--to",
            "--month",
        ),
        ({"first": date(2027, 4, 2)}, "--to", "krävs"),
        ({"last": date(2027, 4, 2)}, "--from", "krävs"),
        ({"first": date(2027, 4, 3), "last": date(2027, 4, 2)}, "--from", "efter --to"),
    ],
)
def test_window_refusals_name_the_option(kwargs: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(ActionError) as caught:
        due.due_window(date(2027, 1, 1), **kwargs)
    assert caught.value.field == field and says in str(caught.value)


async def _seed(store: RecordStore) -> None:
    await store.upsert_provider("556036-0793", "Åkes Omsorg AB", "a@omsorg.example", AT)
    await store.upsert_provider("556677-8899", "Björk Vård", "b@vard.example", AT)
    await store.record_contract(
        "contract-5560360793", "556036-0793", "sundsvall", date(2026, 1, 1), AT
    )
    await store.record_contract(
        "contract-5566778899", "556677-8899", "nordanstig", date(2026, 1, 1), AT
    )
    rows = [
        ("556036-0793", "self-inspection", "2027-T1", date(2027, 4, 15), "open", True),
        ("556677-8899", "self-inspection", "2027-T1", date(2027, 4, 15), "submitted", False),
        ("556677-8899", "annual-report", "2026", date(2027, 4, 1), "accepted", False),
        ("556036-0793", "annual-report", "2026", date(2027, 3, 31), "open", True),  # March
        ("556036-0793", "kkik-continuity", "2027", date(2027, 5, 1), "upcoming", False),  # May
    ]
    for org, key, period, day, status, overdue in rows:
        wid = f"obligation-{org.replace('-', '')}-{key}-{period}"
        await store.upsert_occurrence(
            wid, org, key, period, day, day, "lov-admin", status, overdue, int(overdue), AT
        )


async def test_items_in_the_window_by_date_then_provider(store: RecordStore) -> None:
    await _seed(store)
    april = await due.due_items(store, date(2027, 4, 1), date(2027, 4, 30))
    assert [(i.due, i.provider_name, i.obligation, i.state) for i in april] == [
        (date(2027, 4, 1), "Björk Vård", "annual-report", "accepted"),
        (date(2027, 4, 15), "Björk Vård", "self-inspection", "submitted"),
        (date(2027, 4, 15), "Åkes Omsorg AB", "self-inspection", "open"),
    ]
    assert april[2].as_dict() == {
        "due": date(2027, 4, 15),
        "org_nr": "556036-0793",
        "provider_name": "Åkes Omsorg AB",
        "obligation": "self-inspection",
        "period": "2027-T1",
        "state": "open",
        "overdue": True,
        "escalation_level": 1,
        "nominal_due": date(2027, 4, 15),
    }
    # Both ends belong to the window.
    edges = await due.due_items(store, date(2027, 3, 31), date(2027, 4, 1))
    assert [i.due for i in edges] == [date(2027, 3, 31), date(2027, 4, 1)]


async def test_filters(store: RecordStore) -> None:
    await _seed(store)
    spring = (date(2027, 3, 1), date(2027, 5, 31))
    overdue = await due.due_items(store, *spring, overdue=True)
    assert [(i.org_nr, i.period) for i in overdue] == [
        ("556036-0793", "2026"),
        ("556036-0793", "2027-T1"),
    ]
    waiting = await due.due_items(store, *spring, awaiting_review=True)
    assert [(i.org_nr, i.state) for i in waiting] == [("556677-8899", "submitted")]
    on_plan = await due.due_items(store, *spring, plan_id="nordanstig")
    assert {i.org_nr for i in on_plan} == {"556677-8899"} and len(on_plan) == 2
    with pytest.raises(ActionError) as caught:
        await due.due_items(store, *spring, overdue=True, awaiting_review=True)
    assert caught.value.field == "--awaiting-review"
