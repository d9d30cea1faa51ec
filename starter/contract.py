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

from pathlib import Path
from typing import Annotated, Any

import typer
from temporalio.client import Client

from models.messages.common import Provider
from models.messages.contract import ChangeContactRequest, ContractStatus, TerminateRequest
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
from starter.client_run import run_action, run_change
from starter.contract_text import contract_text, obligation_text
from starter.errors import fail_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrArg,
    PlanOpt,
    parse_actor,
    parse_date,
    parse_org_nr,
    required,
)
from starter.output import echo_data, echo_json
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


# --- start ---------------------------------------------------------------------------------------


@app.command("start")
def start(
    org_nr: OrgNrArg,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAMN", help="Utförarens namn. (Provider name.)"),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            metavar="E-POST",
            help="Utförarens kontaktadress för påminnelser och besked. (Contact e-mail.)",
        ),
    ] = None,
    start_date: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="ÅÅÅÅ-MM-DD",
            help="Avtalets startdatum. (Contract start.)",
            show_default=False,
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            metavar="PLAN",
            help="Uppföljningsplan (id i plans/ eller sökväg); standard den konfigurerade. "
            "(Follow-up plan; default the configured one.)",
            show_default=False,
        ),
    ] = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Starta avtalsarbetsflödet för en utförare; skriver arbetsflödets id.
    (Start the provider's contract workflow; prints its workflow id.)

    Krävs: --name, --email och --start.
    """
    org = parse_org_nr(org_nr)
    the_name = line_option(required(name, "--name", '"Omsorg i Norr AB"'), "--name")
    the_email = email_option(required(email, "--email", "kontakt@omsorg.example"), "--email")
    begins = parse_date(start_date, "--start")
    settings = get_settings()
    plan_ref = plan or settings.default_plan
    try:
        chosen = contracts.plan_for_start(plan_ref, settings.plans_dir)
    except ActionError as err:
        fail_bad_input(f"--plan: {err.message}")
    provider = Provider(org_nr=org, name=the_name, email=the_email)

    async def action(client: Client) -> str:
        return await contracts.start_contract(
            client,
            settings.temporal_task_queue,
            provider,
            begins,
            chosen.plan_id,
            settings.search_attributes,
            plan=chosen.plan,
        )

    workflow_id = run_change(settings, action, request_id)
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
        typer.Option(
            "--obligation",
            metavar="SKYLDIGHET",
            help="Visa en enda skyldighet (med --period). (Show one item, with --period.)",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help="Perioden för --obligation, t.ex. 2027-T1. (The item's period.)",
            show_default=False,
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

        async def one(client: Client) -> ObligationStatus:
            return await obligations.obligation_status(client, org, key, per)

        item = run_action(settings, one)
        if as_json:
            echo_json(item)
        else:
            typer.echo(obligation_text(item))
        return

    async def whole(client: Client) -> ContractStatus:
        return await contracts.contract_status(client, org)

    found = run_action(settings, whole)
    if as_json:
        echo_json(found)
    else:
        typer.echo(contract_text(found))


# --- submit --------------------------------------------------------------------------------------


@app.command("submit")
def submit(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="NYCKEL=VÄRDE",
            help="Ett rapportfält, läst efter planens fälttyp: antal och procent som tal "
            "(87,5), ja/nej (även yes/no, true/false). Kan upprepas. (A report field, read by "
            "the plan's field type; repeatable.)",
            show_default=False,
        ),
    ] = None,
    fields_file: Annotated[
        Path | None,
        typer.Option(
            "--fields-file",
            metavar="FIL",
            help="Rapportfält ur en .json- eller .toml-fil; --field vinner. "
            "(Report fields from a JSON/TOML file; --field wins.)",
            show_default=False,
        ),
    ] = None,
    document: Annotated[
        list[str] | None,
        typer.Option(
            "--document",
            metavar="NYCKEL=SÖKVÄG",
            help="Ett dokument; sökväg och SHA-256 sparas, filen ligger kvar. Kan upprepas. "
            "(A document: its path and SHA-256 are recorded; repeatable.)",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str,
        typer.Option("--note", metavar="TEXT", help="Kommentar. (A note.)", show_default=False),
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

    async def action(client: Client) -> obligations.Submitted:
        return await obligations.submit_checked(
            client, org, obligation, period, request, settings.plans_dir
        )

    done = run_change(settings, action, request_id)
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
        typer.Option(
            "--new-due",
            metavar="ÅÅÅÅ-MM-DD",
            help="Ny förfallodag för kompletteringen. (Completion due date.)",
            show_default=False,
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(
            "--note",
            metavar="TEXT",
            help="Vad som saknas (krävs vid komplettering) eller en kommentar. "
            "(What is missing, or a comment.)",
            show_default=False,
        ),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Granska en inlämning: godkänn (--accept) eller begär komplettering (--request-completion).
    (Review a submission: accept or ask for completion.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    if accept == request_completion:
        fail_bad_input(
            "--accept: ange antingen --accept eller --request-completion "
            "(give exactly one of --accept / --request-completion)"
        )
    if accept:
        if new_due is not None:
            fail_bad_input("--new-due: gäller bara --request-completion (only with it)")
        request = ReviewRequest(outcome="accept", note=(note or "").strip(), actor=who)
    else:
        due = parse_date(new_due, "--new-due")
        text = required(note, "--note", '"Bilagan saknas"')
        request = ReviewRequest(outcome="request-completion", note=text, new_due=due, actor=who)
    settings = get_settings()

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await contracts.contract_status(client, org)
        return contract, await obligations.review(client, org, obligation, period, request)

    contract, result = run_change(settings, action, request_id)
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


@app.command("waive")
def waive(
    org_nr: OrgNrArg,
    obligation: ObligationArg,
    period: PeriodArg,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="Skäl (krävs). (Reason, required.)"),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Efterge en skyldighet för en period: den behöver inte lämnas in.
    (Waive an item: it need not be submitted.)"""
    org = parse_org_nr(org_nr)
    who = parse_actor(actor)
    request = WaiveRequest(reason=required(reason, "--reason", '"Ingen verksamhet"'), actor=who)
    settings = get_settings()

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await contracts.contract_status(client, org)
        return contract, await obligations.waive(client, org, obligation, period, request)

    contract, result = run_change(settings, action, request_id)
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
        str | None,
        typer.Option(
            "--new-due",
            metavar="ÅÅÅÅ-MM-DD",
            help="Ny förfallodag (krävs). (New due date, required.)",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="Skäl (krävs). (Reason, required.)"),
    ] = None,
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
    settings = get_settings()

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await contracts.contract_status(client, org)
        return contract, await obligations.extend(client, org, obligation, period, request)

    contract, result = run_change(settings, action, request_id)
    typer.echo(
        f"Förlängt (extended): {result.title} {result.period} för {org}, ny förfallodag "
        f"{result.due.isoformat()}; besked till {contract.provider.email}"
    )


# --- contract-wide -------------------------------------------------------------------------------


@app.command("terminate")
def terminate(
    org_nr: OrgNrArg,
    end_date: Annotated[
        str | None,
        typer.Option(
            "--end-date",
            metavar="ÅÅÅÅ-MM-DD",
            help="Sista avtalsdagen (krävs). (Last day of the contract, required.)",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="uppsagning|havning",
            help="Uppsägning eller hävning (krävs). (Termination or rescission, required.)",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="TEXT", help="Skäl (krävs). (Reason, required.)"),
    ] = None,
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
    request = TerminateRequest(
        end_date=ends,
        kind="uppsagning" if the_kind == "uppsagning" else "havning",
        reason=required(reason, "--reason", '"Utföraren har begärt det"'),
        actor=who,
    )
    settings = get_settings()

    async def action(client: Client) -> ContractStatus:
        return await contracts.terminate(client, org, request)

    result = run_change(settings, action, request_id)
    typer.echo(
        f"Avtalet upphör (terminating): {KIND_SV[the_kind]} för {org}, sista dag "
        f"{ends.isoformat()}; besked till {result.provider.email}"
    )


@app.command("change-contact")
def change_contact(
    org_nr: OrgNrArg,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", metavar="E-POST", help="Ny kontaktadress (krävs). (New e-mail, required.)"
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAMN", help="Nytt namn. (New name.)", show_default=False),
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
    settings = get_settings()

    async def action(client: Client) -> ContractStatus:
        return await contracts.change_contact(client, org, request)

    result = run_change(settings, action, request_id)
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
