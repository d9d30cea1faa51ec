"""Plan activities: reading plan files and dating deadlines happen here, outside workflow code,
so a revised plan file or a holiday-library upgrade only affects what is computed from now on and
never the replay of a running workflow."""

from __future__ import annotations

from pathlib import Path

from temporalio import activity

from models.calendar import (
    CalendarRules,
    DeadlineSchedule,
    deadline_schedule,
    follow_up_year,
    next_business_day,
    occurrences,
    year_prepared_at,
)
from models.messages import DeadlineRequest, LoadYearRequest, YearPlan
from models.plan_loader import load_plan, plan_digest, resolve_plan_path


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
            obligations={ob.key: ob for ob in plan.obligations},
            rules={ob.key: CalendarRules.for_obligation(plan, ob) for ob in plan.obligations},
        )

    @activity.defn
    async def date_deadline(self, request: DeadlineRequest) -> DeadlineSchedule:
        """Adjusts a requested due date to a business day and dates its reminders/escalations."""
        due = next_business_day(request.due, request.rules.holiday_calendar)
        return deadline_schedule(request.rules, due)
