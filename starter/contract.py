"""`lov contract`: start a provider's contract and steer its obligations.

Every change is one Update on the contract's or the obligation's workflow (`services.calls`),
recorded with `--actor` (default: the OS user). Bad input — a wrong org nr, an unknown provider,
obligation or period, a refused field, an item that is already done — is reported on one line on
stderr naming the field, exit code 2, and nothing was changed (a rejected Update never reaches
history). A Temporal that cannot be reached gives one line and exit code 1 (docs/CLI.md §5).

The client connects as configured (`models.runtime.temporal.connect`): `LOV_TEMPORAL_ADDRESS`, or
the
embedded dev server of `lov serve` on 127.0.0.1:`LOV_EMBEDDED_TEMPORAL_PORT`.
"""

from __future__ import annotations

import getpass
import json
import re
import tomllib
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from temporalio.client import Client

from models.domain.file_input import (
    MAX_FIELDS_BYTES,
    FileInputError,
    parse_json,
    parse_toml,
    read_text,
)
from models.domain.inputs import check_actor
from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.domain.quote import short
from models.domain.submission import SubmissionError, check_submission
from models.messages.common import Provider
from models.messages.contract import ChangeContactRequest, ContractStatus, TerminateRequest
from models.messages.obligation import (
    DocumentRef,
    ExtendRequest,
    ItemStatus,
    ObligationState,
    ObligationStatus,
    ReviewRequest,
    SubmitRequest,
    WaiveRequest,
)
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Obligation, Plan
from models.runtime.settings import Settings, get_settings
from services import calls as actions
from services.calls import ActionError
from services.request_ids import RequestIdOpt, checked_request_id
from starter.checks import email_option, line_option
from starter.client_run import run_with_client
from starter.errors import fail_bad_input
from starter.options import parse_date

T = TypeVar("T")

app = typer.Typer(
    name="contract",
    help="Avtal med utförare: starta, visa status, lämna in, granska, efterge, förläng, säg upp. "
    "(Provider contracts: start, status, submit, review, waive, extend, terminate.)",
    no_args_is_help=True,
)

STATE_SV = {
    ObligationState.UPCOMING: "kommande",
    ObligationState.OPEN: "öppen",
    ObligationState.SUBMITTED: "inlämnad, väntar på granskning",
    ObligationState.COMPLETION_REQUESTED: "komplettering begärd",
    ObligationState.ACCEPTED: "godkänd",
    ObligationState.WAIVED: "eftergiven",
    ObligationState.CANCELLED: "utgår",
}
CONTRACT_STATE_SV = {
    "active": "avtalet är aktivt",
    "terminating": "avtalet upphör",
    "terminated": "avtalet har upphört",
}
KIND_SV = {"uppsagning": "uppsägning", "havning": "hävning"}
_INT = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+[.,][0-9]*|[.,][0-9]+)$")

# --- shared options ------------------------------------------------------------------------------

OrgNrArg = Annotated[
    str,
    typer.Argument(
        metavar="ORGNR",
        help="Utförarens organisationsnummer, NNNNNN-NNNN. (The provider's org nr.)",
        show_default=False,
    ),
]
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
ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="NAMN",
        help="Vem som begär ändringen; sparas i historiken. Standard: inloggad användare. "
        "(Who asks; recorded in the history; default the OS user.)",
        show_default=False,
    ),
]
JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Skriv JSON i stället för text. (Print JSON.)"),
]


def _required(value: str | None, option: str, example: str) -> str:
    if value is None or not value.strip():
        fail_bad_input(f"{option}: krävs (required), t.ex. {option} {example}")
    return value.strip()


def _org_nr(text: str) -> str:
    try:
        return normalize_org_nr(text)
    except OrgNrError as err:
        fail_bad_input(f"org_nr: {err}")


def _date(text: str | None, option: str) -> date:
    return parse_date(text, option)


def _actor(value: str | None) -> str:
    """--actor, or the OS user; either way what models.domain.inputs allows (it fits the
    records)."""
    if value is None:
        try:
            value = getpass.getuser()
        except (OSError, KeyError):
            fail_bad_input("--actor: okänd användare (cannot tell the OS user); ange --actor NAMN")
    try:
        return check_actor(value.strip())
    except ValueError as err:
        fail_bad_input(f"--actor: {err}")


def _settings() -> Settings:
    return get_settings()


def _run(settings: Settings, action: Callable[[Client], Awaitable[T]]) -> T:
    """Connect as configured and run `action`; its failures become docs/CLI.md §5's exit codes."""
    return run_with_client(settings, action, bad_input=(ActionError,))


def _run_change(
    settings: Settings,
    action: Callable[[Client], Awaitable[T]],
    request_id: str | None,
    *,
    status: str | None = None,
) -> T:
    """`_run` for a command that changes something, under its `--request-id`
    (services/request_ids.py): a retry with the same id is recognised as the same request, and a
    connection lost after the change was sent says how to check (`status`, else
    `lov <group> status <first argument>`) and how to retry."""
    return run_with_client(
        settings,
        action,
        bad_input=(ActionError,),
        request_id=checked_request_id(request_id),
        status=status,
    )


def _action_error(err: Exception) -> ActionError:
    """`"<field>: <message>"` (as models.domain.submission words it) → ActionError."""
    field, _, rest = str(err).partition(": ")
    return ActionError(field, rest) if rest else ActionError("request", str(err))


def _echo_json(model: Any) -> None:
    typer.echo(model.model_dump_json(indent=2))


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
    org = _org_nr(org_nr)
    the_name = line_option(_required(name, "--name", '"Omsorg i Norr AB"'), "--name")
    the_email = email_option(_required(email, "--email", "kontakt@omsorg.example"), "--email")
    begins = _date(start_date, "--start")
    settings = _settings()
    plan_ref = plan or settings.default_plan
    try:
        the_plan = load_plan(plan_ref, settings.plans_dir)
    except PlanError as err:
        fail_bad_input(f"--plan: {err}")
    provider = Provider(org_nr=org, name=the_name, email=the_email)
    # A plan file given by path is stored absolute, so the worker finds it from any directory.
    plan_id = plan_ref if plan_ref == the_plan.id else str(Path(plan_ref).resolve())

    async def action(client: Client) -> str:
        return await actions.start_contract(
            client,
            settings.temporal_task_queue,
            provider,
            begins,
            plan_id,
            settings.search_attributes,
        )

    workflow_id = _run_change(settings, action, request_id)
    typer.echo(
        f"Avtal startat (started): {workflow_id} · {the_name} ({org}) · plan {the_plan.id} "
        f"version {the_plan.version} · avtalsstart {begins.isoformat()}"
    )


# --- status --------------------------------------------------------------------------------------


def _state_line(status: ContractStatus) -> str:
    state = CONTRACT_STATE_SV[status.state]
    t = status.termination
    if t is not None:
        state += (
            f" ({KIND_SV[t.kind]}, sista dag {t.end_date.isoformat()}: {t.reason};"
            f" begärt av {t.actor})"
        )
    return state


def contract_text(status: ContractStatus) -> str:
    """The readable form of `lov contract status`."""
    p = status.provider
    versions = ", ".join(f"{y}: {v}" for y, v in sorted(status.plan_versions.items())) or "–"
    out = [
        f"{p.name} ({p.org_nr}) · {_state_line(status)}",
        f"Arbetsflöde {status.workflow_id} · plan {status.plan_id} · avtalsstart "
        f"{status.contract_start.isoformat()} · uppföljningsår {status.year}",
        f"Kontakt: {p.email}",
        f"Planversioner per år: {versions}",
    ]
    if not status.obligations:
        out += ["", "Inga skyldigheter ännu. (No obligations yet.)"]
    headers = ("Läge", "Period", "Förfallodag", "Status", "Eskaleringsnivå")
    for key, summary in status.obligations.items():
        rows: list[tuple[str, ...]] = []
        for label, items in (
            ("öppen", summary.open),
            ("försenad", summary.overdue),
            ("klar", summary.done),
        ):
            rows += [_item_row(label, i) for i in items]
        out += ["", key]
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            cells = (c.ljust(w) for c, w in zip(row, widths, strict=True))
            out.append(("  " + "  ".join(cells)).rstrip())
        if summary.done_earlier:
            out.append(f"  och {summary.done_earlier} klara tidigare år")
    return "\n".join(out)


def _item_row(label: str, item: ItemStatus) -> tuple[str, ...]:
    return (
        label,
        item.period,
        item.due.isoformat(),
        STATE_SV[item.status],
        str(item.escalation_level),
    )


def _shown(value: Any) -> str:
    """A field value as it would be typed: true/false, 12, text."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def obligation_text(item: ObligationStatus) -> str:
    """The readable form of `lov contract status --obligation … --period …`."""
    due = item.due.isoformat()
    if item.due != item.nominal_due:
        due += f" (enligt planen {item.nominal_due.isoformat()})"
    out = [
        f"{item.title} · {item.obligation} {item.period} · {item.org_nr}",
        f"Arbetsflöde: {item.workflow_id}",
        f"Förfallodag: {due}",
        f"Status: {STATE_SV[item.status]} · försenad: {'ja' if item.overdue else 'nej'} · "
        f"eskaleringsnivå: {item.escalation_level} · påminnelser skickade: {item.reminders_sent}",
    ]
    if item.submissions:
        out.append("Inlämningar:")
        for n, sub in enumerate(item.submissions, 1):
            fields = ", ".join(f"{k}={_shown(v)}" for k, v in sub.fields.items()) or "–"
            at = sub.at.isoformat(timespec="seconds")
            out.append(f"  {n}. {at} av {sub.actor}: fält {fields}")
            out += [
                f"     dokument {d.key}: {d.filename} (sha256 {d.sha256[:12]}…, {d.size} byte)"
                for d in sub.documents
            ]
    out.append("Historik:")
    out += [f"  {line}" for line in item.history]
    return "\n".join(out)


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
    org = _org_nr(org_nr)
    if (obligation is None) != (period is None):
        missing = "--period" if period is None else "--obligation"
        fail_bad_input(f"{missing}: krävs tillsammans med (required with) --obligation/--period")
    settings = _settings()
    if obligation is not None and period is not None:
        key, per = obligation, period

        async def one(client: Client) -> ObligationStatus:
            return await actions.obligation_status(client, org, key, per)

        item = _run(settings, one)
        if as_json:
            _echo_json(item)
        else:
            typer.echo(obligation_text(item))
        return

    async def whole(client: Client) -> ContractStatus:
        return await actions.contract_status(client, org)

    found = _run(settings, whole)
    if as_json:
        _echo_json(found)
    else:
        typer.echo(contract_text(found))


# --- submit --------------------------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """A `--field` value: integers → int, decimals → float, true/false → bool, else text."""
    stripped = text.strip()
    if _INT.match(stripped):
        return int(stripped)
    if _DECIMAL.match(stripped):
        return float(stripped.replace(",", "."))
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    return text


def _pair(text: str, option: str, example: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        fail_bad_input(f"{option}: väntade NYCKEL=VÄRDE (expected key=value), t.ex. {example}")
    return key.strip(), value


def _fields_file(path: Path) -> dict[str, Any]:
    option = "--fields-file"
    if path.suffix not in (".json", ".toml"):
        fail_bad_input(f"{option}: {path} måste vara .json eller .toml (must be .json/.toml)")
    try:
        text = read_text(path, MAX_FIELDS_BYTES)
        data = parse_json(text) if path.suffix == ".json" else parse_toml(text)
    except FileInputError as err:
        fail_bad_input(f"{option}: {path}: {err}")
    except (ValueError, tomllib.TOMLDecodeError) as err:
        fail_bad_input(f"{option}: {path}: {' '.join(str(err).split())}")
    if not isinstance(data, dict):
        fail_bad_input(f"{option}: {path} ska innehålla en tabell/ett objekt (must be a mapping)")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str | int | float | bool):
            fail_bad_input(
                f"fields.{key}: i {path}: ska vara tal, true/false eller text (must be a "
                f"number, true/false or text), fick {short(value)}"
            )
        values[str(key)] = value
    return values


def _documents(specs: list[str]) -> list[DocumentRef]:
    refs: list[DocumentRef] = []
    for spec in specs:
        key, path = _pair(spec, "--document", "self-inspection-report=rapport.pdf")
        if not path.strip():
            fail_bad_input(f"documents.{key}: sökväg saknas (path missing)")
        try:
            refs.append(actions.document_ref(key, Path(path).expanduser()))
        except ActionError as err:
            fail_bad_input(str(err))
    return refs


def _plan_for(status: ContractStatus, settings: Settings) -> Plan | None:
    try:
        return load_plan(status.plan_id, settings.plans_dir)
    except PlanError as err:
        typer.echo(
            f"varning: planen kan inte läsas här ({err}); inlämningen kontrolleras av "
            "arbetsflödet (checked by the workflow only)",
            err=True,
        )
        return None


def _same_version(plan: Plan, status: ContractStatus, period: str) -> bool:
    """The checks apply only when this plan file is the version the item's year runs on."""
    try:
        year = int(period[:4])
    except ValueError:
        return False
    recorded = status.plan_versions.get(year)
    return recorded is None or recorded == plan.version


def _precheck(
    plan: Plan | None,
    status: ContractStatus,
    item: ObligationStatus,
    fields: dict[str, Any],
    documents: list[DocumentRef],
) -> Obligation | None:
    """Client-side check with the plan's rules, for a clear error before anything is sent.
    The Update validator in the workflow is the authority; this only refuses earlier."""
    if plan is None or not _same_version(plan, status, item.period):
        return None
    if item.status.terminal or item.status is ObligationState.SUBMITTED:
        return None  # the workflow's validator says why it cannot be submitted
    try:
        ob = plan.obligation(item.obligation)
    except KeyError:
        return None
    try:
        check_submission(ob, fields, documents)
    except SubmissionError as err:
        raise _action_error(err) from None
    return ob


def _receipt_to(status: ContractStatus, plan: Plan | None, obligation: str) -> str:
    emails = [status.provider.email]
    if plan is not None:
        try:
            emails.append(plan.role_email(plan.obligation(obligation).recipient))
        except KeyError:
            pass
    return " och ".join(emails)


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
            help="Ett rapportfält; tal blir tal, true/false sant/falskt, annat text. Kan "
            "upprepas. (A report field; integers → numbers, true/false → booleans; repeatable.)",
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
    org = _org_nr(org_nr)
    who = _actor(actor)
    values: dict[str, Any] = _fields_file(fields_file) if fields_file is not None else {}
    for spec in field or []:
        key, value = _pair(spec, "--field", "customers=42")
        values[key] = parse_value(value)
    documents = _documents(document or [])
    request = SubmitRequest(fields=values, documents=documents, note=note, actor=who)
    settings = _settings()

    async def action(client: Client) -> tuple[ContractStatus, Plan | None, ObligationStatus]:
        contract = await actions.contract_status(client, org)
        item = await actions.obligation_status(client, org, obligation, period)
        plan = _plan_for(contract, settings)
        _precheck(plan, contract, item, values, documents)
        result = await actions.submit(client, org, obligation, period, request)
        return contract, plan, result

    contract, plan, result = _run_change(settings, action, request_id)
    typer.echo(
        f"Inlämnat (submitted): {result.title} {result.period} för {org}, inlämning nr "
        f"{len(result.submissions)}; kvitto skickas till {_receipt_to(contract, plan, obligation)}"
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
    org = _org_nr(org_nr)
    who = _actor(actor)
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
        due = _date(new_due, "--new-due")
        text = _required(note, "--note", '"Bilagan saknas"')
        request = ReviewRequest(outcome="request-completion", note=text, new_due=due, actor=who)
    settings = _settings()

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await actions.contract_status(client, org)
        return contract, await actions.review(client, org, obligation, period, request)

    contract, result = _run_change(settings, action, request_id)
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
    org = _org_nr(org_nr)
    who = _actor(actor)
    request = WaiveRequest(reason=_required(reason, "--reason", '"Ingen verksamhet"'), actor=who)
    settings = _settings()

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await actions.contract_status(client, org)
        return contract, await actions.waive(client, org, obligation, period, request)

    contract, result = _run_change(settings, action, request_id)
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
    org = _org_nr(org_nr)
    who = _actor(actor)
    due = _date(new_due, "--new-due")
    request = ExtendRequest(
        new_due=due, reason=_required(reason, "--reason", '"Sjukdom"'), actor=who
    )
    settings = _settings()

    async def action(client: Client) -> tuple[ContractStatus, ObligationStatus]:
        contract = await actions.contract_status(client, org)
        return contract, await actions.extend(client, org, obligation, period, request)

    contract, result = _run_change(settings, action, request_id)
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
    org = _org_nr(org_nr)
    who = _actor(actor)
    ends = _date(end_date, "--end-date")
    the_kind = _required(kind, "--kind", "uppsagning")
    if the_kind not in ("uppsagning", "havning"):
        fail_bad_input(f"--kind: uppsagning eller havning (one of them), fick {the_kind!r}")
    request = TerminateRequest(
        end_date=ends,
        kind="uppsagning" if the_kind == "uppsagning" else "havning",
        reason=_required(reason, "--reason", '"Utföraren har begärt det"'),
        actor=who,
    )
    settings = _settings()

    async def action(client: Client) -> ContractStatus:
        return await actions.terminate(client, org, request)

    result = _run_change(settings, action, request_id)
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
    org = _org_nr(org_nr)
    who = _actor(actor)
    request = ChangeContactRequest(
        email=email_option(_required(email, "--email", "kontakt@omsorg.example"), "--email"),
        name=None if name is None else line_option(name, "--name"),
        actor=who,
    )
    settings = _settings()

    async def action(client: Client) -> ContractStatus:
        return await actions.change_contact(client, org, request)

    result = _run_change(settings, action, request_id)
    typer.echo(
        f"Kontaktuppgifter ändrade (contact changed): {result.provider.name} ({org}), "
        f"{result.provider.email}"
    )
