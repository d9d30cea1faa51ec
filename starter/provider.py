"""`lov provider`: the providers the records know, and one page per provider.

Read from the records database (services/providers.py): works while Temporal is down.
"""

from __future__ import annotations

from typing import Annotated

import typer

from services import providers
from services.words import CONTRACT_STATES
from starter.options import (
    JsonOpt,
    OrgNrArg,
    PlanFilterOpt,
    local_today,
    parse_org_nr,
    value_option,
)
from starter.output import echo_data
from starter.records_read import records_settings, run_query
from starter.table import table_lines
from starter.words import KIND_SV, state_sv

app = typer.Typer(
    name="provider",
    help="Utförare: lista och visa en utförare med avtal, skyldigheter, eskaleringar, möten, "
    "återkrav och placeringar. (Providers: list, and one page per provider.)",
    no_args_is_help=True,
)

CONTRACT_SV = CONTRACT_STATES


def _day(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else "–"


@app.command("list")
def list_providers(
    plan: PlanFilterOpt = None,
    status: Annotated[
        str | None,
        value_option(
            "--status",
            "active|terminating|terminated",
            "Bara utförare vars avtal har denna status. (Contract status.)",
        ),
    ] = None,
    search: Annotated[
        str | None,
        value_option(
            "--search", "TEXT", "Del av namnet eller organisationsnumret. (Part of name or org nr.)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lista utförarna med deras senaste avtal, i namnordning.
    (List the providers with their latest contract, by name.)

    --json skriver en lista av objekt med nycklarna org_nr, name, email, plan_id,
    contract_start, status och end_date (null utan avtal)."""

    settings = records_settings()
    rows = run_query(lambda: providers.provider_list(settings, plan, status, search))
    if as_json:
        echo_data([r.as_dict() for r in rows])
        return
    if not rows:
        typer.echo("Inga utförare hittades (no providers found).")
        return
    cells = [
        (
            r.name,
            r.org_nr,
            r.plan_id or "–",
            _day(r.contract_start),
            CONTRACT_SV.get(r.status or "", "inget avtal"),
            _day(r.end_date),
        )
        for r in rows
    ]
    for line in table_lines(("Namn", "Orgnr", "Plan", "Avtalsstart", "Avtal", "Sista dag"), cells):
        typer.echo(line)
    typer.echo(f"{len(rows)} utförare")


def submission_lines(duties: list[providers.Duty]) -> list[str]:
    """Each submission of the duties shown, with every document's file name and SHA-256 (by
    which the document store finds it)."""
    out = []
    for d in duties:
        for s in d.submissions:
            when = s.submitted_at.isoformat(timespec="minutes")
            out.append(f"  {d.title or d.obligation} {d.period} · {when} · av {s.actor}")
            out += [
                f"    {doc.title}: {doc.filename} · {doc.size} byte · sha256 {doc.sha256}"
                for doc in s.documents
            ] or ["    inga dokument"]
    return out


def page_text(page: providers.ProviderPage) -> str:
    """The readable form of `lov provider show`."""
    out = [f"{page.name} ({page.org_nr}) · kontakt {page.email}"]
    c = page.contract
    if c is None:
        out.append("Avtal: inget registrerat")
    else:
        line = (
            f"Avtal: {c.workflow_id} · plan {c.plan_id} · start {c.start_date.isoformat()} · "
            f"{CONTRACT_SV.get(c.status, c.status)}"
        )
        if c.end_date is not None:
            kind = KIND_SV.get(c.termination_kind or "", c.termination_kind or "")
            line += f" · sista dag {c.end_date.isoformat()} ({kind}: {c.termination_reason})"
        out.append(line)
        versions = ", ".join(f"{y}: {v}" for y, v in sorted(c.plan_versions.items())) or "–"
        out.append(f"Planversioner per år: {versions}")
    out += ["", f"Skyldigheter {page.year} (och tidigare som inte är klara):"]
    if page.duties:
        rows = [
            (
                d.due.isoformat(),
                d.title or d.obligation,
                d.period,
                state_sv(d.state),
                "ja" if d.overdue else "nej",
                str(d.escalation_level),
            )
            for d in page.duties
        ]
        headers = ("Förfallodag", "Skyldighet", "Period", "Status", "Försenad", "Nivå")
        out += table_lines(headers, rows, indent="  ")
    else:
        out.append("  inga")
    out += ["", "Inlämningar med dokument (SHA-256):"]
    out += submission_lines(page.duties) or ["  inga"]
    out += ["", "Öppna eskaleringar:"]
    out += [
        f"  {e.at.date().isoformat()} nivå {e.level} ({e.kind}): {e.title} · "
        f"{e.obligation} {e.period}"
        for e in page.open_escalations
    ] or ["  inga"]
    out += ["", "Uppföljningsmöten:"]
    out += [
        f"  {m.period} · {m.status}"
        + (f" · {m.scheduled_at.isoformat(timespec='minutes')}" if m.scheduled_at else "")
        + (f" · {m.place}" if m.place else "")
        for m in page.meetings
    ] or ["  inga"]
    out += ["", f"Återkrav: {len(page.recoveries)} ärenden, varav {page.open_recoveries} öppna"]
    out += [
        f"  {r.recovery_id} · {r.year} · {r.status} · belopp "
        + (f"{r.amount} kr" if r.amount is not None else "–")
        for r in page.recoveries
    ]
    p = page.placements
    out += [
        "",
        f"Placeringar: {p.current} aktuella, {p.active} aktiva med {p.granted_hours} beviljade "
        f"timmar/månad, {p.care_plans_current} med aktuell genomförandeplan",
    ]
    out += [f"OBS: {note}" for note in page.notes]
    return "\n".join(out)


@app.command("show")
def show(org_nr: OrgNrArg, as_json: JsonOpt = False) -> None:
    """Visa en utförare: avtal, årets skyldigheter med status och förfallodag, öppna
    eskaleringar, möten, återkrav och placeringar. (One page per provider.)

    --json skriver ett objekt med nycklarna org_nr, name, email, year, contract
    {workflow_id, plan_id, start_date, status, end_date, termination_kind,
    termination_reason, plan_versions}, duties [{obligation, title, period, due, nominal_due,
    state, overdue, escalation_level, submitted_at, accepted_at, submissions [{submitted_at,
    actor, documents [{key, title, filename, size, sha256}]}]}], open_escalations
    [{obligation, period, level, kind, title, at}], meetings [{meeting_id, period, status,
    scheduled_at, place}], recoveries [{recovery_id, year, status, claimed_amount, amount}],
    open_recoveries, placements {current, active, granted_hours, care_plans_current} och
    notes."""
    org = parse_org_nr(org_nr)
    settings = records_settings()
    page = run_query(lambda: providers.provider_page_of(settings, org, local_today()))
    if as_json:
        echo_data(page.as_dict())
    else:
        typer.echo(page_text(page))
