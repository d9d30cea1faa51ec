"""`lov due`: every obligation occurrence due in a window, across all providers, by date.

Read from the records database (services/due.py): works while Temporal is down.
"""

from __future__ import annotations

from typing import Annotated

import typer

from services import due as due_service
from services.errors import ActionError
from starter.errors import fail_bad_input
from starter.options import (
    JsonOpt,
    PlanFilterOpt,
    date_option,
    local_today,
    parse_date,
    parse_month,
    value_option,
)
from starter.output import echo_data
from starter.records_read import records_settings, run_query
from starter.table import table_lines
from starter.words import state_sv


def due(
    from_date: Annotated[
        str | None,
        date_option("--from", "Första dagen (med --to). (First day, with --to.)"),
    ] = None,
    to_date: Annotated[
        str | None,
        date_option("--to", "Sista dagen (med --from). (Last day, with --from.)"),
    ] = None,
    month: Annotated[
        str | None,
        value_option(
            "--month",
            "ÅÅÅÅ-MM",
            "En hel månad; standard innevarande månad. (A month; default this month.)",
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Bara försenade. (Only overdue ones.)")
    ] = False,
    awaiting_review: Annotated[
        bool,
        typer.Option(
            "--awaiting-review",
            help="Bara inlämnade som väntar på granskning. (Only submitted, not reviewed.)",
        ),
    ] = False,
    plan: PlanFilterOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Allt som förfaller under en period hos alla utförare, i datumordning.
    (Every obligation occurrence due in the window, across providers, sorted by due date.)

    --json skriver en lista av objekt med nycklarna due, org_nr, provider_name, obligation,
    period, state, overdue, escalation_level och nominal_due."""
    the_month = parse_month(month, "--month") if month is not None else None
    first = parse_date(from_date, "--from") if from_date is not None else None
    last = parse_date(to_date, "--to") if to_date is not None else None
    try:
        start, end = due_service.due_window(local_today(), the_month, first, last)
    except ActionError as err:
        fail_bad_input(str(err))
    settings = records_settings()
    items = run_query(
        lambda: due_service.due_list(
            settings, start, end, overdue=overdue, awaiting_review=awaiting_review, plan=plan
        )
    )
    if as_json:
        echo_data([i.as_dict() for i in items])
        return
    window = f"{start.isoformat()}–{end.isoformat()}"
    if not items:
        typer.echo(f"Inget förfaller {window} (nothing due).")
        return
    rows = [
        (
            i.due.isoformat(),
            i.provider_name or "–",
            i.org_nr,
            i.obligation,
            i.period,
            state_sv(i.state),
            "ja" if i.overdue else "nej",
        )
        for i in items
    ]
    headers = ("Förfallodag", "Utförare", "Orgnr", "Skyldighet", "Period", "Status", "Försenad")
    for line in table_lines(headers, rows):
        typer.echo(line)
    typer.echo(f"{len(items)} förfaller {window}")
