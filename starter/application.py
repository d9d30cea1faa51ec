"""`lov application`: applications to become a provider, reviewed against the plan's skallkrav.

APP is an application id (`application-<orgnr>-<n>`, printed by `submit`) or an org nr, meaning
that org nr's latest application. Bad input is one line on stderr naming the field, exit code 2,
and nothing changed; every change is an Update recorded with `--actor` (default: the OS user).
"""

from __future__ import annotations

from typing import Annotated

import typer

from models.messages.application import (
    ApplicationState,
    ApplicationStatus,
    CompleteRequest,
    CompletionRequest,
)
from models.runtime.settings import get_settings as _settings
from services import applications as apps
from services.words import APPLICATION_STATES
from starter.checks import email_option, line_option
from starter.client_run import echo_status
from starter.client_run import run_change as _run_change
from starter.errors import or_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrArg,
    date_option,
    plan_filter,
    state_option,
    value_option,
)
from starter.options import parse_actor as _actor
from starter.options import parse_date as _date
from starter.options import parse_org_nr as _org_nr
from starter.options import required as _required
from starter.output import echo_json_or_none
from starter.records_read import run_query
from starter.request_id_option import RequestIdOpt
from starter.submission_input import documents as _documents
from starter.submission_input import pair as _pair
from starter.table import echo_table

app = typer.Typer(
    name="application",
    help="Ansökningar om att bli utförare: lämna in, bedöm skallkrav, begär komplettering, "
    "besluta, visa status, lista. (Applications: submit, assess, completion, decide, status, "
    "list.)",
    no_args_is_help=True,
)

STATE_SV = APPLICATION_STATES
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
    value_option(
        "--document",
        "NYCKEL=FIL",
        "Bifogat dokument, t.ex. f-skatt=registreringsbevis.pdf; kan upprepas. "
        "(Attached document; repeatable.)",
    ),
]


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
    name: Annotated[str | None, value_option("--name", "NAMN", "Sökandens namn. (Name.)")] = None,
    email: Annotated[
        str | None,
        value_option("--email", "E-POST", "Kontaktadress. (Contact e-mail.)"),
    ] = None,
    service: Annotated[
        list[str] | None,
        value_option(
            "--service",
            "TJÄNST",
            "Tjänst som ansökan gäller, t.ex. omvårdnad eller service; kan upprepas. "
            "(Service type; repeatable.)",
        ),
    ] = None,
    area: Annotated[
        list[str] | None,
        value_option("--area", "OMRÅDE", "Område; kan upprepas. (Area.)"),
    ] = None,
    document: DocumentOpt = None,
    requested_start: Annotated[
        str | None, date_option("--requested-start", "Önskat startdatum. (Requested start date.)")
    ] = None,
    plan: Annotated[
        str | None,
        value_option("--plan", "PLAN", "Uppföljningsplan. (Follow-up plan.)"),
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
    start = _date(requested_start, "--requested-start") if requested_start else None
    settings = _settings()
    new = or_bad_input(
        lambda: apps.new_application(
            org_nr=org,
            name=the_name,
            email=the_email,
            service_types=service,
            areas=area,
            documents=_documents(document or []),
            requested_start=start,
            plan=plan,
            actor=who,
            settings=settings,
        )
    )
    wid = _run_change(
        settings,
        lambda client: apps.submit_application(client, settings.temporal_task_queue, new.input),
        request_id,
    )
    typer.echo(
        f"Ansökan registrerad (submitted): {wid} · {the_name} ({org}) · "
        f"{new.skallkrav} skallkrav att bedöma · beslut inom "
        f"{new.decision_weeks} veckor"
    )


@app.command("assess")
def assess(
    application: AppArg,
    requirements: Annotated[
        list[str],
        typer.Argument(
            metavar="KRAV",
            help="Skallkravets nyckel; flera kan bedömas på en gång. (Skallkrav key; several "
            "may be given.)",
        ),
    ],
    met: Annotated[
        bool | None,
        typer.Option(
            "--met/--not-met", help="Uppfyllt eller inte (krävs). (Met or not, required.)"
        ),
    ] = None,
    note: Annotated[
        str,
        value_option(
            "--note",
            "TEXT",
            "Anteckning för varje krav; krävs för --not-met. (Note, for each key.)",
        ),
    ] = "",
    note_for: Annotated[
        list[str] | None,
        value_option(
            "--note-for",
            "KRAV=TEXT",
            "Anteckning för ett av kraven, i stället för --note; kan upprepas. "
            "(Note for one key; repeatable.)",
        ),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Bedöm ett eller flera skallkrav som uppfyllda eller inte; ett okänt krav gör att inget
    bedöms. (Assess one or more skallkrav; an unknown key assesses none.)"""
    who = _actor(actor)
    notes = dict(_pair(n, "--note-for", "insurance=Försäkringsbrev saknas") for n in note_for or [])
    requests = or_bad_input(lambda: apps.assessments(requirements, met, note, notes, who))
    result = _run_change(
        _settings(), lambda client: apps.assess_many(client, application, requests), request_id
    )
    left = len(result.unassessed)
    typer.echo(
        f"Bedömt (assessed): {', '.join(r.key for r in requests)} "
        f"{OUTCOME_SV['met' if met else 'not_met']} · "
        f"{left} skallkrav kvar att bedöma"
    )


@app.command("request-completion")
def request_completion(
    application: AppArg,
    item: Annotated[
        list[str] | None,
        value_option("--item", "TEXT", "Det som saknas; kan upprepas. (Missing.)"),
    ] = None,
    due: Annotated[
        str | None,
        date_option("--due", "Sista dag för komplettering; standard planens svarstid. (Deadline.)"),
    ] = None,
    note: Annotated[str, value_option("--note", "TEXT", "Meddelande.")] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Begär komplettering av det som saknas, med sista dag; sökanden får e-post.
    (Ask the applicant for missing items by a deadline.)"""
    who = _actor(actor)
    items = or_bad_input(lambda: apps.listed(item, "--item", '"Försäkringsbrev"'))
    deadline = _date(due, "--due") if due is not None else None
    request = CompletionRequest(items=items, due=deadline, note=note.strip(), actor=who)
    result = _run_change(
        _settings(),
        lambda client: apps.request_completion(client, application, request),
        request_id,
    )
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
        str, value_option("--note", "TEXT", "Vad som kom in. (What was received.)")
    ] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera sökandens komplettering; beslutstiden räknas från i dag.
    (Register the applicant's completion; the decision time runs from today.)"""
    who = _actor(actor)
    request = CompleteRequest(documents=_documents(document or []), note=note.strip(), actor=who)
    result = _run_change(
        _settings(), lambda client: apps.complete(client, application, request), request_id
    )
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
    reason: Annotated[str, value_option("--reason", "TEXT", "Skäl; krävs för --reject.")] = "",
    start: Annotated[
        str | None,
        date_option(
            "--start", "Avtalets startdatum; krävs för --approve. (Contract start, for --approve.)"
        ),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Besluta: godkänn (startar avtalet) eller avslå (med skäl och överklagandehänvisning).
    (Decide: approve, which starts the contract, or reject with reasons and appeal information.)"""
    who = _actor(actor)
    contract_start = _date(start, "--start") if start is not None else None
    request = or_bad_input(lambda: apps.decision(approve, reason, contract_start, who))
    result = _run_change(
        _settings(), lambda client: apps.decide(client, application, request), request_id
    )
    d = result.decision
    assert d is not None
    if request.approve:
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
    echo_status(_settings(), lambda client: apps.status(client, application), as_json, status_text)


@app.command("list")
def list_(
    plan: Annotated[str | None, plan_filter("Bara en plans ansökningar. (One plan.)")] = None,
    state: Annotated[str | None, state_option(s.value for s in ApplicationState)] = None,
    search: Annotated[
        str | None,
        value_option(
            "--search",
            "TEXT",
            "Sök i id, org nr, namn och e-post. (Search id, org nr, name, e-mail.)",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lista ansökningar ur databasen, senaste först. (List applications, newest first.)"""
    settings = _settings()
    found = run_query(
        lambda: apps.list_applications(settings, plan=plan, state=state, search=search)
    )
    if not echo_json_or_none(
        found, as_json, lambda a: a.as_json(), "Inga ansökningar. (No applications.)"
    ):
        return
    rows = [
        (
            a.submitted_at.date().isoformat() if a.submitted_at else "–",
            a.application_id,
            a.org_nr,
            a.name,
            STATE_SV[a.state],
            a.plan_id,
        )
        for a in found
    ]
    echo_table(("Inkom", "Ansökan", "Org nr", "Sökande", "Läge", "Plan"), rows)
