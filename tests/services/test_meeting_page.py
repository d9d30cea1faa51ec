"""services/meeting_page.py on real SQLite records: one meeting as the desk shows it (its plan's
zone, language and roles, its minutes and audit events) and the calendar file of a booked one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from models.runtime.settings import PROJECT_ROOT
from services.errors import ActionError
from services.meeting_page import calendar_file, meeting_page
from tests.support.desk import records
from tests.support.listings import NORR, VAST, seed_records

PLANS = PROJECT_ROOT / "plans"


async def test_a_meeting_with_its_plan_minutes_and_events(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    at = datetime(2027, 5, 2, 8, tzinfo=UTC)
    minutes = {
        "summary": "Genomgång",
        "attendees": ["Karin"],
        "actions": [{"number": 1, "owner": "provider", "due": "2027-06-01", "text": "Rutin"}],
        "actor": "anna",
        "recorded_at": at.isoformat(),
    }
    async with records(url) as store:
        await store.upsert_meeting(
            "meeting-5590010004-2027-H1", VAST, "2027-H1", "held", at, minutes=minutes
        )
        await store.record_audit(
            "meeting-5590010004-2027-H1:event:2",
            at,
            VAST,
            "meeting-5590010004-2027-H1",
            "meeting-minutes",
            "anna",
            {"obligation": "meeting", "period": "2027-H1", "actions": 1},
        )
        held = await meeting_page(store, VAST, "2027-H1", PLANS)
        assert (held.time_zone, held.language, held.plan_id) == (
            "Europe/Copenhagen",
            "da",
            "herning",
        )
        assert held.minutes is not None and held.minutes.actions[0].text == "Rutin"
        assert [(e.what, e.actor) for e in held.events] == [("protokoll registrerat", "anna")]
        assert held.owners[0].key == "provider" and len(held.owners) > 1
        assert not held.booked

        booked = await meeting_page(store, NORR, "2027-H1", PLANS)
        assert booked.booked and booked.language == "sv"
        with pytest.raises(ActionError) as missing:
            await meeting_page(store, NORR, "2031-H1", PLANS)
        assert missing.value.field == "meeting"

        found = await calendar_file(store, NORR, "2027-H1", PLANS, "kommun.example")
        assert found.filename == "uppfoljningsmote-2027-H1.ics"
        (event,) = Calendar.from_ical(found.content).walk("VEVENT")
        assert event.decoded("DTSTART") == datetime(
            2027, 4, 30, 23, 30, tzinfo=ZoneInfo("Europe/Stockholm")
        )
        assert str(event["UID"]) == "meeting-5560360793-2027-H1@kommun.example"
        with pytest.raises(ActionError):
            await calendar_file(store, NORR, "2027-H2", PLANS, "kommun.example")  # not booked
        with pytest.raises(ActionError):
            await calendar_file(store, VAST, "2027-H1", PLANS, "kommun.example")  # held
