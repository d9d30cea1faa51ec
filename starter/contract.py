"""`lov contract`: start a provider's contract and steer its obligations.

Every change is one Update on the contract's or the obligation's workflow (services/contracts.py,
services/obligations.py), recorded with `--actor` (default: the OS user). Bad input — a wrong org
nr, an unknown provider, obligation or period, a refused field, an item that is already done — is
reported on one line on stderr naming the field, exit code 2, and nothing was changed (a rejected
Update never reaches history). A Temporal that cannot be reached gives one line and exit code 1
(docs/CLI.md §5).

The client connects as configured (`models.runtime.temporal.connect`): `LOV_TEMPORAL_ADDRESS`, or
the embedded dev server of `lov serve` on 127.0.0.1:`LOV_EMBEDDED_TEMPORAL_PORT`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from temporalio.client import Client

from models.messages.common import Provider
from models.messages.contract import (
    ChangeContactRequest,
    ContractStatus,
    RequestDutyRequest,
    TerminateRequest,
)
from models.messages.obligation import (
    ExtendRequest,
    ObligationStatus,
    ReviewRequest,
    SubmitRequest,
    WaiveRequest,
)
from models.runtime.settings import get_settings
from services import contracts, obligations
from services.errors import ActionError
from starter.checks import email_option, line_option
from starter.client_run import echo_status, run_change
from starter.contract_text import contract_text, obligation_text
from starter.errors import fail_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrArg,
    PlanOpt,
    date_option,
    parse_actor,
    parse_date,
    parse_org_nr,
    required,
    value_option,
)
from starter.output import echo_data
from starter.request_id_option import RequestIdOpt
from starter.submission_input import documents as read_documents
from starter.submission_input import fields_file as read_fields_file
from starter.submission_input import pair
from starter.table import table_lines
from starter.words import KIND_SV

app = typer.Typer(
    name="contract",
    help="Avtal med utförare: starta, visa status, lämna in, granska, efterge, förläng, säg upp. "
    "(Provider contracts: start, status, submit, review, waive, extend, terminate.)",
    no_args_is_help=True,
)

ObligationArg = Annotated[
    str,
    typer.Argument(
        metavar="SKYLDIGHET",
        help="Skyldighetens nyckel i planen, t.ex. self-inspection. (Obligation key.)",
        show_default=False,
    ),
]
PeriodArg = Annotated[
    str,
    typer.Argument(
        metavar="PERIOD",
        help="Perioden, t.ex. 2027, 2027-T1 eller 2027-H1. (The period.)",
        show_default=False,
    ),
]

# Waive, extend and terminate: the reason goes into the history and the provider's notice.
RequiredReasonOpt = Annotated[
    str | None,
    value_option("--reason", "TEXT", "Skäl (krävs). (Reason, required.)"),
]


# --- start ---------------------------------------------------------------------------------------


@app.command("start")
def start(
    org_nr: OrgNrArg,
    name: Annotated[
        str | None,
        value_option("--name", "NAMN", "Utförarens namn. (Provider name.)"),
    ] = None,
    email: Annotated[
        str | None,
        value_option(
            "--email",
            "E-POST",
            "Utförarens kontaktadress för påminnelser och besked. (Contact e-mail.)",
        ),
    ] = None,
    start_date: Annotated[
        str | None, date_option("--start", "Avtalets startdatum. (Contract start.)")
    ] = None,
    plan: Annotated[
        str | None,
        value_option(
            "--plan",
            "PLAN",
            "Uppföljningsplan (id i plans/ eller sökväg); standard den konfigurerade. "
            "(Follow-up plan; default the configured one.)",
        ),
    ] = None,
    request_id: RequestIdOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Starta avtalsarbetsflödet för en utförare; skriver arbetsflödets id.
    (Start the provider's contract workflow; prints its workflow id.)

    Krävs: --name, --email och --start.
    """
    org = parse_org_nr(org_nr)
    the_name = line_option(required(name, "--name", '"Omsorg i Norr AB"'), "--name")
    the_email = email_option(required(email, "--email", "kontakt@omsorg.example"), "--email")
    begins = parse_date(start_date, "--start")
    who = parse_actor(actor)
    settings = get_settings()
    plan_ref = plan or settings.default_plan
    try:
        chosen = contracts.plan_for_start(plan_ref, settings.plans_dir)
    except ActionError as err:
        fail_bad_input(f"--plan: {err.message}")
    provider = Provider(org_nr=org, name=the_name, email=the_email)
    workflow_id = run_change(
        settings,
        lambda client: contracts.start_contract(
            client,
            settings.temporal_task_queue,
            provider,
            begins,
            chosen.plan_id,
            settings.search_attributes,
            actor=who,
            plan=chosen.plan,
        ),
        request_id,
    )
    typer.echo(
        f"Avtal startat (started): {workflow_id} · {the_name} ({org}) · plan {chosen.plan.id} "
        f"version {chosen.plan.version} · avtalsstart {begins.isoformat()}"
    )


# --- status --------------------------------------------------------------------------------------


@app.command("status")
def status(
    org_nr: OrgNrArg,
    obligation: Annotated[
        str | None,
        value_option(
            "--obligation",
            "SKYLDIGHET",
            "Visa en enda skyldighet (med --period). (Show one item, with --period.)",
        ),
    ] = None,
    period: Annotated[
        str | None,
        value_option(
            "--period", "PERIOD", "Perioden för --obligation, t.ex. 2027-T1. (The item's period.)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Visa avtalets skyldigheter: öppna, försenade och klara, och planversion per år.
    (Show the contract's obligations: open, overdue, done; plan version per year.)"""
    org = parse_org_nr(org_nr)
    if (obligation is None) != (period is None):
        missing = "--period" if period is None else "--obligation"
        fail_bad_input(f"{missing}: krävs tillsammans med (required with) --obligation/--period")
    settings = get_settings()
    if obligation is not None and period is not None:
        key, per = obligation, period
        echo_status(
            settings,
            lambda client: obligations.obligation_status(client, org, key, per),
            as_json,
            obligation_text,
        )
    else:
        echo_status(
            settings, lambda client: contracts.contract_status(client, org), as_json, contract_text
        )


# --- submit --------------------------------------------------------------------------------------


@app.command("submit")
def submit(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    field: Annotated[
        list[str] | None,
        value_option(
            "--field",
            "NYCKEL=VÄRDE",
            "Ett rapportfält, läst efter planens fälttyp: antal och procent som tal "
            "(87,5), ja/nej (även yes/no, true/false). Kan upprepas. (A report field, read by "
            "the plan's field type; repeatable.)",
        ),
    ] = None,
    fields_file: Annotated[
        Path | None,
        value_option(
            "--fields-file",
            "FIL",
            "Rapportfält ur en .json- eller .toml-fil; --field vinner. "
            "(Report fields from a JSON/TOML file; --field wins.)",
        ),
    ] = None,
    document: Annotated[
        list[str] | None,
        value_option(
            "--document",
            "NYCKEL=SÖKVÄG",
            "Ett dokument; sökväg och SHA-256 sparas, filen ligger kvar. Kan upprepas. "
            "(A document: its path and SHA-256 are recorded; repeatable.)",
        ),
    ] = None,
    note: Annotated[
        str,
        value_option("--note", "TEXT", "Kommentar. (A note.)"),
    ] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera utförarens inlämning; kvitto skickas med e-post.
    (Record the provider's submission; a receipt is e-mailed.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    values: dict[str, Any] = read_fields_file(fields_file) if fields_file is not None else {}
    for spec in field or []:
        key, value = pair(spec, "--field", "customers=42")
        # As typed: the service reads it by the plan's field type (models.domain.submission).
        values[key] = value
    documents = read_documents(document or [])
    request = SubmitRequest(fields=values, documents=documents, note=note, actor=who)
    settings = get_settings()
    done = run_change(
        settings,
        lambda client: obligations.submit_checked(
            client, org, obligation, period, request, settings.plans_dir
        ),
        request_id,
    )
    if done.plan_error is not None:
        typer.echo(
            f"varning: planen kan inte läsas här ({done.plan_error}); inlämningen kontrollerades "
            "av arbetsflödet (checked by the workflow only)",
            err=True,
        )
    result = done.result
    typer.echo(
        f"Inlämnat (submitted): {result.title} {result.period} för {org}, inlämning nr "
        f"{len(result.submissions)}; kvitto skickas till "
        f"{' och '.join(done.receipt_to(obligation))}"
    )


# --- review, waive, extend -----------------------------------------------------------------------

R = TypeVar("R")


def _obligation_change(
    org: str,
    obligation: str,
    period: str,
    update: Callable[[Client, str, str, str, R], Awaitable[ObligationStatus]],
    request: R,
    request_id: str | None,
) -> tuple[ContractStatus, ObligationStatus]:
    """`update` on one obligation occurrence, with the contract's status (whose provider is
    told, by e-mail, of the outcome)."""

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await contracts.contract_status(client, org)
        return contract, await update(client, org, obligation, period, request)

    return run_change(get_settings(), action, request_id)


@app.command("review")
def review(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    accept: Annotated[
        bool,
        typer.Option("--accept", help="Godkänn inlämningen. (Accept the submission.)"),
    ] = False,
    request_completion: Annotated[
        bool,
        typer.Option(
            "--request-completion",
            help="Begär komplettering; kräver --new-due och --note. "
            "(Ask for completion; needs --new-due and --note.)",
        ),
    ] = False,
    new_due: Annotated[
        str | None,
        date_option("--new-due", "Ny förfallodag för kompletteringen. (Completion due date.)"),
    ] = None,
    note: Annotated[
        str | None,
        value_option(
            "--note",
            "TEXT",
            "Vad som saknas (krävs vid komplettering) eller en kommentar. "
            "(What is missing, or a comment.)",
        ),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
    finding: Annotated[
        list[str] | None,
        value_option(
            "--finding",
            "KRAV: TEXT",
            "Godkänn med en brist: kravet (en nyckel ur planens [findings]) och vad som "
            "upptäckts; kan upprepas. Registreras som brist med källa review. "
            "(Accept with a finding; repeatable.)",
        ),
    ] = None,
) -> None:
    """Granska en inlämning: godkänn (--accept, ev. med brister: --finding) eller begär
    komplettering (--request-completion). (Review a submission: accept, with findings, or ask
    for completion.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    if accept == request_completion:
        fail_bad_input(
            "--accept: ange antingen --accept eller --request-completion "
            "(give exactly one of --accept / --request-completion)"
        )
    if finding:
        _accept_with_findings(org, obligation, period, accept, note, finding, who, request_id)
        return
    if accept:
        if new_due is not None:
            fail_bad_input("--new-due: gäller bara --request-completion (only with it)")
        request = ReviewRequest(outcome="accept", note=(note or "").strip(), actor=who)
    else:
        due = parse_date(new_due, "--new-due")
        text = required(note, "--note", '"Bilagan saknas"')
        request = ReviewRequest(outcome="request-completion", note=text, new_due=due, actor=who)
    contract, result = _obligation_change(
        org, obligation, period, obligations.review, request, request_id
    )
    to = contract.provider.email
    if accept:
        typer.echo(
            f"Godkänt (accepted): {result.title} {result.period} för {org}; besked till {to}"
        )
    else:
        typer.echo(
            f"Komplettering begärd (completion requested): {result.title} {result.period} för "
            f"{org}, ny förfallodag {result.due.isoformat()}; besked till {to}"
        )


def _accept_with_findings(
    org: str,
    obligation: str,
    period: str,
    accept: bool,
    note: str | None,
    specs: list[str],
    who: str,
    request_id: str | None,
) -> None:
    """`review --accept --finding …`: accept, and register each finding (services/findings.py
    checks them all against the plan first; a bad one changes nothing)."""
    # Here, not at the top: only this option needs the findings (and the records) modules.
    from services import findings

    if not accept:
        fail_bad_input("--finding: gäller bara --accept (only with --accept)")
    parsed = []
    for n, spec in enumerate(specs, 1):
        try:
            parsed.append(findings.parse_finding_spec(spec, f"--finding {n}"))
        except ActionError as err:
            fail_bad_input(str(err))
    request = ReviewRequest(outcome="accept", note=(note or "").strip(), actor=who)
    settings = get_settings()

    async def action(client: Client) -> tuple[ContractStatus, Any, list[Any]]:
        contract = await contracts.contract_status(client, org)
        reviewed, found = await findings.accept_with_findings(
            client, settings, org, obligation, period, request, parsed
        )
        return contract, reviewed, found

    contract, result, found = run_change(settings, action, request_id)
    typer.echo(
        f"Godkänt med brister (accepted with findings): {result.title} {result.period} för "
        f"{org}; besked till {contract.provider.email}"
    )
    for f in found:
        typer.echo(
            f"Brist registrerad (registered): {f.finding_id} · {f.requirement_title}; svar "
            f"senast {f.response_due.isoformat()}"
        )


@app.command("waive")
def waive(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    reason: RequiredReasonOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Efterge en skyldighet för en period: den behöver inte lämnas in.
    (Waive an item: it need not be submitted.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    request = WaiveRequest(reason=required(reason, "--reason", '"Ingen verksamhet"'), actor=who)
    contract, result = _obligation_change(
        org, obligation, period, obligations.waive, request, request_id
    )
    typer.echo(
        f"Eftergiven (waived): {result.title} {result.period} för {org}; besked till "
        f"{contract.provider.email}"
    )


@app.command("extend")
def extend(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    new_due: Annotated[
        str | None, date_option("--new-due", "Ny förfallodag (krävs). (New due date, required.)")
    ] = None,
    reason: RequiredReasonOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Förläng tiden för en skyldighet; påminnelser och eskalering börjar om.
    (Extend an item's due date; reminders and escalation start over.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    due = parse_date(new_due, "--new-due")
    request = ExtendRequest(
        new_due=due, reason=required(reason, "--reason", '"Sjukdom"'), actor=who
    )
    contract, result = _obligation_change(
        org, obligation, period, obligations.extend, request, request_id
    )
    typer.echo(
        f"Förlängt (extended): {result.title} {result.period} för {org}, ny förfallodag "
        f"{result.due.isoformat()}; besked till {contract.provider.email}"
    )


@app.command("request")
def request_duty(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    due: Annotated[
        str | None,
        typer.Option(
            "--due",
            metavar="ÅÅÅÅ-MM-DD",
            help="Förfallodag (krävs). (Due date, required.)",
            show_default=False,
        ),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Begär en skyldighet som inte begärdes när avtalet registrerades (fristen hade passerat).
    (Request a duty that was not requested at registration: its deadline had passed.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    request = RequestDutyRequest(
        obligation=obligation, period=period, due=parse_date(due, "--due"), actor=who
    )
    settings = get_settings()

    async def action(client: Client) -> ContractStatus:
        return await contracts.request_duty(client, org, request)

    result = run_change(settings, action, request_id)
    due_on = next(
        (
            i.due
            for s in result.obligations.values()
            for i in s.open + s.overdue
            if (i.obligation, i.period) == (obligation, period)
        ),
        request.due,
    )
    typer.echo(
        f"Begärd (requested): {obligation} {period} för {org}, förfallodag "
        f"{due_on.isoformat()}; besked till {result.provider.email}"
    )


# --- contract-wide -------------------------------------------------------------------------------


def _contract_change(
    update: Callable[[Client, str, R], Awaitable[ContractStatus]],
    org: str,
    request: R,
    request_id: str | None,
) -> ContractStatus:
    """`update` on the contract of `org`."""
    return run_change(get_settings(), lambda client: update(client, org, request), request_id)


@app.command("terminate")
def terminate(
    org_nr: OrgNrArg,
    end_date: Annotated[
        str | None,
        date_option(
            "--end-date", "Sista avtalsdagen (krävs). (Last day of the contract, required.)"
        ),
    ] = None,
    kind: Annotated[
        str | None,
        value_option(
            "--kind",
            "uppsagning|havning",
            "Uppsägning eller hävning (krävs). (Termination or rescission, required.)",
        ),
    ] = None,
    reason: RequiredReasonOpt = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="kommun|utforare",
            help="Vem som sagt upp avtalet. (Who gave notice: the municipality or the provider.)",
        ),
    ] = "kommun",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Säg upp eller häv avtalet från ett slutdatum; skyldigheter efter det utgår.
    (Terminate the contract as of an end date; later obligations are cancelled.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    ends = parse_date(end_date, "--end-date")
    the_kind = required(kind, "--kind", "uppsagning")
    if the_kind not in ("uppsagning", "havning"):
        fail_bad_input(f"--kind: uppsagning eller havning (one of them), fick {the_kind!r}")
    if by not in ("kommun", "utforare"):
        fail_bad_input(f"--by: kommun eller utforare (one of them), fick {by!r}")
    request = TerminateRequest(
        end_date=ends,
        kind="uppsagning" if the_kind == "uppsagning" else "havning",
        reason=required(reason, "--reason", '"Utföraren har begärt det"'),
        actor=who,
        by="utforare" if by == "utforare" else "kommun",
    )
    result = _contract_change(contracts.terminate, org, request, request_id)
    typer.echo(
        f"Avtalet upphör (terminating): {KIND_SV[the_kind]} för {org}, sista dag "
        f"{ends.isoformat()}; besked till {result.provider.email}"
    )


@app.command("change-contact")
def change_contact(
    org_nr: OrgNrArg,
    email: Annotated[
        str | None,
        value_option("--email", "E-POST", "Ny kontaktadress (krävs). (New e-mail, required.)"),
    ] = None,
    name: Annotated[
        str | None,
        value_option("--name", "NAMN", "Nytt namn. (New name.)"),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Ändra utförarens kontaktuppgifter; gäller för all kommande e-post.
    (Change the provider's contact details; used for all further e-mail.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    request = ChangeContactRequest(
        email=email_option(required(email, "--email", "kontakt@omsorg.example"), "--email"),
        name=None if name is None else line_option(name, "--name"),
        actor=who,
    )
    result = _contract_change(contracts.change_contact, org, request, request_id)
    typer.echo(
        f"Kontaktuppgifter ändrade (contact changed): {result.provider.name} ({org}), "
        f"{result.provider.email}"
    )


# --- requirements --------------------------------------------------------------------------------


@app.command("requirements")
def requirements(obligation: ObligationArg, plan: PlanOpt = None, as_json: JsonOpt = False) -> None:
    """Visa vad en inlämning för skyldigheten ska innehålla: fält (typ, enhet, gränser) och
    dokument, enligt planen (standard den konfigurerade).
    (What a submission needs: fields with type, unit and limits, and documents.)

    --json skriver ett objekt med nycklarna plan_id, plan_version, obligation, title,
    fields [{key, title, type, unit, required, limits}] och documents
    [{key, title, required, limits}]."""
    settings = get_settings()
    try:
        needs = obligations.requirements(
            plan or settings.default_plan, obligation.strip(), settings.plans_dir
        )
    except ActionError as err:
        fail_bad_input(f"{'--plan' if err.field == 'plan' else err.field}: {err.message}")
    if as_json:
        echo_data(needs.as_dict())
        return
    yes_no = {True: "ja", False: "nej"}
    out = [
        f"{needs.title} ({needs.obligation}) · plan {needs.plan_id} version {needs.plan_version}"
    ]
    if needs.fields:
        out += ["", "Fält (--field NYCKEL=VÄRDE):"]
        rows = [
            (f.key, f.title, f.type, f.unit, yes_no[f.required], f.limits) for f in needs.fields
        ]
        out += table_lines(
            ("Nyckel", "Namn", "Typ", "Enhet", "Krävs", "Gränser"), rows, indent="  "
        )
    if needs.documents:
        out += ["", "Dokument (--document NYCKEL=SÖKVÄG):"]
        docs = [(d.key, d.title, yes_no[d.required], d.limits) for d in needs.documents]
        out += table_lines(("Nyckel", "Namn", "Krävs", "Gränser"), docs, indent="  ")
    typer.echo("\n".join(out))
