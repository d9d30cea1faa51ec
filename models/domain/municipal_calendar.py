"""Dating the municipality's own duties (models.plans.municipal_duties): which tasks a year has,
their due dates, reminders and escalation instant, by the plan's calendar.

Runs in activities only (it reads the holiday tables), like models.domain.calendar.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from models.domain.calendar import (
    CalendarRules,
    _annual_years,
    _at,
    _on,
    deadline_schedule,
    next_business_day,
)
from models.messages.municipal import ActiveProvider, MunicipalTask
from models.plans.schema import AnnualSchedule, EscalationStep, MunicipalDuty, Plan

# A municipality-wide duty "every year" has no contract start: years count from here.
_EVERY_YEAR = date(2000, 1, 1)


def task_id(duty: str, period: str, part: str | None = None) -> str:
    """`tillsynsbesok-2027-5560360793` (at a provider) or `kundundersokning-2027`."""
    return f"{duty}-{period}" if part is None else f"{duty}-{period}-{part}"


def duty_rules(plan: Plan, duty: MunicipalDuty) -> CalendarRules:
    """The plan's calendar with the duty's reminders and its one escalation step."""
    offsets = duty.reminder_offsets_days
    return CalendarRules(
        time_zone=plan.time_zone,
        holiday_calendar=plan.holiday_calendar,
        office_hours=plan.office_hours,
        reminder_offsets_days=offsets if offsets is not None else plan.reminder_offsets_days,
        escalation=(
            EscalationStep(
                level=1,
                after_days=duty.escalate_after_days,
                kind="municipal-task-escalation",
                title=duty.title,
                notify=(duty.owner,),
            ),
        ),
    )


def _periods(duty: MunicipalDuty, year: int, start: date) -> list[tuple[str, date, date]]:
    """(period label, period start, nominal due) of the duty in `year`."""
    schedule = duty.schedule
    if isinstance(schedule, AnnualSchedule):
        if not _annual_years(schedule, start, year):
            return []
        opens = _on(year, schedule.opens) if schedule.opens else date(year, 1, 1)
        return [(str(year), opens, _on(year, schedule.due))]
    return [(f"{year}-{p.label}", _on(year, p.start), _on(year, p.due)) for p in schedule.periods]


def _task(
    plan: Plan, duty: MunicipalDuty, period: str, nominal: date, at: ActiveProvider | None
) -> MunicipalTask:
    due = next_business_day(nominal, plan.holiday_calendar)
    schedule = deadline_schedule(duty_rules(plan, duty), due)
    return MunicipalTask(
        task_id=task_id(duty.key, period, at.part if at else None),
        duty=duty.key,
        title=duty.title,
        description=duty.description,
        owner=duty.owner,
        scope=duty.scope,
        period=period,
        due=due,
        org_nr=at.org_nr if at else None,
        provider_name=at.name if at else None,
        reminders=list(schedule.reminders),
        deadline=schedule.deadline,
        escalate_at=schedule.escalations[0].at,
    )


def municipal_tasks(
    plan: Plan, year: int, providers: list[ActiveProvider], *, scope: str | None = None
) -> list[MunicipalTask]:
    """Every task of `year`: one per municipality duty, one per provider duty and provider
    whose contract has started by the period's due date and not ended before the period opens.
    `scope`: only that scope's tasks. Ordered by due date, then id."""
    found: list[MunicipalTask] = []
    for duty in plan.municipal.duties:
        if scope is not None and duty.scope != scope:
            continue
        if duty.scope == "municipality":
            for period, _opens, nominal in _periods(duty, year, _EVERY_YEAR):
                found.append(_task(plan, duty, period, nominal, None))
            continue
        for provider in providers:
            for period, opens, nominal in _periods(duty, year, provider.contract_start):
                if provider.contract_start > nominal:
                    continue  # no contract yet when it was due
                if provider.end_date is not None and provider.end_date < opens:
                    continue  # ended before the period
                found.append(_task(plan, duty, period, nominal, provider))
    found.sort(key=lambda t: (t.due, t.task_id))
    return found


def year_starts_at(plan: Plan, year: int) -> datetime:
    """When the municipal duties workflow turns to `year`: the first instant of 1 January."""
    return _at(date(year, 1, 1), time(0, 0), ZoneInfo(plan.time_zone))


def current_year(plan: Plan, at: datetime) -> int:
    return at.astimezone(ZoneInfo(plan.time_zone)).year


__all__ = [
    "current_year",
    "duty_rules",
    "municipal_tasks",
    "task_id",
    "year_starts_at",
]
