"""Deadline calendar: business-day adjustment, reminders, deadlines, first-occurrence and cycles."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.domain.calendar import (
    holiday_name,
    is_business_day,
    meeting_out_of_hours,
    next_business_day,
    occurrences,
    office_hours_send_time,
    previous_business_day,
)
from models.plans.loader import load_plan
from models.plans.schema import OfficeHours, Plan
from models.runtime.settings import PROJECT_ROOT

PLANS_DIR = PROJECT_ROOT / "plans"
SHIPPED = {pid: load_plan(pid, PLANS_DIR) for pid in ("sundsvall", "nordanstig", "herning")}
STOCKHOLM = ZoneInfo("Europe/Stockholm")

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))
years = st.integers(min_value=2001, max_value=2099)
starts = st.dates(min_value=date(1995, 1, 1), max_value=date(2100, 12, 31))
fast = settings(max_examples=150, deadline=None)


# --- the deadline rules, stated here independently of the holidays library's categories --------


def easter(year: int) -> date:
    """Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _weekday_between(year: int, month: int, first: int, weekday: int) -> date:
    """The `weekday` (0 = Monday) in the seven days from `month`/`first`."""
    start = date(year, month, first)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def swedish_closed_days(year: int) -> set[date]:
    """Lag (1930:173): allmänna helgdagar (lag (1989:253)), midsommarafton, julafton, nyårsafton."""
    e = easter(year)
    found = {
        date(year, 1, 1),  # nyårsdagen
        date(year, 1, 6),  # trettondedag jul
        e - timedelta(days=2),  # långfredagen
        e,  # påskdagen
        e + timedelta(days=1),  # annandag påsk
        date(year, 5, 1),  # första maj
        e + timedelta(days=39),  # Kristi himmelsfärdsdag
        e + timedelta(days=49),  # pingstdagen
        _weekday_between(year, 6, 19, 4),  # midsommarafton: Friday 19–25 June
        _weekday_between(year, 6, 20, 5),  # midsommardagen: Saturday 20–26 June
        _weekday_between(year, 10, 31, 5),  # alla helgons dag: Saturday 31 Oct–6 Nov
        date(year, 12, 24),  # julafton
        date(year, 12, 25),  # juldagen
        date(year, 12, 26),  # annandag jul
        date(year, 12, 31),  # nyårsafton
    }
    # Nationaldagen replaced annandag pingst as a helgdag from 2005 (SFS 2004:1075).
    found.add(date(year, 6, 6) if year >= 2005 else e + timedelta(days=50))
    return found


def danish_closed_days(year: int) -> set[date]:
    """Retsplejeloven § 148 a: helligdage, grundlovsdag, juleaftensdag, nytårsaftensdag."""
    e = easter(year)
    found = {
        date(year, 1, 1),  # nytårsdag
        e - timedelta(days=3),  # skærtorsdag
        e - timedelta(days=2),  # langfredag
        e,  # påskedag
        e + timedelta(days=1),  # 2. påskedag
        e + timedelta(days=39),  # Kristi himmelfartsdag
        e + timedelta(days=49),  # pinsedag
        e + timedelta(days=50),  # 2. pinsedag
        date(year, 6, 5),  # grundlovsdag
        date(year, 12, 24),  # juleaftensdag
        date(year, 12, 25),  # juledag
        date(year, 12, 26),  # 2. juledag
        date(year, 12, 31),  # nytårsaftensdag
    }
    if year <= 2023:
        found.add(e + timedelta(days=26))  # Store Bededag: 4th Friday after Easter, until 2023
    return found


CLOSED_DAYS = {"SE": swedish_closed_days, "DK": danish_closed_days}


def closed(day: date, code: str) -> bool:
    """Saturday, Sunday or a closed day of the country's rule: a deadline moves off it."""
    return day.weekday() >= 5 or day in CLOSED_DAYS[code](day.year)


def next_open(day: date, code: str) -> date:
    while closed(day, code):
        day += timedelta(days=1)
    return day


def one_obligation_plan(month: int, day: int, calendar: str = "SE") -> Plan:
    """A minimal plan with one annual duty due on `month`/`day`."""
    return Plan.model_validate(
        {
            "id": "probe",
            "name": "Prov",
            "version": "1",
            "time_zone": "Europe/Copenhagen" if calendar == "DK" else "Europe/Stockholm",
            "holiday_calendar": calendar,
            "roles": {"lov-admin": {"title": "Admin", "email": "a@b.example"}},
            "escalation": [
                {
                    "level": 1,
                    "after_days": 1,
                    "kind": "overdue",
                    "title": "x",
                    "notify": ["provider"],
                }
            ],
            "obligations": [
                {
                    "key": "probe",
                    "title": "Prov",
                    "recipient": "lov-admin",
                    "schedule": {"kind": "annual", "due": {"month": month, "day": day}},
                    "fields": [{"key": "n", "title": "n"}],
                }
            ],
        }
    )


# --- properties ------------------------------------------------------------------------------


def test_easter_is_computed_right() -> None:
    assert [easter(y) for y in (2024, 2025, 2026, 2031, 2038)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2031, 4, 13),
        date(2038, 4, 25),
    ]


@pytest.mark.parametrize("code", sorted(CLOSED_DAYS))
def test_every_day_of_2020_to_2035_follows_the_countrys_rule(code: str) -> None:
    """Issue 16, point 1: each day of sixteen years, against the rule stated above."""
    day, wrong = date(2020, 1, 1), []
    while day <= date(2035, 12, 31):
        expected = not closed(day, code)
        adjusted = next_open(day, code)
        if (
            is_business_day(day, code) != expected
            or next_business_day(day, code) != adjusted
            or (expected and previous_business_day(day, code) != day)
        ):
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []


@fast
@given(day=days, code=st.sampled_from(sorted(CLOSED_DAYS)))
def test_next_business_day_is_the_nearest_open_day(day: date, code: str) -> None:
    moved = next_business_day(day, code)
    assert moved == next_open(day, code)
    assert is_business_day(moved, code)
    back = previous_business_day(day, code)
    assert back <= day and not closed(back, code)
    assert all(closed(back + timedelta(days=n), code) for n in range(1, (day - back).days + 1))


@fast
@given(day=days)
def test_norway_closes_weekends_and_public_holidays(day: date) -> None:
    norwegian = holidays.country_holidays("NO", years=day.year, categories=("public",))
    moved = next_business_day(day, "NO")
    assert moved.weekday() < 5 and moved not in norwegian
    for n in range((moved - day).days):
        skipped = day + timedelta(days=n)
        assert skipped.weekday() >= 5 or skipped in norwegian


@fast
@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    minute=st.integers(min_value=4 * 60, max_value=24 * 60 - 1),  # clear of DST's 02:00–03:00
    duration=st.integers(min_value=15, max_value=8 * 60),
    code=st.sampled_from(sorted(CLOSED_DAYS)),
)
def test_meetings_keep_to_business_days_and_office_hours(
    day: date, minute: int, duration: int, code: str
) -> None:
    """Issue 16, point 6: a meeting starts and ends on one business day, within office hours."""
    hours = OfficeHours(start=time(8, 0), end=time(16, 30), send_at=time(9, 0))
    zone = "Europe/Copenhagen" if code == "DK" else "Europe/Stockholm"
    starts = datetime.combine(day, time(minute // 60, minute % 60), ZoneInfo(zone))
    ends = starts + timedelta(minutes=duration)
    inside = ends.date() == day and hours.start <= starts.time() and ends.time() <= hours.end
    found = meeting_out_of_hours(
        starts.astimezone(UTC), ends, time_zone=zone, holiday_calendar=code, hours=hours
    )
    assert (found is None) == (not closed(day, code) and inside)
    if found is not None:
        assert found.closed == closed(day, code)


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 5, 1), True),  # Friday 1 May: not a helligdag
        (date(2023, 5, 5), False),  # Store Bededag 2023
        (date(2024, 4, 26), True),  # the same Friday after its abolition
        (date(2026, 6, 5), False),  # grundlovsdag
        (date(2026, 12, 24), False),  # juleaftensdag
        (date(2026, 12, 31), False),  # nytårsaftensdag
        (date(2026, 5, 14), False),  # Kristi himmelfartsdag
        (date(2026, 4, 2), False),  # skærtorsdag
    ],
)
def test_danish_business_days(day: date, open_: bool) -> None:
    assert is_business_day(day, "DK") is open_
    assert (next_business_day(day, "DK") == day) is open_


def test_danish_deadlines_move_to_the_next_business_day() -> None:
    assert next_business_day(date(2023, 5, 5), "DK") == date(2023, 5, 8)
    assert next_business_day(date(2026, 5, 1), "DK") == date(2026, 5, 1)
    assert next_business_day(date(2026, 12, 24), "DK") == date(2026, 12, 28)
    assert next_business_day(date(2026, 12, 31), "DK") == date(2027, 1, 4)
    assert holiday_name(date(2026, 5, 1), "DK", "da") is None
    assert holiday_name(date(2026, 6, 5), "DK", "da") == "Grundlovsdag"


@fast
@given(day=days)
def test_no_calendar_means_no_adjustment(day: date) -> None:
    assert next_business_day(day, "none") == day


@fast
@given(plan_id=st.sampled_from(sorted(SHIPPED)), year=years, start=starts)
def test_occurrences_of_shipped_plans(plan_id: str, year: int, start: date) -> None:
    plan = SHIPPED[plan_id]
    zone = ZoneInfo(plan.time_zone)
    hours = plan.office_hours
    found = occurrences(plan, start, year)
    labels = [(o.obligation, o.period) for o in found]
    assert len(set(labels)) == len(labels)
    assert [o.due for o in found] == sorted(o.due for o in found)
    if start > date(year, 12, 31):
        assert found == []
    for occ in found:
        assert occ.period == str(year) or occ.period.startswith(f"{year}-")
        assert occ.recipient in plan.roles
        assert occ.nominal_due.year == year
        # Adjusted due date: open, not before the nominal date, the nearest such day.
        assert occ.nominal_due <= occ.due
        assert not closed(occ.due, plan.holiday_calendar)
        assert all(
            closed(occ.nominal_due + timedelta(days=n), plan.holiday_calendar)
            for n in range((occ.due - occ.nominal_due).days)
        )
        # Deadline: the end of the due day, local time.
        deadline = occ.schedule.deadline.astimezone(zone)
        assert (deadline.date(), deadline.time()) == (occ.due + timedelta(days=1), time(0, 0))
        assert occ.schedule.reminders, "every occurrence is reminded"
        for reminder in occ.schedule.reminders:
            local = reminder.astimezone(zone)
            assert hours.start <= local.time() < hours.end
            assert not closed(local.date(), plan.holiday_calendar)
            assert reminder < occ.schedule.deadline
        for step in occ.schedule.escalations:
            local = step.at.astimezone(zone)
            assert step.at > occ.schedule.deadline
            assert not closed(local.date(), plan.holiday_calendar)


@fast
@given(year=years, start=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_first_occurrence_needs_sixty_days_lead(year: int, start: date) -> None:
    plan = SHIPPED["sundsvall"]
    for occ in occurrences(plan, start, year):
        assert start + timedelta(days=60) <= occ.nominal_due


# --- known dates (asserted exactly) ----------------------------------------------------------


def due_of(plan: Plan, year: int, key: str, period: str, start: date | None = None) -> date:
    found = occurrences(plan, start or date(year - 1, 1, 1), year, [key])
    return next(o.due for o in found if o.period == period)


def test_sundsvall_t1_2029_on_a_friday_is_kept() -> None:
    assert date(2029, 4, 20).weekday() == 4
    assert due_of(SHIPPED["sundsvall"], 2029, "self-inspection", "2029-T1") == date(2029, 4, 20)


def test_saturday_moves_to_monday() -> None:
    # Årsredovisning "senast juli": 31 July 2027 is a Saturday.
    assert due_of(SHIPPED["sundsvall"], 2027, "annual-accounts", "2027") == date(2027, 8, 2)


def test_sunday_moves_to_monday() -> None:
    # KKIK 2027 is due 31 October, a Sunday; 1 November is an ordinary Monday.
    assert due_of(SHIPPED["sundsvall"], 2027, "kkik-continuity", "2027") == date(2027, 11, 1)


def test_easter_moves_t1_past_annandag_pask() -> None:
    # 2025: 20 April is påskdagen, 21 April annandag påsk.
    assert due_of(SHIPPED["sundsvall"], 2025, "self-inspection", "2025-T1") == date(2025, 4, 22)
    # 2030: Saturday 20 April, påskdagen 21, annandag påsk 22.
    assert due_of(SHIPPED["sundsvall"], 2030, "self-inspection", "2030-T1") == date(2030, 4, 23)


def test_langfredag_and_easter_weekend() -> None:
    assert next_business_day(date(2027, 3, 26), "SE") == date(2027, 3, 30)
    # A duty due 31 March 2029 (Nordanstig's self-inspection until it was retired, issue 19):
    # Saturday before påskdagen.
    assert due_of(one_obligation_plan(3, 31), 2029, "probe", "2029") == date(2029, 4, 3)


def test_midsommarafton_is_closed_in_sweden() -> None:
    plan = one_obligation_plan(6, 20)
    assert due_of(plan, 2025, "probe", "2025") == date(2025, 6, 23)  # Friday midsommarafton
    assert due_of(plan, 2024, "probe", "2024") == date(2024, 6, 20)  # Thursday: open


def test_julafton_and_juldagen() -> None:
    plan = one_obligation_plan(12, 24)
    # 2025: julafton Wed, juldagen Thu, annandag jul Fri, weekend → Monday 29th.
    assert due_of(plan, 2025, "probe", "2025") == date(2025, 12, 29)
    # 2027: julafton Fri, juldagen Sat, Sunday → Monday 27th.
    assert due_of(plan, 2027, "probe", "2027") == date(2027, 12, 27)
    assert next_business_day(date(2025, 12, 31), "SE") == date(2026, 1, 2)  # nyårsafton


def test_danish_grundlovsdag() -> None:
    plan = one_obligation_plan(6, 5, "DK")
    assert due_of(plan, 2029, "probe", "2029") == date(2029, 6, 6)
    # The same date is an ordinary Tuesday in Sweden.
    assert due_of(one_obligation_plan(6, 5), 2029, "probe", "2029") == date(2029, 6, 5)


def test_danish_first_of_may_after_a_sunday() -> None:
    # A duty due 30 April (Herning's response to the aggregated report until it was retired,
    # issue 19): 30 April 2028 is a Sunday, and Monday 1 May is an ordinary Danish business day
    # (issue 16: it used to move to 2 May).
    plan = one_obligation_plan(4, 30, "DK")
    assert due_of(plan, 2028, "probe", "2028") == date(2028, 5, 1)


def test_reminders_and_deadline_for_sundsvall_t1_2027() -> None:
    (occ,) = [
        o
        for o in occurrences(SHIPPED["sundsvall"], date(2026, 1, 1), 2027)
        if o.period == "2027-T1"
    ]
    local = [r.astimezone(STOCKHOLM) for r in occ.schedule.reminders]
    # 30 days before is Sunday 21 March → Friday 19th (winter time); 14 → 6 April (summer
    # time); 3 → Saturday 17 April → Friday 16th. Always 09:00 local.
    assert local == [
        datetime(2027, 3, 19, 9, 0, tzinfo=STOCKHOLM),
        datetime(2027, 4, 6, 9, 0, tzinfo=STOCKHOLM),
        datetime(2027, 4, 16, 9, 0, tzinfo=STOCKHOLM),
    ]
    assert [r.utcoffset() for r in local] == [timedelta(hours=1), timedelta(hours=2)] + [
        timedelta(hours=2)
    ]
    assert occ.schedule.deadline == datetime(2027, 4, 21, 0, 0, tzinfo=STOCKHOLM)
    assert [(e.level, e.at.astimezone(STOCKHOLM).date()) for e in occ.schedule.escalations] == [
        (1, date(2027, 4, 21)),
        (2, date(2027, 5, 4)),
        (3, date(2027, 5, 20)),
    ]


# --- which years and periods are owed --------------------------------------------------------


def test_contract_starting_in_october_owes_no_t1_t2() -> None:
    plan = SHIPPED["sundsvall"]
    first_year = {(o.obligation, o.period) for o in occurrences(plan, date(2027, 10, 1), 2027)}
    # T3 (20 Nov) and KKIK (31 Oct) fall within 60 days of the start; the annual report does not.
    assert first_year == {("annual-report", "2027")}
    next_year = {o.period for o in occurrences(plan, date(2027, 10, 1), 2028, ["self-inspection"])}
    assert next_year == {"2028-T1", "2028-T2", "2028-T3"}


def test_triennial_documents_anchor_on_contract_start() -> None:
    plan = SHIPPED["sundsvall"]
    start = date(2027, 3, 1)
    owed = [y for y in range(2025, 2040) if occurrences(plan, start, y, ["governance-documents"])]
    assert owed == [2030, 2033, 2036, 2039]
    assert due_of(plan, 2030, "governance-documents", "2030", start) == date(2030, 12, 2)


def test_fixed_municipal_cycle() -> None:
    herning = SHIPPED["herning"]
    owed = [
        y
        for y in range(2020, 2036)
        if occurrences(herning, date(2020, 1, 1), y, ["citizen-survey-follow-up"])
    ]
    assert owed == [2026, 2029, 2032, 2035]


def test_kkik_only_in_opt_in_years() -> None:
    plan = SHIPPED["sundsvall"]
    found = {
        y: occurrences(plan, date(2020, 1, 1), y, ["kkik-continuity"]) for y in range(2025, 2034)
    }
    assert [y for y, occ in found.items() if occ] == [2027, 2029, 2031]
    assert found[2029][0].period_start == date(2029, 9, 1)
    assert found[2029][0].nominal_due == date(2029, 10, 31)


@pytest.mark.parametrize("plan_id", sorted(SHIPPED))
def test_nothing_owed_before_the_contract(plan_id: str) -> None:
    assert occurrences(SHIPPED[plan_id], date(2031, 1, 1), 2030) == []


@fast
@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    minute=st.integers(min_value=0, max_value=24 * 60 - 1),
    code=st.sampled_from(sorted(CLOSED_DAYS)),
)
def test_mail_to_people_goes_out_in_office_hours(day: date, minute: int, code: str) -> None:
    """Issue 16, point 9: an e-mail that is not a reply goes out at once inside office hours
    on a business day, else at the sending time of the next business day — never later."""
    hours = OfficeHours(start=time(8, 0), end=time(16, 30), send_at=time(9, 0))
    zone = ZoneInfo("Europe/Copenhagen" if code == "DK" else "Europe/Stockholm")
    at = datetime.combine(day, time(minute // 60, minute % 60), zone).astimezone(UTC)
    local = at.astimezone(zone)
    sent = office_hours_send_time(at, hours, code, str(zone)).astimezone(zone)
    inside = not closed(local.date(), code) and hours.start <= local.time() < hours.end
    if inside:
        assert sent == local
        return
    assert sent > local and sent.time() == hours.send_at and not closed(sent.date(), code)
    # No business day's sending time was skipped in between.
    first = local.date() if local.time() < hours.start else local.date() + timedelta(days=1)
    assert sent.date() == next_open(first, code)


@pytest.mark.parametrize(
    ("at", "sent"),
    [
        # Midnight switch on a Tuesday: that morning at 09:00.
        (datetime(2031, 6, 17, 0, 0), datetime(2031, 6, 17, 9, 0)),
        # Friday evening: Monday morning.
        (datetime(2031, 6, 13, 18, 0), datetime(2031, 6, 16, 9, 0)),
        # Midsommarafton (Friday 20 June 2031) and the weekend: Monday 23 June.
        (datetime(2031, 6, 19, 20, 0), datetime(2031, 6, 23, 9, 0)),
        # Inside office hours: at once.
        (datetime(2031, 6, 17, 14, 5), datetime(2031, 6, 17, 14, 5)),
    ],
)
def test_office_hours_send_time_examples(at: datetime, sent: datetime) -> None:
    hours = OfficeHours(start=time(8, 0), end=time(16, 30), send_at=time(9, 0))
    found = office_hours_send_time(at.replace(tzinfo=STOCKHOLM), hours, "SE", "Europe/Stockholm")
    assert found == sent.replace(tzinfo=STOCKHOLM)
