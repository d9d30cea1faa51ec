"""Deadline calendar: plan + contract start + year → dated occurrences.

Pure and deterministic (no clock, no I/O besides the holiday library's static tables), so the same
functions serve `lov plan show`, the plan activity and tests. Workflows receive the results through
an activity, so a holiday-library upgrade can never change the history of a running workflow.

Rules (docs/PLAN_FORMAT.md, "Deadline rules"): dates are calendar dates in the plan's time zone;
"by 20 April" means by the end of that day; a due date on a day that is not a business day moves
to the next business day; reminders go out at the plan's offsets before the adjusted due date, at
office hours, moved to the previous business day so a reminder is never later than promised.

Business days follow each country's law on when a deadline ends (see `_CATEGORIES` below):

- Sweden (holiday_calendar "SE"): lag (1930:173) om beräkning av lagstadgad tid. A deadline
  ending on a Saturday, Sunday, allmän helgdag (lag (1989:253) om allmänna helgdagar),
  midsommarafton, julafton or nyårsafton moves to the next weekday that is none of these.
- Denmark ("DK"): retsplejeloven § 148 a, the same practice in forvaltningsret. A deadline
  ending on a Saturday, Sunday, helligdag (nytårsdag, skærtorsdag, langfredag, påskedag,
  2. påskedag, Store Bededag until 2023, Kristi himmelfartsdag, pinsedag, 2. pinsedag, juledag,
  2. juledag), grundlovsdag (5 June), juleaftensdag (24 December) or nytårsaftensdag
  (31 December) moves to the next weekday that is none of these. Every other weekday is a
  business day: 1 May is not a helligdag, and Store Bededag is abolished from 2024.

Follow-up meetings are held on business days within the plan's office hours unless a reason is
given (`meeting_out_of_hours`).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from models.plans.schema import (
    AnnualSchedule,
    EscalationStep,
    FirstOccurrence,
    MonthDay,
    Obligation,
    OfficeHours,
    Plan,
)

# The `holidays` library's categories that are closed days, taken whole, per country (see the
# module docstring for the laws). SE: "public" is the allmänna helgdagar, "de_facto" exactly
# midsommarafton, julafton and nyårsafton. DK: "public" is the helligdage (the library drops
# Store Bededag from 2024). Its DK "optional" category is not taken: besides the three days in
# `_FIXED` it holds 1 May, an ordinary business day under § 148 a.
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "SE": ("public", "de_facto"),
    "DK": ("public",),
    "NO": ("public",),
    "FI": ("public",),
}
# Days closed every year on the same date, stated here rather than read from a library
# category: grundlovsdag, juleaftensdag and nytårsaftensdag (retsplejeloven § 148 a).
_FIXED: dict[str, tuple[tuple[int, int], ...]] = {
    "DK": ((6, 5), (12, 24), (12, 31)),
}
# Where the library has the names of the `_FIXED` days (in the plan's language).
_NAMED_IN: dict[str, tuple[str, ...]] = {"DK": ("optional",)}


class CalendarRules(BaseModel):
    """The part of a plan needed to date a deadline; small enough to carry in workflow inputs."""

    model_config = ConfigDict(frozen=True)

    time_zone: str
    holiday_calendar: str
    office_hours: OfficeHours
    reminder_offsets_days: tuple[int, ...]
    escalation: tuple[EscalationStep, ...]

    @classmethod
    def for_obligation(cls, plan: Plan, obligation: Obligation) -> CalendarRules:
        offsets = obligation.reminder_offsets_days
        return cls(
            time_zone=plan.time_zone,
            holiday_calendar=plan.holiday_calendar,
            office_hours=plan.office_hours,
            reminder_offsets_days=offsets if offsets is not None else plan.reminder_offsets_days,
            escalation=plan.escalation,
        )


class ScheduledEscalation(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: int
    kind: str
    title: str
    notify: tuple[str, ...]
    at: datetime


class DeadlineSchedule(BaseModel):
    """Instants (UTC) that a due date implies: reminders, the deadline itself, escalations."""

    model_config = ConfigDict(frozen=True)

    due: date
    deadline: datetime
    reminders: tuple[datetime, ...]
    escalations: tuple[ScheduledEscalation, ...]


class Occurrence(BaseModel):
    """One concrete duty: obligation × period, with its dates."""

    model_config = ConfigDict(frozen=True)

    obligation: str
    title: str
    period: str
    period_start: date
    period_end: date
    nominal_due: date
    due: date
    recipient: str
    schedule: DeadlineSchedule


# --- business days -------------------------------------------------------------------------


def _country_holidays(code: str, **options: Any) -> Any:
    """holidays.country_holidays, imported on first use: the library takes longer to import
    than a CLI command's own work, and the messages import this module for its types only.
    Passed through the workflow sandbox, which would otherwise import a fresh copy per run.
    Temporal's workflow module is imported here too, not at the top: a read command that only
    formats dates (the compliance report, `lov provider show`) need not load the SDK."""
    from temporalio import workflow

    with workflow.unsafe.imports_passed_through():
        import holidays

    return holidays.country_holidays(code, **options)


@lru_cache(maxsize=64)
def _holidays(code: str, year: int) -> frozenset[date]:
    if code == "none":
        return frozenset()
    found = {date(year, month, day) for month, day in _FIXED.get(code, ())}
    for category in _CATEGORIES[code]:
        found.update(_country_holidays(code, years=year, categories=(category,)).keys())
    return frozenset(found)


def is_business_day(day: date, holiday_calendar: str) -> bool:
    """Weekdays that are not closed days of the country's deadline rule (module docstring).
    With calendar "none", every day counts."""
    if holiday_calendar == "none":
        return True
    return day.weekday() < 5 and day not in _holidays(holiday_calendar, day.year)


def holiday_name(day: date, holiday_calendar: str, language: str | None = None) -> str | None:
    """The name of the closed day `day`, in `language` (e.g. the plan's "sv"/"da") where the
    library has it; None for a day the rule does not close (Danish 1 May included)."""
    if holiday_calendar == "none" or day not in _holidays(holiday_calendar, day.year):
        return None
    for category in _CATEGORIES[holiday_calendar] + _NAMED_IN.get(holiday_calendar, ()):
        found = _country_holidays(
            holiday_calendar, years=day.year, categories=(category,), language=language
        )
        if day in found:
            return str(found.get(day))
    return None


def next_business_day(day: date, holiday_calendar: str) -> date:
    """`day` itself if it is a business day, else the nearest business day after it."""
    while not is_business_day(day, holiday_calendar):
        day += timedelta(days=1)
    return day


def previous_business_day(day: date, holiday_calendar: str) -> date:
    while not is_business_day(day, holiday_calendar):
        day -= timedelta(days=1)
    return day


# --- deadlines -------------------------------------------------------------------------------


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def deadline_schedule(rules: CalendarRules, due: date) -> DeadlineSchedule:
    """Reminders, deadline and escalation instants for an (already adjusted) due date."""
    zone = ZoneInfo(rules.time_zone)
    send_at = rules.office_hours.send_at
    cal = rules.holiday_calendar
    # End of the due day: the first instant of the next local day.
    deadline = _at(due + timedelta(days=1), time(0, 0), zone)
    reminders = sorted(
        {
            _at(previous_business_day(due - timedelta(days=offset), cal), send_at, zone)
            for offset in rules.reminder_offsets_days
        }
    )
    escalations = tuple(
        ScheduledEscalation(
            level=step.level,
            kind=step.kind,
            title=step.title,
            notify=step.notify,
            # Never before the deadline has passed, and only on business days.
            at=max(
                deadline,
                _at(
                    next_business_day(due + timedelta(days=max(step.after_days, 1)), cal),
                    send_at,
                    zone,
                ),
            ),
        )
        for step in rules.escalation
    )
    return DeadlineSchedule(
        due=due, deadline=deadline, reminders=tuple(reminders), escalations=escalations
    )


# --- occurrences -----------------------------------------------------------------------------


def _on(year: int, md: MonthDay) -> date:
    # 29 February (or 31st of a short month) clamps to the month's last day.
    last = _calendar.monthrange(year, md.month)[1]
    return date(year, md.month, min(md.day, last))


def _annual_years(schedule: AnnualSchedule, contract_start: date, year: int) -> bool:
    if schedule.only_years and year not in schedule.only_years:
        return False
    if schedule.anchor == "contract-start":
        delta = year - contract_start.year
        if schedule.every_years == 1:
            return delta >= 0
        # The application already supplied the documents, so the first renewal is one full
        # cycle after the start year.
        return delta >= schedule.every_years and delta % schedule.every_years == 0
    return year >= schedule.anchor and (year - schedule.anchor) % schedule.every_years == 0


def _owed(rule: FirstOccurrence, contract_start: date, period_start: date, nominal: date) -> bool:
    if rule.rule == "full-period":
        return contract_start <= period_start
    if rule.rule == "due-after-start":
        return contract_start < nominal
    return contract_start + timedelta(days=rule.days) <= nominal


def _periods(
    ob: Obligation, contract_start: date, year: int
) -> Iterable[tuple[str, date, date, date]]:
    """(label, period start, period end, nominal due) for one obligation and year."""
    schedule = ob.schedule
    if isinstance(schedule, AnnualSchedule):
        if _annual_years(schedule, contract_start, year):
            opens = _on(year, schedule.opens) if schedule.opens else date(year, 1, 1)
            yield str(year), opens, date(year, 12, 31), _on(year, schedule.due)
        return
    for period in schedule.periods:
        yield (
            f"{year}-{period.label}",
            _on(year, period.start),
            _on(year, period.end),
            _on(year, period.due),
        )


def occurrences(
    plan: Plan, contract_start: date, year: int, keys: Sequence[str] | None = None
) -> list[Occurrence]:
    """Every occurrence the contract owes in `year`, ordered by due date then key."""
    found: list[Occurrence] = []
    for ob in plan.obligations:
        if keys is not None and ob.key not in keys:
            continue
        rules = CalendarRules.for_obligation(plan, ob)
        first = ob.first_occurrence or plan.first_occurrence
        for label, start, end, nominal in _periods(ob, contract_start, year):
            if not _owed(first, contract_start, start, nominal):
                continue
            due = next_business_day(nominal, plan.holiday_calendar)
            found.append(
                Occurrence(
                    obligation=ob.key,
                    title=ob.title,
                    period=label,
                    period_start=start,
                    period_end=end,
                    nominal_due=nominal,
                    due=due,
                    recipient=ob.recipient,
                    schedule=deadline_schedule(rules, due),
                )
            )
    found.sort(key=lambda o: (o.due, o.obligation, o.period))
    return found


def year_prepared_at(plan: Plan, year: int) -> datetime:
    """When the contract workflow prepares follow-up `year` (on the plan's day in `year - 1`)."""
    zone = ZoneInfo(plan.time_zone)
    return _at(_on(year - 1, plan.prepare_next_year_on), time(0, 0), zone)


def follow_up_year(plan: Plan, contract_start: date, at: datetime | None) -> int:
    """The follow-up year a new contract starts in: the local year at `at`, never before the
    contract's own start year.

    Also when the next year has already been prepared (a contract registered in December): the
    current year's remaining duties are owed too, and the contract workflow goes on to the next
    year right after (issue 16: such a contract skipped the rest of the year unnoticed)."""
    if at is None:
        return contract_start.year
    year = at.astimezone(ZoneInfo(plan.time_zone)).year
    return max(year, contract_start.year)


# --- follow-up meetings --------------------------------------------------------------------------

# The meeting reminder goes out this many business days before the meeting day, at office hours.
MEETING_REMINDER_BUSINESS_DAYS = 2


class MeetingWindow(BaseModel):
    """One follow-up meeting a contract owes in a year (plan `meetings.windows`), with the
    instants its workflow acts at, dated here so workflow code never needs the holiday tables."""

    model_config = ConfigDict(frozen=True)

    label: str  # "H1"
    period: str  # "2027-H1"
    start: date
    end: date
    due: date  # the last day a meeting may be held, adjusted to a business day
    deadline: datetime  # end of `due`
    # The organizer is reminded here if nothing is scheduled by the middle of the window.
    remind_at: datetime
    # Management is told here (the next business day after `due`) if no meeting was held.
    escalate_at: datetime
    escalate_to: tuple[str, ...]
    organizer: str
    # The plan's default reminders and escalation ladder, for the provider's action items.
    rules: CalendarRules


def _meeting_escalation_roles(plan: Plan, organizer: str) -> tuple[str, ...]:
    """Management per the plan: the ladder step of kind "management" (else its last step),
    without the provider, plus the organizer so the person responsible knows too."""
    steps = [s for s in plan.escalation if s.kind == "management"] or [plan.escalation[-1]]
    roles = [r for r in steps[0].notify if r != "provider"]
    for role in (organizer, plan.administrator_role):
        if role not in roles:
            roles.append(role)
    return tuple(roles)


def meeting_windows(plan: Plan, contract_start: date, year: int) -> list[MeetingWindow]:
    """The meetings a contract owes in `year`; the plan's first-occurrence rule decides whether
    a contract that started shortly before (or during) a window owes that window's meeting."""
    zone = ZoneInfo(plan.time_zone)
    cal = plan.holiday_calendar
    send_at = plan.office_hours.send_at
    organizer = plan.meetings.organizer or plan.administrator_role
    first = plan.first_occurrence
    rules = CalendarRules(
        time_zone=plan.time_zone,
        holiday_calendar=cal,
        office_hours=plan.office_hours,
        reminder_offsets_days=plan.reminder_offsets_days,
        escalation=plan.escalation,
    )
    found = []
    for window in plan.meetings.windows:
        start, end, nominal = _on(year, window.start), _on(year, window.end), _on(year, window.due)
        if year < contract_start.year or not _owed(first, contract_start, start, nominal):
            continue
        due = next_business_day(nominal, cal)
        middle = start + (due - start) // 2
        found.append(
            MeetingWindow(
                label=window.label,
                period=f"{year}-{window.label}",
                start=start,
                end=end,
                due=due,
                deadline=_at(due + timedelta(days=1), time(0, 0), zone),
                remind_at=_at(next_business_day(middle, cal), send_at, zone),
                escalate_at=_at(next_business_day(due + timedelta(days=1), cal), send_at, zone),
                escalate_to=_meeting_escalation_roles(plan, organizer),
                organizer=organizer,
                rules=rules,
            )
        )
    return found


def meeting_reminder_at(rules: CalendarRules, starts_at: datetime) -> datetime:
    """The reminder before a meeting: business days before the meeting day, at office hours."""
    zone = ZoneInfo(rules.time_zone)
    day = starts_at.astimezone(zone).date()
    for _ in range(MEETING_REMINDER_BUSINESS_DAYS):
        day = previous_business_day(day - timedelta(days=1), rules.holiday_calendar)
    return _at(day, rules.office_hours.send_at, zone)


# --- when e-mail to people goes out -------------------------------------------------------


def office_hours_send_time(
    at: datetime, office_hours: OfficeHours, holiday_calendar: str, time_zone: str
) -> datetime:
    """When an e-mail that is not a reply to the recipient's own action goes out: `at` itself
    inside office hours on a business day; otherwise the next business day's sending time (the
    plan's `send_at`, or the start of office hours if that lies outside them). A switch that
    takes effect at midnight or a notice after a Friday-evening termination thus reaches people
    on the next working morning, never in the night or at the weekend (issue 16)."""
    zone = ZoneInfo(time_zone)
    local = at.astimezone(zone)
    start, end = office_hours.start, office_hours.end
    send = office_hours.send_at if start <= office_hours.send_at < end else start
    day = local.date()
    if is_business_day(day, holiday_calendar):
        if start <= local.time() < end:
            return at
        if local.time() < start:
            return _at(day, send, zone)
    return _at(next_business_day(day + timedelta(days=1), holiday_calendar), send, zone)


# --- meeting times ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutOfHours:
    """Why a meeting time lies outside business hours: the rule for meetings (issue 16) is that
    a meeting starts and ends on one business day of the plan's calendar (the deadline rule
    above), within its office hours (start..end, local time). Another time needs a reason."""

    day: date
    closed: bool  # the day is no business day; else the times leave the office hours
    starts: time
    ends: time
    hours: OfficeHours

    def english(self) -> str:
        if self.closed:
            return f"{self.day.isoformat()} is not a business day"
        return (
            f"{self.starts:%H:%M}–{self.ends:%H:%M} is outside office hours "
            f"{self.hours.start:%H:%M}–{self.hours.end:%H:%M}"
        )

    def swedish(self) -> str:
        if self.closed:
            return f"{self.day.isoformat()} är ingen arbetsdag"
        return (
            f"{self.starts:%H:%M}–{self.ends:%H:%M} ligger utanför kontorstiden "
            f"{self.hours.start:%H:%M}–{self.hours.end:%H:%M}"
        )


def meeting_out_of_hours(
    starts_at: datetime,
    ends_at: datetime,
    *,
    time_zone: str,
    holiday_calendar: str,
    hours: OfficeHours,
) -> OutOfHours | None:
    """None if the meeting from `starts_at` to `ends_at` keeps to business hours (`OutOfHours`),
    else why not. The workflow's validator and services.meetings both ask this."""
    zone = ZoneInfo(time_zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    day = start.date()
    closed = not is_business_day(day, holiday_calendar)
    # Ends on the same day and no later than the offices close (a meeting ending at closing
    # time is fine); `start.time()` is naive local time, as are the office hours.
    inside = end.date() == day and hours.start <= start.time() and end.time() <= hours.end
    if not closed and inside:
        return None
    return OutOfHours(day, closed, start.time(), end.time(), hours)
