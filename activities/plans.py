"""Plan activities: reading plan files and dating deadlines happen here, outside workflow code,
so a revised plan file or a holiday-library upgrade only affects what is computed from now on and
never the replay of a running workflow."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from temporalio import activity

from models.domain.calendar import (
    CalendarRules,
    DeadlineSchedule,
    deadline_schedule,
    follow_up_year,
    meeting_reminder_at,
    meeting_windows,
    next_business_day,
    occurrences,
    office_hours_send_time,
    year_prepared_at,
)
from models.messages.application import ApplicationPlan, LoadApplicationPlan
from models.messages.common import DeadlineRequest, OfficeHoursRequest
from models.messages.contract import LoadYearRequest, YearPlan
from models.messages.meeting import MeetingReminderRequest
from models.plans.loader import load_plan, plan_digest, resolve_plan_path
from models.plans.schema import PROVIDER_ROLE, EscalationStep, Plan


def plan_calendar(
    plan: Plan, reminder_offsets_days: tuple[int, ...], escalation: tuple[EscalationStep, ...]
) -> CalendarRules:
    """The plan's calendar (time zone, holidays, office hours) with the reminders and the
    escalation ladder of one kind of deadline."""
    return CalendarRules(
        time_zone=plan.time_zone,
        holiday_calendar=plan.holiday_calendar,
        office_hours=plan.office_hours,
        reminder_offsets_days=reminder_offsets_days,
        escalation=escalation,
    )


class PlanActivities:
    def __init__(self, plans_dir: Path) -> None:
        self._plans_dir = plans_dir

    @activity.defn
    async def load_year(self, request: LoadYearRequest) -> YearPlan:
        path = resolve_plan_path(request.plan_id, self._plans_dir)
        plan = load_plan(str(path), self._plans_dir)
        year = request.year or follow_up_year(plan, request.contract_start, request.at)
        found = occurrences(plan, request.contract_start, year)
        return YearPlan(
            year=year,
            plan_id=plan.id,
            plan_version=plan.version,
            plan_digest=plan_digest(path),
            language=plan.language,
            time_zone=plan.time_zone,
            roles=plan.roles,
            administrator_role=plan.administrator_role,
            next_year_at=year_prepared_at(plan, year + 1),
            occurrences=found,
            # Retired duties too (never scheduled: `occurrences` reads plan.obligations only), so
            # a running contract's notices still name an earlier year's open item by its title.
            obligations={ob.key: ob for ob in plan.known_obligations},
            rules={ob.key: CalendarRules.for_obligation(plan, ob) for ob in plan.obligations},
            meetings=meeting_windows(plan, request.contract_start, year),
            calendar=plan_calendar(plan, plan.reminder_offsets_days, plan.escalation),
        )

    @activity.defn
    async def load_application_plan(self, request: LoadApplicationPlan) -> ApplicationPlan:
        plan = load_plan(str(resolve_plan_path(request.plan_id, self._plans_dir)), self._plans_dir)
        # The decision time running out is a matter for the plan's top escalation level (and
        # the administrator), told on the next business day, in office hours.
        top = [r for r in plan.escalation[-1].notify if r != PROVIDER_ROLE]
        overdue = EscalationStep(
            level=1,
            after_days=1,
            kind="decision-overdue",
            title="Beslutstiden har gått ut",
            notify=tuple(dict.fromkeys([*top, plan.administrator_role])),
        )
        return ApplicationPlan(
            plan_id=plan.id,
            plan_version=plan.version,
            language=plan.language,
            rules=plan_calendar(plan, plan.reminder_offsets_days, (overdue,)),
            roles=plan.roles,
            administrator_role=plan.administrator_role,
            skallkrav={k.key: k.title for k in plan.skallkrav},
            decision_weeks=plan.decision_weeks,
            response_days=plan.response_days,
        )

    @activity.defn
    async def date_deadline(self, request: DeadlineRequest) -> DeadlineSchedule:
        """Adjusts a requested due date to a business day and dates its reminders/escalations."""
        due = next_business_day(request.due, request.rules.holiday_calendar)
        return deadline_schedule(request.rules, due)

    @activity.defn
    async def office_hours_send_time(self, request: OfficeHoursRequest) -> datetime:
        """When an e-mail that is not a reply to someone's own action goes out (issue 16)."""
        rules = request.rules
        return office_hours_send_time(
            request.at, rules.office_hours, rules.holiday_calendar, rules.time_zone
        )

    @activity.defn
    async def meeting_reminder(self, request: MeetingReminderRequest) -> datetime:
        """When to remind the participants of a meeting (business days before, office hours)."""
        return meeting_reminder_at(request.rules, request.starts_at)
