"""Records for the list queries (`lov application list`, `lov meeting list`): applications and
meetings written through the real `RecordStore`, as the workflows' activities write them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.runtime.settings import PROJECT_ROOT, Settings

LOCAL = ZoneInfo("Europe/Stockholm")
NORR = "556036-0793"  # Omsorg i Norr AB, plan sundsvall
VAST = "559001-0004"  # Hemtjänst 100% Väst, plan herning
AT = datetime(2027, 1, 1, tzinfo=UTC)

# application id → (org nr, name, e-mail, plan, state, submitted)
APPLICATIONS = {
    "application-5560360793-1": (
        NORR,
        "Omsorg i Norr AB",
        "ansokan@omsorg.example",
        "sundsvall",
        "rejected",
        datetime(2026, 11, 5, 9, tzinfo=UTC),
    ),
    "application-5560360793-2": (
        NORR,
        "Omsorg i Norr AB",
        "ansokan@omsorg.example",
        "sundsvall",
        "received",
        datetime(2027, 1, 10, 9, tzinfo=UTC),
    ),
    "application-5590010004-1": (
        VAST,
        "Hemtjänst 100% Väst",
        "info@vast.example",
        "herning",
        "approved",
        datetime(2027, 2, 1, 9, tzinfo=UTC),
    ),
}
NEWEST_FIRST = ["application-5590010004-1", "application-5560360793-2", "application-5560360793-1"]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


# meeting id → (org nr, period, state, window start, window end, local start or None)
MEETINGS = {
    # 23:30 on 30 April, local time (21:30 UTC).
    "meeting-5560360793-2027-H1": (
        NORR,
        "2027-H1",
        "scheduled",
        date(2027, 3, 1),
        date(2027, 6, 15),
        local(date(2027, 4, 30), 23, 30),
    ),
    # 00:30 on 1 May, local time: still 30 April in UTC (22:30).
    "meeting-5590010004-2027-H1": (
        VAST,
        "2027-H1",
        "held",
        date(2027, 3, 1),
        date(2027, 6, 15),
        local(date(2027, 5, 1), 0, 30),
    ),
    "meeting-5560360793-2027-H2": (
        NORR,
        "2027-H2",
        "unscheduled",
        date(2027, 9, 1),
        date(2027, 11, 30),
        None,
    ),
    "meeting-5590010004-2026-H2": (
        VAST,
        "2026-H2",
        "scheduled",
        date(2026, 9, 1),
        date(2026, 11, 30),
        local(date(2026, 10, 12), 10),
    ),
}
BY_START = [
    "meeting-5590010004-2026-H2",
    "meeting-5560360793-2027-H1",
    "meeting-5590010004-2027-H1",
    "meeting-5560360793-2027-H2",
]


async def seed_records(database_url: str, *, migrate: bool = True) -> None:
    """Migrate (unless done) and write the applications, providers, contracts and meetings."""
    if migrate:
        await upgrade(database_url)
    engine = make_engine(database_url)
    try:
        store = RecordStore(make_session_factory(engine))
        for wid, (org, name, email, plan, state, submitted) in APPLICATIONS.items():
            await store.upsert_application(
                wid,
                org,
                state,
                submitted,
                submitted_at=submitted,
                data={"plan_id": plan, "provider_name": name, "email": email},
            )
        for org, name, plan in ((NORR, "Omsorg i Norr AB", "sundsvall"), (VAST, "Väst", "herning")):
            await store.upsert_provider(org, name, f"{org}@example.org", AT)
            digits = org.replace("-", "")
            await store.record_contract(f"contract-{digits}", org, plan, date(2026, 1, 1), AT)
        for wid, (org, period, state, start, end, starts) in MEETINGS.items():
            await store.upsert_meeting(
                wid,
                org,
                period,
                state,
                AT,
                scheduled_at=starts,
                place="Stadshuset" if starts else None,
                window_start=start,
                window_end=end,
            )
    finally:
        await engine.dispose()


def settings_for(database_url: str) -> Settings:
    """Settings for a list query: the records at `database_url`, the shipped plans."""
    return Settings(database_url=database_url, plans_dir=PROJECT_ROOT / "plans")


def danish_settings_for(database_url: str) -> Settings:
    """As `settings_for`, with Herning (a Danish plan) as the default plan, as
    LOV_DEFAULT_PLAN=herning sets it: the desk speaks Danish."""
    return settings_for(database_url).model_copy(update={"default_plan": "herning"})
