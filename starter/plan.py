"""`lov plan`: show a plan's dated duties for a year, validate plan files, list plans.

`lov plan show` is a documented contract (docs/CLI.md, "lov plan"): other tools read its `--json`
rows.
Bad input is reported on one line on stderr with exit code 2, naming the field.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer

from models.domain.calendar import holiday_name, is_business_day, occurrences
from models.domain.inputs import check_date, check_year
from models.plans.loader import PlanError, list_plans, load_plan, resolve_plan_path
from models.plans.schema import AnnualSchedule, Plan
from models.runtime.settings import get_settings

app = typer.Typer(
    name="plan",
    help="Uppföljningsplaner: visa, validera och lista. (Follow-up plans: show, validate, list.)",
    no_args_is_help=True,
)

_WEEKEND = {"sv": ("lördag", "söndag"), "da": ("lørdag", "søndag")}
_HEADERS = ("Förfallodag", "Period", "Skyldighet", "Rubrik", "Mottagare", "Anmärkning")


def _fail(line: str) -> NoReturn:
    typer.echo(line, err=True)
    raise typer.Exit(2)


def _plans_dir() -> Path:
    return get_settings().plans_dir


def _load(ref: str | None) -> Plan:
    try:
        return load_plan(ref or get_settings().default_plan, _plans_dir())
    except PlanError as err:
        _fail(str(err))


def _parse_year(text: str | None) -> int:
    if text is None:
        _fail("--year: required, e.g. --year 2027")
    try:
        year = int(text)
    except ValueError:
        _fail(f"--year: not a year (e.g. 2027), got {text!r}")
    try:
        return check_year(year)
    except ValueError as err:
        _fail(f"--year: {err}")


def _parse_date(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        _fail(f"{option}: not a date YYYY-MM-DD, got {text!r}")
    try:
        return check_date(day)
    except ValueError as err:
        _fail(f"{option}: {err}")


# --- rows ------------------------------------------------------------------------------------


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


def _not_this_year(plan: Plan, year: int, contract_start: date, shown: set[str]) -> list[str]:
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


def _table(plan: Plan, year: int, contract_start: date, found: list[dict[str, Any]]) -> str:
    out = [
        f"{plan.name} ({plan.id}, version {plan.version})",
        f"År {year} · avtalsstart {contract_start.isoformat()} · tidszon {plan.time_zone}"
        f" · helgdagskalender {plan.holiday_calendar}",
        "",
    ]
    body = [
        (
            r["due"],
            r["period"],
            r["obligation"],
            r["title"],
            r["recipient"],
            f"flyttad från {r['nominal_due']} ({r['adjusted_reason']})" if r["adjusted"] else "",
        )
        for r in found
    ]
    if body:
        widths = [max(len(row[i]) for row in [_HEADERS, *body]) for i in range(len(_HEADERS))]
        for row in [_HEADERS, *body]:
            out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    else:
        out.append(f"Inga förekomster år {year}.")
    missing = _not_this_year(plan, year, contract_start, {r["obligation"] for r in found})
    if missing:
        out += ["", f"Inte aktuellt år {year}:", *missing]
    meetings = plan.meetings
    if meetings.per_year:
        organizer = meetings.organizer or plan.administrator_role
        windows = ", ".join(
            f"{w.label} {w.start.day}/{w.start.month}–{w.end.day}/{w.end.month}"
            for w in meetings.windows
        )
        out += ["", f"Uppföljningsmöten: {meetings.per_year} per år ({organizer})"]
        if windows:
            out[-1] += f": {windows}"
    return "\n".join(out)


# --- commands --------------------------------------------------------------------------------


@app.command("show")
def show(
    plan_ref: Annotated[
        str | None,
        typer.Argument(
            metavar="PLAN",
            help="Plan-id i plans/ eller sökväg till en planfil; standard är den konfigurerade "
            "planen. (Plan id or path; default the configured plan.)",
            show_default=False,
        ),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            metavar="ÅÅÅÅ",
            help="Uppföljningsåret, 2000–2100. (The follow-up year.)",
            show_default=False,
        ),
    ] = None,
    contract_start: Annotated[
        str | None,
        typer.Option(
            "--contract-start",
            metavar="ÅÅÅÅ-MM-DD",
            help="Avtalets startdatum. Standard: 1 januari året före --year, så att hela årets "
            "skyldigheter visas; skyldigheter vart tredje år räknas från avtalsstarten och "
            "visas bara de år de infaller. (Contract start; default 1 January of the year "
            "before --year. Triennial duties count from the contract start.)",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Skriv en JSON-array i stället för en tabell. (JSON array.)"),
    ] = False,
) -> None:
    """Visa planens daterade skyldigheter för ett år. (Show the plan's occurrences for a year.)

    Förfallodagar som infaller på lördag, söndag eller helgdag flyttas till nästa vardag.
    """
    the_year = _parse_year(year)
    start = (
        _parse_date(contract_start, "--contract-start")
        if contract_start is not None
        else date(the_year - 1, 1, 1)
    )
    plan = _load(plan_ref)
    found = rows(plan, the_year, start)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        typer.echo(_table(plan, the_year, start, found))


@app.command("validate")
def validate(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PLAN",
            help="Plan-id:n eller sökvägar; standard är alla planer i plans/. (Plan ids or "
            "paths; default all plans.)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Kontrollera planfiler: OK per fil, annars felet på en rad och slutkod 2.
    (Check plan files: OK per file, else the error on one line and exit code 2.)"""
    plans_dir = _plans_dir()
    failed = False
    for ref in refs or list_plans(plans_dir):
        try:
            path = resolve_plan_path(ref, plans_dir)
            plan = load_plan(ref, plans_dir)
        except PlanError as err:
            typer.echo(str(err), err=True)
            failed = True
            continue
        typer.echo(
            f"OK {path} ({plan.id}, version {plan.version}, {len(plan.obligations)} skyldigheter)"
        )
    if failed:
        raise typer.Exit(2)


@app.command("list")
def list_command() -> None:
    """Lista planerna i plans/; * markerar standardplanen. (List plans; * marks the default.)"""
    plans_dir = _plans_dir()
    default = get_settings().default_plan
    ids = list_plans(plans_dir)
    width = max((len(i) for i in ids), default=0)
    for plan_id in ids:
        head = f"{'*' if plan_id == default else ' '} {plan_id.ljust(width)}"
        try:
            plan = load_plan(plan_id, plans_dir)
        except PlanError as err:
            typer.echo(f"{head}  OGILTIG: {err.key}: {err.message}")
            continue
        typer.echo(f"{head}  {plan.version}  {plan.name}")
