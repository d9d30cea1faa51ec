"""Plans: a plan's dated duties for a year, checking plan files, listing the plans.

`rows` is the documented JSON of `lov plan show` (other tools read it). Everything here reads
plan files only: no Temporal, no records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.domain.calendar import holiday_name, is_business_day, occurrences
from models.plans.loader import PlanError, list_plans, load_plan, resolve_plan_path
from models.plans.schema import AnnualSchedule, Plan
from services.errors import ActionError

_WEEKEND = {"sv": ("lördag", "söndag"), "da": ("lørdag", "søndag")}


# --- a plan's year -------------------------------------------------------------------------------


def _closed_reason(plan: Plan, day: date) -> str:
    """Why `day` is not a business day, in the plan's language."""
    name = holiday_name(day, plan.holiday_calendar, plan.language)
    if name:
        return name
    return _WEEKEND[plan.language][day.weekday() - 5] if day.weekday() >= 5 else "helgdag"


def _skipped(plan: Plan, nominal: date, due: date) -> list[dict[str, str]]:
    days = (nominal + timedelta(days=n) for n in range((due - nominal).days))
    return [
        {"date": d.isoformat(), "reason": _closed_reason(plan, d)}
        for d in days
        if not is_business_day(d, plan.holiday_calendar)
    ]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat()


def rows(plan: Plan, year: int, contract_start: date) -> list[dict[str, Any]]:
    """The JSON rows of `lov plan show`: one per occurrence, ordered by due date."""
    zone = ZoneInfo(plan.time_zone)
    found: list[dict[str, Any]] = []
    for occ in occurrences(plan, contract_start, year):
        skipped = _skipped(plan, occ.nominal_due, occ.due)
        schedule = occ.schedule
        found.append(
            {
                "obligation": occ.obligation,
                "title": occ.title,
                "period": occ.period,
                "period_start": occ.period_start.isoformat(),
                "period_end": occ.period_end.isoformat(),
                "nominal_due": occ.nominal_due.isoformat(),
                "due": occ.due.isoformat(),
                "adjusted": occ.due != occ.nominal_due,
                "adjusted_reason": ", ".join(s["reason"] for s in skipped) or None,
                "skipped_days": skipped,
                "recipient": occ.recipient,
                "recipient_title": plan.roles[occ.recipient].title,
                "recipient_email": plan.role_email(occ.recipient),
                "deadline": _local(schedule.deadline, zone),
                "reminders": [_local(r, zone) for r in schedule.reminders],
                "escalations": [
                    {
                        "level": e.level,
                        "kind": e.kind,
                        "at": _local(e.at, zone),
                        "notify": list(e.notify),
                    }
                    for e in schedule.escalations
                ],
            }
        )
    return found


def default_contract_start(year: int) -> date:
    """The contract start a plan's year is shown for when none is given: 1 January of the year
    before, so every duty of the year shows (`lov plan show`'s default)."""
    return date(year - 1, 1, 1)


@dataclass(frozen=True)
class PlanYear:
    """A plan's calendar for one year: the plan and its dated duties (`rows`)."""

    plan: Plan
    year: int
    contract_start: date
    rows: list[dict[str, Any]]


def plan_year(
    plan_id: str, year: int, plans_dir: Path, contract_start: date | None = None
) -> PlanYear:
    """Every duty of `plan_id` in `year` with its business-day adjusted dates, as
    `lov plan show` gives them; ActionError("--plan") for a plan not in `plans_dir` by its
    id, or one that cannot be read."""
    unknown = ActionError("--plan", f"okänd plan (unknown plan), fick {plan_id!r}")
    # Only a plan of the plans folder by its id: never a path (the desk passes what it is sent).
    if plan_id not in list_plans(plans_dir):
        raise unknown
    try:
        plan = load_plan(plan_id, plans_dir)
    except PlanError:
        raise unknown from None
    start = contract_start or default_contract_start(year)
    return PlanYear(plan, year, start, rows(plan, year, start))


def not_this_year(plan: Plan, year: int, contract_start: date, shown: set[str]) -> list[str]:
    """One line per obligation without an occurrence in `year`, saying why."""
    lines: list[str] = []
    for ob in plan.obligations:
        if ob.key in shown:
            continue
        schedule = ob.schedule
        later = next(
            (
                y
                for y in range(year + 1, year + 11)
                if occurrences(plan, contract_start, y, [ob.key])
            ),
            None,
        )
        if isinstance(schedule, AnnualSchedule) and schedule.only_years:
            why = "endast år " + ", ".join(map(str, schedule.only_years))
        elif isinstance(schedule, AnnualSchedule) and schedule.every_years > 1:
            base = "avtalsstart" if schedule.anchor == "contract-start" else str(schedule.anchor)
            why = f"vart {schedule.every_years}:e år räknat från {base}"
        elif contract_start.year > year:
            why = f"avtalet startar {contract_start.isoformat()}"
        else:
            why = f"inte skyldig första året (avtalsstart {contract_start.isoformat()})"
        if later:
            why += f"; nästa gång {later}"
        lines.append(f"  {ob.key}: {why}")
    return lines


# --- checking and listing plan files -------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """One plan file checked: the plan and its file, or the error (one line)."""

    ref: str
    path: Path | None = None
    plan: Plan | None = None
    error: PlanError | None = None


def validate(refs: list[str] | None, plans_dir: Path) -> list[Checked]:
    """Each plan named (an id or a file), or every plan in `plans_dir`, checked."""
    found = []
    for ref in refs or list_plans(plans_dir):
        try:
            path = resolve_plan_path(ref, plans_dir)
            plan = load_plan(ref, plans_dir)
        except PlanError as err:
            found.append(Checked(ref, error=err))
            continue
        found.append(Checked(ref, path, plan))
    return found


@dataclass(frozen=True)
class Listed:
    """A plan in the plans folder: loaded, or why it cannot be."""

    plan_id: str
    default: bool
    plan: Plan | None = None
    error: PlanError | None = None


def listing(plans_dir: Path, default_plan: str) -> list[Listed]:
    found = []
    for plan_id in list_plans(plans_dir):
        try:
            plan = load_plan(plan_id, plans_dir)
        except PlanError as err:
            found.append(Listed(plan_id, plan_id == default_plan, error=err))
            continue
        found.append(Listed(plan_id, plan_id == default_plan, plan))
    return found


# --- who answers for the service -----------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """The plan's administrator role as people see it: its title and address."""

    title: str
    email: str


def administrator_contact(plan_id: str, plans_dir: Path) -> Contact | None:
    """The administrator role of `plan_id` (None if the plan cannot be read): where the desk's
    accessibility statement sends reports of problems."""
    try:
        plan = load_plan(plan_id, plans_dir)
    except PlanError:
        return None
    role = plan.roles.get(plan.administrator_role)
    return None if role is None else Contact(role.title, str(role.email))
