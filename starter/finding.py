"""`lov finding`: findings (brister) — register, respond, action-plan, verify, decide, close,
list, show.

Every rule lives in `services.findings` and the workflow's validators; this module parses the
options and prints. Bad input exits 2 with one line naming the field, and nothing is started,
written or sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, TypeVar

import typer
from temporalio.client import Client

from models.domain.money import format_sek
from models.messages.finding import (
    ActionPlanRequest,
    CloseRequest,
    DecideRequest,
    FindingState,
    FindingStatus,
    RespondRequest,
    SubmitActionPlanRequest,
    VerifyRequest,
)
from models.runtime.settings import get_settings as _settings
from services import findings as finding
from starter.client_run import echo_status
from starter.client_run import run_change as _run_change
from starter.errors import fail_bad_input, or_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrArg,
    OrgNrFilterOpt,
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
from starter.table import echo_table

app = typer.Typer(
    name="finding",
    help="Brister: registrera, svar, åtgärdsplan, verifiering, beslut om påföljd, avsluta, "
    "lista och visa. (Findings: deficiencies driven to a remedy or a sanction.)",
    no_args_is_help=True,
)

R = TypeVar("R")
STATE_SV = {
    FindingState.NOTICED: "underrättad, kommunicering pågår",
    FindingState.RESPONDED: "utföraren har svarat",
    FindingState.ACTION_PLAN_REQUESTED: "åtgärdsplan begärd",
    FindingState.ACTION_PLAN_LATE: "åtgärdsplanen är sen",
    FindingState.ACTION_PLAN_SUBMITTED: "åtgärdsplan inkommen, ska verifieras",
    FindingState.NOT_REMEDIED: "inte åtgärdad",
    FindingState.CLOSED: "avslutad",
}
NO_FINDINGS = "Inga brister. (No findings.)"
NO_SANCTIONS = "Inga beslut att fakturera. (No decisions to invoice.)"

FindingArg = Annotated[
    str,
    typer.Argument(
        metavar="BRIST",
        help="Bristens id, t.ex. 5560360793-2027-001. (The finding id, shown by register.)",
        show_default=False,
    ),
]
ReasonOpt = Annotated[str | None, value_option("--reason", "TEXT", "Skäl. (Reason.)")]
NoteOpt = Annotated[str, value_option("--note", "TEXT", "Kommentar. (A note.)")]


@app.command("register")
def register(
    org_nr: OrgNrArg,
    requirement: Annotated[
        str | None,
        value_option(
            "--requirement",
            "KRAV",
            "Kravet som inte uppfylls: en nyckel ur planens [findings] (skallkrav, avtal, lag). "
            "(The requirement it breaks.)",
        ),
    ] = None,
    severity: Annotated[
        str, value_option("--severity", "GRAD", "low, medium eller high. (Severity.)")
    ] = "medium",
    source: Annotated[
        str,
        value_option(
            "--source",
            "KÄLLA",
            "review, visit, survey, meeting eller own. (Where it was found.)",
        ),
    ] = "own",
    what: Annotated[
        str | None, value_option("--what", "TEXT", "Vad som har upptäckts. (What was found.)")
    ] = None,
    evidence: Annotated[str, value_option("--evidence", "TEXT", "Underlag. (Evidence.)")] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera en brist: utföraren får en underrättelse med tid att yttra sig
    (kommunicering). (Register a finding; the provider gets a notice with a response deadline.)"""
    org = _org_nr(org_nr)
    who = _actor(actor)
    req = _required(requirement, "--requirement", "care-plans")
    text = _required(what, "--what", '"Genomförandeplaner saknas"')
    settings = _settings()
    done = _run_change(
        settings,
        lambda client: finding.register_finding(
            client,
            settings,
            org,
            requirement=req,
            severity=severity.strip(),
            source=source.strip(),
            what=text,
            evidence=evidence,
            actor=who,
        ),
        request_id,
        status=f"lov finding list --org-nr {org}",
    )
    typer.echo(
        f"Brist registrerad (registered): {done.finding_id} · {org} · {done.requirement_title}\n"
        f"Underrättelse skickas till {done.email}; svar senast {done.response_due.isoformat()}."
    )


@app.command("respond")
def respond(
    finding_id: FindingArg,
    comment: Annotated[
        str | None, value_option("--comment", "TEXT", "Utförarens svar. (The response.)")
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera utförarens svar på underrättelsen. (Record the provider's response.)"""
    who = _actor(actor)
    text = _required(comment, "--comment", '"Vi har sett över rutinen"')
    result = _update(
        finding_id, finding.respond, RespondRequest(comment=text, actor=who), request_id
    )
    typer.echo(f"Svar registrerat (response recorded): {result.finding_id}")


@app.command("action-plan")
def action_plan(
    finding_id: FindingArg,
    due: Annotated[
        str | None,
        date_option("--due", "Begär en åtgärdsplan senast detta datum. (Ask for one by then.)"),
    ] = None,
    submit: Annotated[
        str | None,
        value_option(
            "--submit", "TEXT", "Registrera utförarens åtgärdsplan. (Record the action plan.)"
        ),
    ] = None,
    note: NoteOpt = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Begär en åtgärdsplan (--due DATUM) eller registrera den som har kommit in (--submit).
    (Ask for an åtgärdsplan by a date, or record the one received.)"""
    who = _actor(actor)
    if (due is None) == (submit is None):
        fail_bad_input("--due: ange antingen --due DATUM eller --submit TEXT (exactly one)")
    if due is not None:
        day = _date(due, "--due")
        result = _update(
            finding_id,
            finding.request_action_plan,
            ActionPlanRequest(due=day, note=note.strip(), actor=who),
            request_id,
        )
        assert result.action_plan_due is not None
        typer.echo(
            f"Åtgärdsplan begärd (requested): {result.finding_id} · senast "
            f"{result.action_plan_due.isoformat()} · omgång {result.round}"
        )
        return
    text = _required(submit, "--submit", '"Genomgång av alla akter"')
    result = _update(
        finding_id,
        finding.submit_action_plan,
        SubmitActionPlanRequest(summary=text, actor=who),
        request_id,
    )
    late = " (efter tidsfristen)" if result.action_plan_late else ""
    typer.echo(f"Åtgärdsplan registrerad (recorded): {result.finding_id}{late}")


@app.command("verify")
def verify(
    finding_id: FindingArg,
    remedied: Annotated[
        bool, typer.Option("--remedied", help="Bristen är åtgärdad. (Remedied.)")
    ] = False,
    not_remedied: Annotated[
        bool,
        typer.Option("--not-remedied", help="Inte åtgärdad; kräver --note. (Not remedied.)"),
    ] = False,
    note: NoteOpt = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Verifiera åtgärdsplanen: åtgärdad (bristen avslutas) eller inte (ny omgång eller
    påföljd). (Verify: remedied closes the finding; not remedied opens a new round.)"""
    who = _actor(actor)
    if remedied == not_remedied:
        fail_bad_input("--remedied: ange antingen --remedied eller --not-remedied (exactly one)")
    if not_remedied:
        _required(note, "--note", '"Två planer saknas fortfarande"')
    request = VerifyRequest(
        outcome="remedied" if remedied else "not_remedied", note=note.strip(), actor=who
    )
    result = _update(finding_id, finding.verify, request, request_id)
    typer.echo(f"Verifierad (verified): {result.finding_id} · {STATE_SV[result.status]}")


@app.command("decide")
def decide(
    finding_id: FindingArg,
    kind: Annotated[
        str | None,
        value_option(
            "--kind",
            "PÅFÖLJD",
            "påpekande, prisavdrag, vite eller hävning (förslag), enligt planens trappa. "
            "(The sanction.)",
        ),
    ] = None,
    amount: Annotated[
        str | None,
        value_option(
            "--amount",
            "BELOPP",
            "Belopp i kronor för prisavdrag eller vite (t.ex. 5000 eller 1200,50); "
            "standard: planens. (Amount in kronor.)",
        ),
    ] = None,
    reason: ReasonOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Besluta om en påföljd efter kommunicering; beslutet skickas till utföraren.
    (Decide a sanction after kommunicering; the decision is e-mailed.)"""
    who = _actor(actor)
    chosen = or_bad_input(lambda: finding.parse_kind(_required(kind, "--kind", "vite")))
    text = _required(reason, "--reason", '"Åtgärdsplanen kom inte in i tid"')
    value: Decimal | None = None
    if amount is not None:
        value = or_bad_input(lambda: finding.parse_amount(amount, "--amount"))
    request = DecideRequest(kind=chosen, reason=text, amount=value, actor=who)
    or_bad_input(lambda: finding.check_decision(request))
    result = _update(finding_id, finding.decide, request, request_id)
    d = result.decisions[-1]
    money = f" · {format_sek(d.amount)}" if d.amount is not None else ""
    typer.echo(
        f"Beslut (decision): {result.finding_id} · {d.title}{money}; "
        "beslutet skickas till utföraren"
    )


@app.command("close")
def close(
    finding_id: FindingArg,
    reason: ReasonOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Avsluta bristen med ett skäl. (Close the finding with a reason.)"""
    who = _actor(actor)
    text = _required(reason, "--reason", '"Bristen följs upp vid nästa besök"')
    result = _update(finding_id, finding.close, CloseRequest(reason=text, actor=who), request_id)
    typer.echo(f"Avslutad (closed): {result.finding_id}")


def _update(
    finding_id: str,
    update: Callable[[Client, str, R], Awaitable[FindingStatus]],
    request: R,
    request_id: str | None,
) -> FindingStatus:
    parsed = or_bad_input(lambda: finding.parse_finding(finding_id))
    return _run_change(_settings(), lambda client: update(client, parsed, request), request_id)


# --- show and list -------------------------------------------------------------------------------


def status_text(s: FindingStatus) -> str:
    """The readable form of `lov finding show`."""
    out = [
        f"{s.procedure} {s.finding_id} · {s.provider_name} ({s.org_nr}) · {STATE_SV[s.status]}",
        f"Arbetsflöde: {s.workflow_id}",
        f"Krav: {s.requirement_title} ({s.requirement}) · allvar {s.severity} · källa {s.source}",
        f"Brist: {s.what}",
    ]
    if s.evidence:
        out.append(f"Underlag: {s.evidence}")
    k = s.kommunicering
    if k is not None:
        answered = f" · svar: {k.response}" if k.response else ""
        out.append(f"Kommunicering: svar senast {k.due.isoformat()}{answered}")
    if s.action_plan_due:
        late = " (sen)" if s.action_plan_late else ""
        out.append(f"Åtgärdsplan omgång {s.round}: senast {s.action_plan_due.isoformat()}{late}")
    if s.action_plan:
        out.append(f"Åtgärdsplan: {s.action_plan}")
    for d in s.decisions:
        money = f", {format_sek(d.amount)}" if d.amount is not None else ""
        out.append(f"Beslut: {d.title}{money} – {d.reason} ({d.actor})")
    if s.closed_reason:
        out.append(f"Avslutad: {s.closed_reason}")
    out.append("Historik:")
    for step in s.steps:
        note = f" – {step.note}" if step.note else ""
        out.append(f"  {step.at.isoformat(timespec='seconds')} {step.step} ({step.actor}){note}")
    return "\n".join(out)


@app.command("show")
def show(finding_id: FindingArg, as_json: JsonOpt = False) -> None:
    """Visa bristen: krav, kommunicering, åtgärdsplaner, beslut och historik.
    (Show the finding: requirement, kommunicering, action plans, decisions, history.)"""
    parsed = or_bad_input(lambda: finding.parse_finding(finding_id))
    echo_status(
        _settings(), lambda client: finding.finding_status(client, parsed), as_json, status_text
    )


@app.command("list")
def list_findings(
    plan: Annotated[
        str | None, plan_filter("Brister under planen. (Findings under the plan.)")
    ] = None,
    org_nr: OrgNrFilterOpt = None,
    state: Annotated[str | None, state_option(s.value for s in FindingState)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lista brister ur databasen: läge, krav, tidsfrister och påföljder.
    (List findings from the records database.)"""
    org = _org_nr(org_nr) if org_nr is not None else None
    settings = _settings()
    found = run_query(lambda: finding.list_findings(settings, plan=plan, org_nr=org, state=state))
    if not echo_json_or_none(found, as_json, lambda r: r.as_json(), NO_FINDINGS):
        return
    headers = ("Brist", "Utförare", "Namn", "Läge", "Krav", "Frist", "Påföljd", "Belopp")
    rows = []
    for r in found:
        f = r.finding
        due = f.action_plan_due if f.status == "action_plan_requested" else f.response_due
        rows.append(
            (
                f.finding_id,
                f.org_nr,
                r.provider_name,
                STATE_SV[FindingState(f.status)],
                f.requirement,
                due.isoformat() if due else "",
                f.last_decision or "",
                format_sek(f.sanctioned_amount) if f.sanctioned_amount else "",
            )
        )
    echo_table(headers, rows, right=(7,))
    typer.echo(f"{len(found)} brister (findings)")


@app.command("sanctions")
def sanctions(
    plan: Annotated[
        str | None, plan_filter("Beslut under planen. (Decisions under the plan.)")
    ] = None,
    since: Annotated[
        str | None,
        date_option("--since", "Beslutade från och med dagen. (Decided on or after the day.)"),
    ] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="CSV till ekonomisystemet. (CSV for finance.)")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Beslutade prisavdrag och viten som planen lämnar till fakturering (collect = "invoice"):
    organisationsnummer, utförare, brist, påföljd, belopp, beslutsdag, skäl och
    fakturareferens. (Decided amounts handed to invoicing, for the finance system.)"""
    if as_csv and as_json:
        fail_bad_input("--json/--csv: välj det ena (choose one)")
    day = _date(since, "--since") if since is not None else None
    settings = _settings()
    found = run_query(lambda: finding.sanctions_for_invoicing(settings, plan=plan, since=day))
    if as_csv:
        typer.echo(finding.sanctions_csv(found), nl=False)
        return
    if not echo_json_or_none(found, as_json, lambda r: r.as_json(), NO_SANCTIONS):
        return
    headers = ("Utförare", "Namn", "Brist", "Påföljd", "Belopp", "Beslutad", "Fakturareferens")
    rows = [
        (
            r.org_nr,
            r.provider_name,
            r.finding_id,
            r.title,
            format_sek(r.amount),
            r.decided.isoformat(),
            r.invoice_reference,
        )
        for r in found
    ]
    echo_table(headers, rows, right=(4,))
    typer.echo(f"{len(found)} beslut att fakturera (decisions to invoice)")
