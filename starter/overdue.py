"""`lov overdue`: who is late, right now, across all providers.

Read from Temporal's visibility (the search attributes each workflow keeps current), so the list
is what the running workflows themselves say: no database query, and on a cluster it scales with
the visibility store, not with the number of workflows fetched.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from models import search_attributes as sa
from models.settings import get_settings
from starter.client_run import run_with_client

QUERY = "LovOverdue = true AND ExecutionStatus = 'Running'"
LOCAL_DAY_ENDS = timedelta(days=1)
# Deadlines are local (the plans' time zone); Europe/Stockholm and Copenhagen share offsets.
LOCAL = ZoneInfo("Europe/Stockholm")


class OverdueItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    workflow_id: str
    kind: str
    org_nr: str
    obligation: str | None
    period: str | None
    due: date | None
    days_overdue: int | None
    escalation_level: int
    status: str | None


def _item(workflow_id: str, attrs: object, now: datetime) -> OverdueItem:
    get = attrs.get  # type: ignore[attr-defined]
    deadline: datetime | None = get(sa.DUE)
    # LovDue is the instant the due day ends; the due date is the day before it, and the first
    # day overdue is day 1, as in the reminders' "N dagar sedan".
    due = (deadline.astimezone(LOCAL) - LOCAL_DAY_ENDS).date() if deadline else None
    days = max(0, (now - deadline).days + 1) if deadline else None
    return OverdueItem(
        workflow_id=workflow_id,
        kind=get(sa.KIND) or "",
        org_nr=get(sa.ORG_NR) or "",
        obligation=get(sa.OBLIGATION),
        period=get(sa.PERIOD),
        due=due,
        days_overdue=days,
        escalation_level=get(sa.ESCALATION_LEVEL) or 0,
        status=get(sa.STATUS),
    )


async def overdue_items(client: Client, now: datetime | None = None) -> list[OverdueItem]:
    now = now or datetime.now(UTC)
    items = [
        _item(wf.id, wf.typed_search_attributes, now) async for wf in client.list_workflows(QUERY)
    ]
    return sorted(items, key=lambda i: (-(i.days_overdue or 0), i.org_nr, i.workflow_id))


def overdue(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON. (Print JSON.)")] = False,
) -> None:
    """Allt som är försenat just nu, hos alla utförare, med antal dagar och eskaleringsnivå.
    (Everything overdue now, across providers: days overdue and escalation level.)"""
    settings = get_settings()

    async def action(client: Client) -> list[OverdueItem]:
        return await overdue_items(client)

    items = run_with_client(settings, action)
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
