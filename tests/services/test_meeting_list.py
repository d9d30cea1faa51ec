"""`services.meetings.list_meetings` on a real records database (SQLite and PostgreSQL): by start
time, local days for --from/--to (the day changes at local midnight, not UTC's), unbooked
meetings by their window, and refusals before anything is read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services import meetings
from services.calls import ActionError
from tests.support.listings import BY_START, MEETINGS, seed_records, settings_for


async def ids(database_url: str, **filters: Any) -> list[str]:
    found = await meetings.list_meetings(settings_for(database_url), **filters)
    return [m.meeting_id for m in found]


async def test_filters_and_order(database_url: str) -> None:
    await seed_records(database_url)
    assert await ids(database_url) == BY_START
    assert await ids(database_url, org_nr="5560360793") == [
        "meeting-5560360793-2027-H1",
        "meeting-5560360793-2027-H2",
    ]
    assert await ids(database_url, plan="herning") == [
        "meeting-5590010004-2026-H2",
        "meeting-5590010004-2027-H1",
    ]
    assert await ids(database_url, state="held") == ["meeting-5590010004-2027-H1"]
    assert await ids(database_url, plan="herning", state="scheduled") == [
        "meeting-5590010004-2026-H2"
    ]
    # 23:30 on 30 April is in April; 00:30 on 1 May (22:30 UTC on 30 April) is not.
    april = {"from_day": date(2027, 4, 1), "to_day": date(2027, 4, 30)}
    assert await ids(database_url, **april) == ["meeting-5560360793-2027-H1"]
    assert await ids(database_url, from_day=date(2027, 5, 1)) == [
        "meeting-5590010004-2027-H1",
        "meeting-5560360793-2027-H2",
    ]
    # Not booked: listed when its window overlaps the days asked for.
    october = {"from_day": date(2027, 10, 1), "to_day": date(2027, 10, 31)}
    assert await ids(database_url, **october) == ["meeting-5560360793-2027-H2"]
    assert await ids(database_url, to_day=date(2027, 8, 31)) == BY_START[:3]


async def test_json_has_stable_keys(database_url: str) -> None:
    await seed_records(database_url)
    found = await meetings.list_meetings(settings_for(database_url), state="unscheduled")
    org, period, state, start, end, _ = MEETINGS["meeting-5560360793-2027-H2"]
    assert [m.as_json() for m in found] == [
        {
            "meeting_id": "meeting-5560360793-2027-H2",
            "org_nr": org,
            "period": period,
            "state": state,
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "starts_at": None,
            "ends_at": None,
            "place": "",
            "link": "",
            "escalated": False,
            "minutes": False,
        }
    ]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"state": "bokat"}, "--state"),
        ({"plan": "no-such-plan"}, "--plan"),
        ({"org_nr": "123"}, "--org-nr"),
        ({"from_day": date(2027, 5, 1), "to_day": date(2027, 4, 1)}, "--to"),
        ({"from_day": date(1900, 1, 1)}, "--from"),
    ],
)
async def test_bad_filters_are_refused_before_reading(
    tmp_path: Path, filters: dict[str, Any], field: str
) -> None:
    missing = tmp_path / "never.db"
    with pytest.raises(ActionError) as refused:
        await meetings.list_meetings(settings_for(f"sqlite+aiosqlite:///{missing}"), **filters)
    assert refused.value.field == field
    assert not missing.exists()
