"""`lov recovery`: återkrav cases — start, respond, decide, settle, paid, status, totals, list.

Claim lines are given as repeated `--line "PERIOD,KUNDREF,FAKTURERADE,GODKÄNDA,TIMPRIS"` (use
`;` between the columns to write decimal commas: `"2027-03;K-1042;12,5;10;385,50"`) or as a CSV
file with a header row (`--csv FILE`; `,` or `;` separated). The calculation is shown before
anything is started; a bad line is refused with its line number and column, exit 2, and nothing
is started. Case ids, workflow ids, the line rules and every command and query: see
`services.recoveries`; this module parses the options and prints.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from temporalio.client import Client

from models.domain.file_input import MAX_CSV_BYTES, FileInputError, read_text
from models.domain.money import ClaimLine, calculation_lines, format_sek
from models.messages.recovery import (
    DecideRequest,
    PaidRequest,
    RecoveryState,
    RecoveryStatus,
    RespondRequest,
    SettleRequest,
)
from models.runtime.settings import get_settings as _settings
from services import recoveries as recovery
from services.errors import ActionError
from services.words import RECOVERY_STATES
from starter.client_run import echo_status
from starter.client_run import run_change as _run_change
from starter.errors import fail_bad_input, or_bad_input
from starter.options import (
    ActorOpt,
    JsonOpt,
    OrgNrArg,
    OrgNrFilterOpt,
    plan_filter,
    state_option,
    value_option,
)
from starter.options import parse_actor as _actor
from starter.options import parse_org_nr as _org_nr
from starter.options import required as _required
from starter.output import echo_json_or_none
from starter.records_read import run_query
from starter.request_id_option import RequestIdOpt
from starter.table import echo_table

app = typer.Typer(
    name="recovery",
    help="Återkrav: starta, registrera svar, besluta, fakturera eller kvitta, registrera "
    "betalning, visa status och summor. (Recovery of payments for hours not performed.)",
    no_args_is_help=True,
)

R = TypeVar("R")
COLUMNS = recovery.COLUMNS
STATE_SV = RECOVERY_STATES
RESPONSE_SV = {"accepted": "godtar", "disputed": "invänder"}
DECISION_SV = {"confirmed": "fastställt", "adjusted": "ändrat", "withdrawn": "återkallat"}
NO_CASES = "Inga återkrav. (No recovery cases.)"

CaseArg = Annotated[
    str,
    typer.Argument(
        metavar="ÄRENDE",
        help="Ärendets id, t.ex. 5560360793-2027-001. (The case id, shown by start.)",
        show_default=False,
    ),
]
LineOpt = Annotated[
    list[str] | None,
    value_option(
        "--line",
        "PERIOD,KUNDREF,FAKTURERADE,GODKÄNDA,TIMPRIS",
        "En rad, t.ex. 2027-03,K-1042,12.5,10,385.50 (med ; mellan kolumnerna går "
        "decimalkomma bra). Kan upprepas. (A claim line; repeatable.)",
    ),
]
CsvOpt = Annotated[
    Path | None,
    value_option(
        "--csv",
        "FIL",
        "Rader ur en CSV-fil med rubrikrad: " + ",".join(COLUMNS) + ". "
        "(Claim lines from a CSV file with a header row.)",
    ),
]
ReasonOpt = Annotated[
    str | None,
    value_option("--reason", "TEXT", "Skäl. (Reason.)"),
]


# --- claim lines ---------------------------------------------------------------------------------


def _claim_lines(line: list[str] | None, csv_file: Path | None, required: bool) -> list[ClaimLine]:
    if line and csv_file is not None:
        fail_bad_input("--csv: ange antingen --line eller --csv (give one of --line / --csv)")
    try:
        if csv_file is not None:
            return recovery.lines_from_csv(_csv_text(csv_file), f"--csv {csv_file}")
        if line:
            return recovery.lines_from_specs(line)
    except ActionError as err:
        fail_bad_input(str(err))
    if required:
        fail_bad_input("--line: minst en rad krävs, med --line eller --csv (claim lines required)")
    return []


def _csv_text(path: Path) -> str:
    try:
        return read_text(path, MAX_CSV_BYTES, encoding="utf-8-sig")
    except FileInputError as err:
        fail_bad_input(f"--csv {path}: {err}")


def _calculation(lines: list[ClaimLine]) -> list[str]:
    return [f"  {text}" for text in calculation_lines(lines)]


# --- start ---------------------------------------------------------------------------------------


@app.command("start")
def start(
    org_nr: OrgNrArg,
    line: LineOpt = None,
    csv_file: CsvOpt = None,
    subject: Annotated[
        str,
        value_option(
            "--subject",
            "TEXT",
            "Vad återkravet gäller, t.ex. 'Granskning av utförd tid mars 2027'. "
            "(What the claim concerns.)",
        ),
    ] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Starta ett återkrav: beloppet räknas ut rad för rad och utföraren underrättas med
    svarstid. (Start a recovery case: the provider gets a notice with a response deadline.)"""
    org = _org_nr(org_nr)
    who = _actor(actor)
    lines = _claim_lines(line, csv_file, required=True)
    or_bad_input(lambda: recovery.check_claim_lines(lines))
    settings = _settings()
    opened = _run_change(
        settings,
        lambda client: recovery.open_case(client, settings, org, lines, who, subject),
        request_id,
        status=f"lov recovery totals --org-nr {org}",
    )
    out = [
        f"Återkrav startat (started): {opened.case_id} · {org} · arbetsflöde {opened.workflow_id}",
        "Beräkning (calculation):",
        *_calculation(lines),
        f"Underrättelse skickas till {opened.email}; svar senast "
        f"{opened.response_due.isoformat()}.",
    ]
    typer.echo("\n".join(out))


# --- respond, decide, settle, paid ---------------------------------------------------------------


@app.command("respond")
def respond(
    case: CaseArg,
    accept: Annotated[
        bool, typer.Option("--accept", help="Utföraren godtar återkravet. (Accepts.)")
    ] = False,
    dispute: Annotated[
        bool,
        typer.Option("--dispute", help="Utföraren invänder; kräver --comment. (Disputes.)"),
    ] = False,
    comment: Annotated[
        str | None,
        value_option("--comment", "TEXT", "Utförarens invändning. (The provider's comment.)"),
    ] = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera utförarens svar på underrättelsen. (Record the provider's response.)"""
    who = _actor(actor)
    if accept == dispute:
        fail_bad_input("--accept: ange antingen --accept eller --dispute (exactly one of them)")
    if dispute:
        text = _required(comment, "--comment", '"Timmarna är utförda enligt bilaga"')
        request = RespondRequest(outcome="dispute", comment=text, actor=who)
    else:
        request = RespondRequest(outcome="accept", comment=(comment or "").strip(), actor=who)
    result = _case_update(case, recovery.respond, request, request_id)
    typer.echo(
        f"Svar registrerat (response recorded): {result.case_id} · utföraren "
        f"{RESPONSE_SV['accepted' if accept else 'disputed']}"
    )


@app.command("decide")
def decide(
    case: CaseArg,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Fastställ återkravet. (Confirm the claim.)")
    ] = False,
    adjust: Annotated[
        str | None,
        value_option(
            "--adjust",
            "BELOPP",
            "Ändra beloppet (kronor, t.ex. 1200,50); kräver --reason. (New amount.)",
        ),
    ] = None,
    line: LineOpt = None,
    csv_file: CsvOpt = None,
    withdraw: Annotated[
        bool,
        typer.Option("--withdraw", help="Återkalla återkravet; kräver --reason. (Withdraw.)"),
    ] = False,
    reason: ReasonOpt = None,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Besluta: fastställ (--confirm), ändra (--adjust BELOPP eller nya rader med --line/--csv)
    eller återkalla (--withdraw). Beslutet skickas till utföraren.
    (Decide: confirm, adjust or withdraw; the decision is e-mailed.)"""
    who = _actor(actor)
    lines = _claim_lines(line, csv_file, required=False)
    chosen = [confirm, adjust is not None or bool(lines), withdraw]
    if sum(chosen) != 1:
        fail_bad_input(
            "--confirm: ange en av --confirm, --adjust BELOPP (eller --line/--csv) och "
            "--withdraw (exactly one)"
        )
    if adjust is not None and lines:
        fail_bad_input("--adjust: ange antingen ett belopp eller rader (amount or lines)")
    if confirm:
        request = DecideRequest(outcome="confirm", reason=(reason or "").strip(), actor=who)
    elif withdraw:
        text = _required(reason, "--reason", '"Timmarna var felregistrerade"')
        request = DecideRequest(outcome="withdraw", reason=text, actor=who)
    else:
        text = _required(reason, "--reason", '"Delvis styrkt av biståndshandläggare"')
        amount: Decimal | None = None
        if adjust is not None:
            amount = or_bad_input(lambda: recovery.parse_amount(adjust, "--adjust"))
        request = DecideRequest(
            outcome="adjust", amount=amount, lines=lines or None, reason=text, actor=who
        )
    result = _case_update(case, recovery.decide, request, request_id)
    decision = result.decision
    assert decision is not None
    typer.echo(
        f"Beslut (decision): {result.case_id} · {DECISION_SV[decision.outcome]} · att "
        f"återbetala {format_sek(result.amount)}; beslutet skickas till utföraren"
    )


@app.command("settle")
def settle(
    case: CaseArg,
    invoice: Annotated[
        str | None,
        value_option(
            "--invoice",
            "FAKTURANR",
            "Fakturera: fakturans nummer; förfaller efter 30 dagar. (Invoice number.)",
        ),
    ] = None,
    set_off: Annotated[
        bool,
        typer.Option("--set-off", help="Kvitta mot nästa utbetalning. (Set off.)"),
    ] = False,
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Reglera beslutat belopp: faktura (--invoice NR) eller kvittning (--set-off).
    (Settle: an invoice, or a set-off against the next payment.)"""
    who = _actor(actor)
    if (invoice is not None) == set_off:
        fail_bad_input("--invoice: ange antingen --invoice NR eller --set-off (exactly one)")
    if invoice is not None:
        number = _required(invoice, "--invoice", "F-2027-118")
        request = SettleRequest(method="invoice", invoice_number=number, actor=who)
    else:
        request = SettleRequest(method="set_off", actor=who)
    result = _case_update(case, recovery.settle, request, request_id)
    s = result.settlement
    assert s is not None
    how = f"faktura {s.invoice_number}" if s.method == "invoice" else "kvittning"
    typer.echo(
        f"Reglering (settlement): {result.case_id} · {how} · {format_sek(result.amount)} · "
        f"senast {s.payment_due.isoformat()}"
    )


@app.command("paid")
def paid(
    case: CaseArg,
    note: Annotated[str, value_option("--note", "TEXT", "Kommentar. (A note.)")] = "",
    actor: ActorOpt = None,
    request_id: RequestIdOpt = None,
) -> None:
    """Registrera att beloppet är betalt (eller kvittat); ärendet avslutas.
    (Record the payment or the set-off; the case closes.)"""
    who = _actor(actor)
    result = _case_update(
        case, recovery.paid, PaidRequest(note=note.strip(), actor=who), request_id
    )
    typer.echo(f"Betalt (paid): {result.case_id} · {format_sek(result.amount)} · ärendet avslutat")


def _case_update(
    case: str,
    update: Callable[[Client, str, R], Awaitable[RecoveryStatus]],
    request: R,
    request_id: str | None,
) -> RecoveryStatus:
    case_id = or_bad_input(lambda: recovery.parse_case(case))
    return _run_change(_settings(), lambda client: update(client, case_id, request), request_id)


# --- status and totals ---------------------------------------------------------------------------


def status_text(s: RecoveryStatus) -> str:
    """The readable form of `lov recovery status`."""
    out = [
        f"Återkrav {s.case_id} · {s.provider_name} ({s.org_nr}) · {STATE_SV[s.status]}",
        f"Arbetsflöde: {s.workflow_id}",
    ]
    if s.subject:
        out.append(f"Gäller: {s.subject}")
    out += ["Beräkning (som underrättad):", *_calculation(s.lines)]
    if s.adjusted_calculation:
        out += ["Beräkning (efter beslut):", *(f"  {t}" for t in s.adjusted_calculation)]
    out.append(f"Krävt: {format_sek(s.claimed_amount)} · att betala nu: {format_sek(s.amount)}")
    deadlines = []
    if s.response_due:
        deadlines.append(f"svar senast {s.response_due.isoformat()}")
    if s.settlement:
        deadlines.append(f"betalning senast {s.settlement.payment_due.isoformat()}")
    if s.payment_reminder_at:
        deadlines.append(f"påminnelse {s.payment_reminder_at.isoformat(timespec='minutes')}")
    if deadlines:
        out.append("Tidsfrister: " + " · ".join(deadlines))
    if s.response:
        r = s.response
        late = " (efter svarstiden)" if r.late else ""
        comment = f": {r.comment}" if r.comment else ""
        out.append(f"Svar: utföraren {RESPONSE_SV[r.outcome]}{comment}{late}")
    if s.decision:
        d = s.decision
        why = f" – {d.reason}" if d.reason else ""
        out.append(f"Beslut: {DECISION_SV[d.outcome]}, {format_sek(d.amount)}{why} ({d.actor})")
    if s.settlement:
        st = s.settlement
        how = f"faktura {st.invoice_number}" if st.method == "invoice" else "kvittning"
        out.append(f"Reglering: {how}, förfaller {st.payment_due.isoformat()}")
    out.append("Historik:")
    for step in s.steps:
        note = f" – {step.note}" if step.note else ""
        out.append(f"  {step.at.isoformat(timespec='seconds')} {step.step} ({step.actor}){note}")
    return "\n".join(out)


@app.command("status")
def status(case: CaseArg, as_json: JsonOpt = False) -> None:
    """Visa ärendet: rader, beräkning, svar, beslut, tidsfrister och historik.
    (Show the case: lines, calculation, response, decision, deadlines, history.)"""
    case_id = or_bad_input(lambda: recovery.parse_case(case))
    echo_status(
        _settings(), lambda client: recovery.recovery_status(client, case_id), as_json, status_text
    )


@app.command("totals")
def totals(
    org_nr: OrgNrFilterOpt = None,
    year: Annotated[
        int | None,
        value_option("--year", "ÅÅÅÅ", "Ett år (ärendets startår). (One year.)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Summor per utförare och år ur databasen: krävt, beslutat, betalt, kvar att betala.
    (Totals per provider and year from the records database.)"""
    org = _org_nr(org_nr) if org_nr is not None else None
    or_bad_input(lambda: recovery.check_year_filter(year))
    settings = _settings()
    found = run_query(lambda: recovery.totals(settings, org, year))
    if not echo_json_or_none(found, as_json, recovery.total_json, NO_CASES):
        return
    headers = ("Utförare", "År", "Ärenden", "Öppna", "Krävt", "Beslutat", "Betalt", "Kvar")
    rows = [
        (
            t.org_nr,
            str(t.year),
            str(t.cases),
            str(t.open_cases),
            format_sek(t.claimed),
            format_sek(t.decided),
            format_sek(t.paid),
            format_sek(t.outstanding),
        )
        for t in found
    ]
    echo_table(headers, rows, right=range(2, len(headers)))


@app.command("list")
def list_cases(
    plan: Annotated[
        str | None,
        plan_filter(
            "Ärenden hos utförare med avtal enligt planen. (Cases of providers on the plan.)"
        ),
    ] = None,
    org_nr: OrgNrFilterOpt = None,
    state: Annotated[str | None, state_option(s.value for s in RecoveryState)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Lista återkravsärenden ur databasen: läge, belopp och tidsfrister.
    (List recovery cases from the records database: state, amounts, deadlines.)"""
    org = _org_nr(org_nr) if org_nr is not None else None
    settings = _settings()
    found = run_query(lambda: recovery.list_cases(settings, plan=plan, org_nr=org, state=state))
    if not echo_json_or_none(found, as_json, lambda r: r.as_json(), NO_CASES):
        return
    headers = ("Ärende", "Utförare", "Namn", "Läge", "Krävt", "Att betala", "Frist")
    rows = []
    for r in found:
        c = r.case
        due = c.payment_due or (c.response_due if c.status == "noticed" else None)
        rows.append(
            (
                c.recovery_id,
                c.org_nr,
                r.provider_name,
                STATE_SV[RecoveryState(c.status)],
                format_sek(c.claimed_amount or Decimal(0)),
                format_sek(c.amount or Decimal(0)),
                due.isoformat() if due else "",
            )
        )
    echo_table(headers, rows, right=range(4, len(headers)))
    typer.echo(f"{len(found)} ärenden (cases)")
