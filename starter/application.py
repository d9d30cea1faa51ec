"""`lov application`: applications to become a provider, reviewed against the plan's skallkrav.

APP is an application id (`application-<orgnr>-<n>`, printed by `submit`) or an org nr, meaning
that org nr's latest application. Bad input is one line on stderr naming the field, exit code 2,
and nothing changed; every change is an Update recorded with `--actor` (default: the OS user).
"""

from __future__ import annotations

from typing import Annotated

import typer
from temporalio.client import Client

from models.messages.application import (
    ApplicationInput,
    ApplicationState,
    ApplicationStatus,
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
)
from models.messages.common import Provider
from models.plans.loader import PlanError, load_plan
from models.runtime.settings import get_settings as _settings
from services import applications as apps
from services.calls import ActionError, checked
from services.request_ids import RequestIdOpt
from starter.checks import email_option, line_option
from starter.client_run import run_action as _run
from starter.client_run import run_change as _run_change
from starter.errors import fail_bad_input
from starter.options import ActorOpt, JsonOpt, OrgNrArg
from starter.options import parse_actor as _actor
from starter.options import parse_date as _date
from starter.options import parse_org_nr as _org_nr
from starter.options import required as _required
from starter.output import echo_json as _echo_json
from starter.submission_input import documents as _documents

app = typer.Typer(
    name="application",
    help="Ansökningar om att bli utförare: lämna in, bedöm skallkrav, begär komplettering, "
    "besluta, visa status. (Applications: submit, assess, completion, decide, status.)",
    no_args_is_help=True,
)

STATE_SV = {
    ApplicationState.RECEIVED: "under prövning",
    ApplicationState.COMPLETION_REQUESTED: "komplettering begärd",
    ApplicationState.APPROVED: "godkänd",
    ApplicationState.REJECTED: "avslagen",
}
OUTCOME_SV = {"met": "uppfyllt", "not_met": "ej uppfyllt", None: "ej bedömt"}

AppArg = Annotated[
    str,
    typer.Argument(
        metavar="APP",
        help="Ansökans id (application-<orgnr>-<n>) eller organisationsnummer (senaste "
        "ansökan). (Application id, or org nr for its latest application.)",
        show_default=False,
    ),
]
DocumentOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--document",
        metavar="NYCKEL=FIL",
        help="Bifogat dokument, t.ex. f-skatt=registreringsbevis.pdf; kan upprepas. "
        "(Attached document; repeatable.)",
    ),
]


def _texts(values: list[str] | None, option: str, example: str) -> list[str]:
    cleaned = [v.strip() for v in values or []]
    if not cleaned:
        fail_bad_input(f"{option}: minst en krävs (at least one), t.ex. {option} {example}")
    if any(not v for v in cleaned):
        fail_bad_input(f"{option}: får inte vara tomt (must not be empty)")
    return list(dict.fromkeys(cleaned))


def _email(value: str | None) -> str:
    return email_option(_required(value, "--email", "kontakt@omsorg.example"), "--email")


def status_text(s: ApplicationStatus) -> str:
    lines = [
        f"Ansökan {s.application_id}: {s.provider.name} ({s.provider.org_nr}), {STATE_SV[s.state]}",
        f"  Inkom {s.submitted_at.date().isoformat()} · plan {s.plan_id} version {s.plan_version}",
        f"  Tjänster: {', '.join(s.service_types)} · områden: {', '.join(s.areas)}",
    ]
    if s.decision_due and not s.state.decided:
        late = " (beslutstiden har gått ut)" if s.decision_overdue else ""
        lines.append(f"  Beslut senast {s.decision_due.isoformat()}{late}")
    lines.append("  Skallkrav:")
    for a in s.checklist:
        by = f" · {a.actor} {a.at.date().isoformat()}" if a.actor and a.at else ""
        note = f" · {a.note}" if a.note else ""
        lines.append(f"    {a.key:<24} {OUTCOME_SV[a.outcome]}{by}{note}")
    pending = s.open_completion
    if pending is not None:
        lines.append(f"  Komplettering begärd, senast {pending.due.isoformat()}:")
        lines.extend(f"    - {item}" for item in pending.items)
    if s.decision is not None:
        d = s.decision
        lines.append(
            f"  Beslut {d.at.date().isoformat()} av {d.actor}: {d.outcome}"
            + (f" · {d.reason}" if d.reason else "")
        )
        if d.contract_workflow_id:
            lines.append(
                f"  Avtal {d.contract_workflow_id} från {d.contract_start.isoformat()}"
                if d.contract_start
                else f"  Avtal {d.contract_workflow_id}"
            )
        if d.appeal_by:
            lines.append(f"  Överklagande senast omkring {d.appeal_by.isoformat()}")
    return "\n".join(lines)


@app.command("submit")
def submit(
    org_nr: OrgNrArg,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAMN", help="Sökandens namn. (Name.)")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", metavar="E-POST", help="Kontaktadress. (Contact e-mail.)"),
    ] = None,
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service",
            metavar="TJÄNST",
            help="Tjänst som ansökan gäller, t.ex. omvårdnad eller service; kan upprepas. "
            "(Service type; repeatable.)",
        ),
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", metavar="OMRÅDE", help="Område; kan upprepas. (Area.)"),
    ] = None,
    document: DocumentOpt = None,
    requested_start: Annotated[
        str | None,
        typer.Option(
            "--requested-start",
            metavar="ÅÅÅÅ-MM-DD",
            help="Önskat startdatum. (Requested start date.)",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option("--plan", metavar="PLAN", help="Uppföljningsplan. (Follow-up plan.)"),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera en ansökan; sökanden får en mottagningsbekräftelse.
    (Register an application; the applicant gets an acknowledgement.)"""
    org = _org_nr(org_nr)
    who = _actor(actor)
    the_name = line_option(_required(name, "--name", '"Omsorg i Norr AB"'), "--name")
    the_email = _email(email)
    services = _texts(service, "--service", "omvårdnad")
    areas = _texts(area, "--area", "Centrum")
    start = _date(requested_start, "--requested-start") if requested_start else None
    settings = _settings()
    plan_ref = plan or settings.default_plan
    try:
        the_plan = load_plan(plan_ref, settings.plans_dir)
    except PlanError as err:
        fail_bad_input(f"--plan: {err}")
    if not the_plan.skallkrav:
        fail_bad_input(f"--plan: {the_plan.id} har inga skallkrav (has no skallkrav)")
    documents = _documents(document or [])
    inp = ApplicationInput(
        provider=Provider(org_nr=org, name=the_name, email=the_email),
        service_types=services,
        areas=areas,
        documents=documents,
        plan_id=the_plan.id if plan_ref == the_plan.id else plan_ref,
        requested_start=start,
        actor=who,
        search_attributes=settings.search_attributes,
    )
    try:
        checked(inp)  # before connecting: areas and service types fit their columns
    except ActionError as err:
        fail_bad_input(str(err))

    async def action(client: Client) -> str:
        return await apps.submit_application(client, settings.temporal_task_queue, inp)

    wid = _run_change(settings, action, request_id)
    typer.echo(
        f"Ansökan registrerad (submitted): {wid} · {the_name} ({org}) · "
        f"{len(the_plan.skallkrav)} skallkrav att bedöma · beslut inom "
        f"{the_plan.decision_weeks} veckor"
    )


@app.command("assess")
def assess(
    application: AppArg,
    requirement: Annotated[
        str,
        typer.Argument(metavar="KRAV", help="Skallkravets nyckel. (Skallkrav key.)"),
    ],
    met: Annotated[
        bool | None,
        typer.Option(
            "--met/--not-met", help="Uppfyllt eller inte (krävs). (Met or not, required.)"
        ),
    ] = None,
    note: Annotated[
        str, typer.Option("--note", metavar="TEXT", help="Anteckning; krävs för --not-met.")
    ] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Bedöm ett skallkrav som uppfyllt eller inte. (Assess one skallkrav.)"""
    who = _actor(actor)
    if met is None:
        fail_bad_input("--met/--not-met: ange det ena (give one)")
    request = AssessRequest(key=requirement.strip(), met=met, note=note.strip(), actor=who)
    settings = _settings()

    async def action(client: Client) -> ApplicationStatus:
        return await apps.assess(client, application, request)

    result = _run_change(settings, action, request_id)
    left = len(result.unassessed)
    typer.echo(
        f"Bedömt (assessed): {request.key} {OUTCOME_SV['met' if met else 'not_met']} · "
        f"{left} skallkrav kvar att bedöma"
    )


@app.command("request-completion")
def request_completion(
    application: AppArg,
    item: Annotated[
        list[str] | None,
        typer.Option("--item", metavar="TEXT", help="Det som saknas; kan upprepas. (Missing.)"),
    ] = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            metavar="ÅÅÅÅ-MM-DD",
            help="Sista dag för komplettering; standard planens svarstid. (Deadline.)",
            show_default=False,
        ),
    ] = None,
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="Meddelande.")] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Begär komplettering av det som saknas, med sista dag; sökanden får e-post.
    (Ask the applicant for missing items by a deadline.)"""
    who = _actor(actor)
    items = _texts(item, "--item", '"Försäkringsbrev"')
    deadline = _date(due, "--due") if due is not None else None
    request = CompletionRequest(items=items, due=deadline, note=note.strip(), actor=who)
    settings = _settings()

    async def action(client: Client) -> ApplicationStatus:
        return await apps.request_completion(client, application, request)

    result = _run_change(settings, action, request_id)
    pending = result.open_completion
    assert pending is not None
    typer.echo(
        f"Komplettering begärd (completion requested): {result.application_id}, senast "
        f"{pending.due.isoformat()}; e-post till {result.provider.email}"
    )


@app.command("complete")
def complete(
    application: AppArg,
    document: DocumentOpt = None,
    note: Annotated[
        str, typer.Option("--note", metavar="TEXT", help="Vad som kom in. (What was received.)")
    ] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera sökandens komplettering; beslutstiden räknas från i dag.
    (Register the applicant's completion; the decision time runs from today.)"""
    who = _actor(actor)
    request = CompleteRequest(documents=_documents(document or []), note=note.strip(), actor=who)
    settings = _settings()

    async def action(client: Client) -> ApplicationStatus:
        return await apps.complete(client, application, request)

    result = _run_change(settings, action, request_id)
    due = result.decision_due.isoformat() if result.decision_due else "?"
    typer.echo(
        f"Komplettering registrerad (completed): {result.application_id}; beslut senast {due}"
    )


@app.command("decide")
def decide(
    application: AppArg,
    approve: Annotated[
        bool | None,
        typer.Option("--approve/--reject", help="Godkänn eller avslå (krävs). (Required.)"),
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Skäl; krävs för --reject.")
    ] = "",
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="ÅÅÅÅ-MM-DD",
            help="Avtalets startdatum; krävs för --approve. (Contract start, for --approve.)",
            show_default=False,
        ),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Besluta: godkänn (startar avtalet) eller avslå (med skäl och överklagandehänvisning).
    (Decide: approve, which starts the contract, or reject with reasons and appeal information.)"""
    who = _actor(actor)
    if approve is None:
        fail_bad_input("--approve/--reject: ange det ena (give one)")
    if approve:
        request = DecideRequest(
            approve=True, reason=reason.strip(), contract_start=_date(start, "--start"), actor=who
        )
    else:
        request = DecideRequest(
            approve=False,
            reason=_required(reason, "--reason", '"Skallkrav ej uppfyllda"'),
            actor=who,
        )
    settings = _settings()

    async def action(client: Client) -> ApplicationStatus:
        return await apps.decide(client, application, request)

    result = _run_change(settings, action, request_id)
    d = result.decision
    assert d is not None
    if approve:
        typer.echo(
            f"Godkänd (approved): {result.application_id}; avtal {d.contract_workflow_id} från "
            f"{request.contract_start}"
        )
    else:
        typer.echo(
            f"Avslagen (rejected): {result.application_id}; beslut med överklagandehänvisning "
            f"skickat till {result.provider.email}"
        )


@app.command("status")
def status(application: AppArg, as_json: JsonOpt = False) -> None:
    """Visa checklistan, öppna punkter och tidsfrister. (Checklist, open items, deadlines.)"""
    settings = _settings()

    async def action(client: Client) -> ApplicationStatus:
        return await apps.status(client, application)

    result = _run(settings, action)
    if as_json:
        _echo_json(result)
    else:
        typer.echo(status_text(result))
