"""`services.meetings.check_business_hours`: a time to book is checked against the meeting's plan
(business day of its calendar, start and end within its office hours) before the workflow is
asked; a reason lets any time through (issue 16, point 6)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from models.messages.meeting import MeetingState, MeetingStatus
from models.plans.schema import OfficeHours
from services import meetings
from services.calls import ActionError

HOURS = OfficeHours(start=time(8, 0), end=time(16, 30), send_at=time(9, 0))


def herning_status(**changes: object) -> MeetingStatus:
    """A Danish plan's meeting (Herning: DK calendar, Copenhagen time)."""
    fields: dict[str, object] = {
        "workflow_id": "meeting-12345678-2026-H1",
        "org_nr": "12345678",
        "provider_name": "Hjemmepleje Vest ApS",
        "period": "2026-H1",
        "window_start": date(2026, 1, 1),
        "window_end": date(2026, 6, 30),
        "due": date(2026, 6, 30),
        "organizer": "lov-admin",
        "time_zone": "Europe/Copenhagen",
        "holiday_calendar": "DK",
        "office_hours": HOURS,
        "status": MeetingState.UNSCHEDULED,
        "meeting": None,
        "earlier": [],
        "minutes": None,
        "reminded_unscheduled": False,
        "escalated": False,
        "history": [],
    }
    return MeetingStatus.model_validate({**fields, **changes})


def booking(at: str, *, duration: int = 90, reason: str | None = None) -> meetings.MeetingTime:
    return meetings.meeting_time(
        at, duration_minutes=duration, place="Rådhuset", link=None, reason=reason, actor="k"
    )


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2026-05-14 10:00", "2026-05-14 är ingen arbetsdag"),  # Kristi himmelfartsdag
        ("2026-06-05 10:00", "2026-06-05 är ingen arbetsdag"),  # grundlovsdag
        ("2026-05-03 03:00", "2026-05-03 är ingen arbetsdag"),  # a Sunday at 03:00
        ("2026-05-04 03:00", "03:00–04:30 ligger utanför kontorstiden 08:00–16:30"),
        ("2026-05-04 15:31", "15:31–17:01 ligger utanför kontorstiden 08:00–16:30"),
    ],
)
def test_times_off_business_hours_are_refused_naming_at(at: str, message: str) -> None:
    with pytest.raises(ActionError) as caught:
        meetings.check_business_hours(herning_status(), booking(at))
    assert caught.value.field == "--at"
    assert message in caught.value.message and "--reason" in caught.value.message
    assert "\n" not in str(caught.value)


def test_business_hours_and_reasons_pass_in_the_plans_zone() -> None:
    zone = "Europe/Copenhagen"
    # 1 May is an ordinary Danish business day; 15:00–16:30 ends at closing time.
    for at in ("2026-05-01 10:00", "2026-05-04 08:00", "2026-05-04 15:00"):
        starts = meetings.check_business_hours(herning_status(), booking(at))
        assert starts.isoformat(" ", "minutes").startswith(at) and str(starts.tzinfo) == zone
    late = booking("2026-05-14 19:00", reason="Pårørendemøde om aftenen")
    assert meetings.check_business_hours(herning_status(), late) == datetime(
        2026, 5, 14, 19, 0, tzinfo=starts.tzinfo
    )
    # A status stored before the plan's calendar was part of it: left to the validator.
    old = herning_status(holiday_calendar=None, office_hours=None)
    assert meetings.check_business_hours(old, booking("2026-05-14 10:00")).day == 14
