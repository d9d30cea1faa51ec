"""`lov overdue`: who is late, right now, across all providers (services.overdue)."""

from __future__ import annotations

from typing import Annotated

import typer
from temporalio.client import Client

from models.domain.overdue import OverdueList
from models.runtime.settings import get_settings
from services.overdue import overdue_items
from starter.client_run import run_with_client


def overdue(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON. (Print JSON.)")] = False,
) -> None:
    """Allt som är försenat just nu, hos alla utförare, med antal dagar och eskaleringsnivå.
    (Everything overdue now, across providers: days overdue and escalation level.)"""
    settings = get_settings()

    async def action(client: Client) -> OverdueList:
        return await overdue_items(client, settings)

    listed = run_with_client(settings, action)
    if listed.records_error:
        typer.echo(
            "registret: kunde inte läsa organisationsnummer, enskilda firmor visas med sin "
            f"nyckel (records unavailable): {listed.records_error}",
            err=True,
        )
    items = listed.items
    if as_json:
        typer.echo("[" + ",\n".join(i.model_dump_json() for i in items) + "]")
        return
    if not items:
        typer.echo("Inget är försenat (nothing is overdue).")
        return
    typer.echo(f"{'ORGNR':<12} {'SKYLDIGHET':<28} {'PERIOD':<9} {'FÖRFALLEN':<11} DAGAR NIVÅ")
    for i in items:
        what = i.obligation or i.kind
        due = i.due.isoformat() if i.due else ""
        typer.echo(
            f"{i.org_nr:<12} {what:<28} {i.period or '':<9} {due:<11} "
            f"{i.days_overdue if i.days_overdue is not None else '':>5} {i.escalation_level:>4}"
        )
    typer.echo(f"{len(items)} försenade (overdue)")
