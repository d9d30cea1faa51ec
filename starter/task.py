"""`lov task`: the municipality's own tasks (kommunens egna uppgifter, issue 19): list them and
register one as done.

    lov task list [--plan P] [--role ROLE [--mine]] [--overdue] [--json]
    lov task done kundundersokning-2027 --date 2027-11-20 --by "Margareta S" \\
        --result "Enkäten besvarad av 84 % av kunderna" [--document rapport.pdf] \\
        [--finding "Två kunder saknade genomförandeplan"] [--plan nordanstig]

A task is named `<duty>-<year or period>` for the municipality, `<duty>-<period>-<provider>`
at a provider (e.g. tillsynsbesok-2027-5560360793); `lov task list` shows them. Bad input
exits 2 with one line naming the field, and nothing is stored or sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from models.runtime.settings import get_settings as _settings
from services import municipal_tasks as tasks
from services.documents import DocumentStore
from starter.client_run import run_action, run_change
from starter.options import JsonOpt, parse_date, plan_filter, value_option
from starter.output import echo_data
from starter.request_id_option import RequestIdOpt
from starter.table import echo_table

app = typer.Typer(
    name="task",
    help="Kommunens egna uppgifter (tillsynsbesök, kundundersökning …): lista, registrera som "
    "utförd. (The municipality's own tasks: list, register as done.)",
    no_args_is_help=True,
)

STATE_SV = {
    "open": "ej förfallen",
    "due": "snart förfallen",
    "overdue": "försenad",
    "escalated": "eskalerad",
    "done-on-time": "utförd i tid",
    "done-late": "utförd sent",
    "cancelled": "avbruten",
}

PlanOpt = Annotated[
    str | None, plan_filter("Bara denna plan (t.ex. nordanstig). (Only this plan.)")
]


@app.command("list")
def list_tasks(
    plan: PlanOpt = None,
    role: Annotated[
        str | None,
        value_option("--role", "ROLL", "Uppgifter som rollen äger. (Tasks the role owns.)"),
    ] = None,
    mine: Annotated[
        bool,
        typer.Option(
            "--mine",
            help="Med --role: det rollen ska göra nu, även eskalerade till rollen som chef. "
            "(With --role: what the role must act on now, escalations to it included.)",
        ),
    ] = False,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Bara försenade. (Only overdue ones.)")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Kommunens uppgifter med status, i datumordning. (The municipality's tasks by due date.)"""
    settings = _settings()
    found = run_action(
        settings,
        lambda client: tasks.list_tasks(
            client, settings.plans_dir, plan=plan, role=role, mine=mine, overdue=overdue
        ),
    )
    if as_json:
        echo_data([{"plan": f.plan_id, **f.task.model_dump(mode="json")} for f in found])
        return
    if not found:
        typer.echo("Inga uppgifter (no tasks).")
        return
    echo_table(
        ("Förfaller", "Uppgift", "Vad", "Hos", "Ansvarig", "Status"),
        [
            (
                f.task.due.isoformat(),
                f.task.task_id,
                f.task.title,
                f.task.provider_name or "kommunen",
                f.task.owner_title,
                STATE_SV[f.task.state.value]
                + (f" {f.task.done_on.isoformat()}" if f.task.done_on else ""),
            )
            for f in found
        ],
    )


@app.command("done")
def done(
    task: Annotated[
        str,
        typer.Argument(
            metavar="UPPGIFT",
            help="Uppgiftens id från `lov task list`. (Task id, see `lov task list`.)",
            show_default=False,
        ),
    ],
    date_text: Annotated[
        str | None, value_option("--date", "ÅÅÅÅ-MM-DD", "Utförd dag (krävs). (Day done.)")
    ] = None,
    by: Annotated[
        str | None, value_option("--by", "NAMN", "Vem som utförde den (krävs). (Done by.)")
    ] = None,
    result: Annotated[
        str | None, value_option("--result", "TEXT", "Resultatet (krävs). (Result.)")
    ] = None,
    documents: Annotated[
        list[Path] | None,
        value_option("--document", "FIL", "Dokument; upprepa. (Document; repeat.)"),
    ] = None,
    findings: Annotated[
        list[str] | None,
        value_option("--finding", "TEXT", "En brist som upptäcktes; upprepa. (A finding; repeat.)"),
    ] = None,
    plan: PlanOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera uppgiften som utförd: datum, vem, resultat, dokument, brister.
    (Register the task as done: date, by whom, result, documents, findings.)"""
    done_on = parse_date(date_text, "--date")
    settings = _settings()
    completion = tasks.Completion(
        task_id=task,
        done_on=done_on,
        by=by or "",
        result=result or "",
        documents=list(documents or []),
        findings=list(findings or []),
    )
    view = run_change(
        settings,
        lambda client: tasks.complete(
            client, settings.plans_dir, DocumentStore.from_settings(settings), completion, plan=plan
        ),
        request_id,
        status="lov task list",
    )
    when = "i tid (on time)" if view.state.value == "done-on-time" else "sent (late)"
    typer.echo(f"Registrerad som utförd {when}: {view.task_id}, {view.done_on}, {view.by}")
