"""`lov plan`: show a plan's dated duties for a year, validate plan files, list plans.

The rows, the checks and the listing are services.plans'; this module parses and prints.

`lov plan show` is a documented contract (docs/CLI.md, "lov plan"): other tools read its `--json`
rows.
Bad input is reported on one line on stderr with exit code 2, naming the field.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from models.domain.inputs import check_year
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan
from models.runtime.settings import get_settings
from services.plans import listing, not_this_year, rows
from services.plans import validate as validate_plans
from starter.options import date_option, date_value, value_option

app = typer.Typer(
    name="plan",
    help="Uppföljningsplaner: visa, validera och lista. (Follow-up plans: show, validate, list.)",
    no_args_is_help=True,
)

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
    # The CLI's one date rule and message, printed as `lov plan` prints its errors (no `fel:`).
    try:
        return date_value(text, option)
    except ValueError as err:
        _fail(str(err))


# --- the table ------------------------------------------------------------------------------


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
    missing = not_this_year(plan, year, contract_start, {r["obligation"] for r in found})
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
        value_option("--year", "ÅÅÅÅ", "Uppföljningsåret, 2000–2100. (The follow-up year.)"),
    ] = None,
    contract_start: Annotated[
        str | None,
        date_option(
            "--contract-start",
            "Avtalets startdatum. Standard: 1 januari året före --year, så att hela årets "
            "skyldigheter visas; skyldigheter vart tredje år räknas från avtalsstarten och "
            "visas bara de år de infaller. (Contract start; default 1 January of the year "
            "before --year. Triennial duties count from the contract start.)",
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
    failed = False
    for checked in validate_plans(refs, _plans_dir()):
        if checked.plan is None:
            typer.echo(str(checked.error), err=True)
            failed = True
            continue
        plan = checked.plan
        typer.echo(
            f"OK {checked.path} ({plan.id}, version {plan.version}, "
            f"{len(plan.obligations)} skyldigheter)"
        )
    if failed:
        raise typer.Exit(2)


@app.command("list")
def list_command() -> None:
    """Lista planerna i plans/; * markerar standardplanen. (List plans; * marks the default.)"""
    found = listing(_plans_dir(), get_settings().default_plan)
    width = max((len(p.plan_id) for p in found), default=0)
    for p in found:
        head = f"{'*' if p.default else ' '} {p.plan_id.ljust(width)}"
        if p.plan is None:
            assert p.error is not None
            typer.echo(f"{head}  OGILTIG: {p.error.key}: {p.error.message}")
            continue
        typer.echo(f"{head}  {p.plan.version}  {p.plan.name}")
