"""Recovery (återkrav): every command and query on a case, for `lov recovery`, the desk and tests.

Commands: `open_case` (start, with the calculation and the response deadline), `respond`,
`decide`, `settle`, `paid` (Updates by name on `RecoveryWorkflow`). Queries: `recovery_status`
(the workflow), `list_cases` and `totals` (the records database). Claim lines typed as text
(`--line`, a CSV file) are parsed here, so every interface refuses the same lines the same way.

Case ids: `<org nr digits>-<year>-<nnn>`, e.g. `5560360793-2027-001`, numbered per provider and
year; the workflow id is `recovery-<case id>` (both built in models.ids). The number is
taken by starting the workflow under the next free id with a reject-duplicate policy, so
Temporal's workflow-id uniqueness is the counter: two administrators starting cases at the same
moment get different numbers, and no counter table is needed. The case id names the provider
(a company, not personal data), so every later command needs only the case id.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.domain.calendar import CalendarRules, next_business_day
from models.domain.date_text import iso_or_none
from models.domain.inputs import check_actor, check_year
from models.domain.money import ClaimLine, ClaimLineError, check_line, check_lines, parse_decimal
from models.ids import (
    CaseIdError,
    case_id_for,
    parse_case_id,
    recovery_workflow_id,
    search_value,
)
from models.messages.recovery import (
    DecideRequest,
    PaidRequest,
    RecoveryInput,
    RecoveryState,
    RecoveryStatus,
    RespondRequest,
    SettleRequest,
)
from models.plans.loader import PlanError, load_plan
from models.records.recoveries import (
    RecoveryLineRecord,
    RecoveryRecord,
    RecoveryStepRecord,
    RecoveryTotal,
)
from models.records.store import RecordStore
from models.runtime import search_attributes as sa
from models.runtime.settings import Settings
from models.runtime.templates import has_template
from services import calls as actions
from services.contracts import contract_status
from services.errors import ActionError
from services.filters import plan_filter, state_filter
from services.lookup import existing
from services.record_reads import read_records
from services.request_ids import current_request_id, start_memo, started_by

# The workflow, its Updates and its query, by the names history knows them by.
WORKFLOW = "RecoveryWorkflow"
STATUS_QUERY = "status"

MAX_CASES_PER_YEAR = 9999


def parse_case(text: str) -> str:
    """The case id from what was typed (the workflow id is accepted too), or ActionError."""
    try:
        return parse_case_id(text)
    except CaseIdError as err:
        raise ActionError("case", str(err)) from None


def check_claim_lines(lines: list[ClaimLine]) -> None:
    try:
        check_lines(lines)
    except ClaimLineError as err:
        raise ActionError(err.field, err.reason) from None


# --- claim lines typed as text ----------------------------------------------------------------

COLUMNS = ("period", "customer_ref", "hours_billed", "hours_approved", "hourly_rate")


def parse_line(cells: list[str], where: str) -> ClaimLine:
    """A claim line from its five cells; ActionError naming `where` (the line) and the column."""
    if len(cells) != len(COLUMNS):
        raise ActionError(
            where, f"{len(cells)} kolumner, väntade {len(COLUMNS)} ({', '.join(COLUMNS)})"
        )
    values: dict[str, Any] = {}
    try:
        for column, cell in zip(COLUMNS, cells, strict=True):
            if column in ("period", "customer_ref"):
                values[column] = cell.strip()
            else:
                values[column] = parse_decimal(cell, column)
        line = ClaimLine(**values)
        check_line(line)
    except ClaimLineError as err:
        raise ActionError(f"{where}, kolumn {err.field}", err.reason) from None
    return line


def lines_from_specs(specs: list[str], option: str = "--line") -> list[ClaimLine]:
    """One line per spec, `PERIOD,KUNDREF,FAKTURERADE,GODKÄNDA,TIMPRIS`; with `;` between the
    columns a decimal comma can be written. The n-th is named `<option> n` in an error."""
    lines = []
    for n, spec in enumerate(specs, 1):
        separator = ";" if ";" in spec else ","
        lines.append(parse_line(spec.split(separator), f"{option} {n}"))
    return lines


def lines_from_csv(text: str, source: str) -> list[ClaimLine]:
    """The lines of a CSV text with a header row (`,` or `;` separated); errors name `source`
    and the row number."""
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text))]
    if not rows:
        raise ActionError(source, "filen är tom (empty file)")
    header = [cell.strip().lower() for cell in rows[0]]
    if header != list(COLUMNS):
        raise ActionError(
            source,
            f"rad 1: rubrikraden ska vara {','.join(COLUMNS)} (header), fick {','.join(header)}",
        )
    lines = []
    for n, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines, e.g. at the end of a spreadsheet export
        lines.append(parse_line(row, f"{source}: rad {n}"))
    if not lines:
        raise ActionError(source, "inga rader efter rubrikraden (no claim lines)")
    return lines


def _delimiter(text: str) -> str:
    """Swedish spreadsheets export `;` (decimal commas); others `,`."""
    first = text.splitlines()[0] if text.strip() else ""
    return ";" if ";" in first else ","


def parse_amount(text: str, field: str) -> Decimal:
    """An amount in kronor as typed ("1200,50"), or ActionError naming `field`."""
    try:
        return parse_decimal(text, field)
    except ClaimLineError as err:
        raise ActionError(err.field, err.reason) from None


async def start_recovery(
    client: Client,
    task_queue: str,
    plans_dir: Path,
    templates_dir: Path,
    org_nr: str,
    lines: list[ClaimLine],
    year: int,
    actor: str,
    subject: str = "",
    search_attributes: bool = True,
) -> str:
    """Start a case for a provider with a contract; returns the case id. Nothing is started
    when the lines, the provider or its plan are not acceptable."""
    check_claim_lines(lines)
    # A start has no validator: the same rules as the Updates' (models.domain.inputs), here.
    try:
        check_actor(actor)
    except ValueError as err:
        raise ActionError("actor", str(err)) from None
    try:
        check_year(year)
    except ValueError as err:
        raise ActionError("year", str(err)) from None
    ref = actions.provider_ref(org_nr)
    contract = await contract_status(client, org_nr)
    try:
        plan = load_plan(contract.plan_id, plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    if not has_template(templates_dir, plan.language, "recovery-notice"):
        raise ActionError("plan", f"no recovery e-mail texts in language {plan.language!r}")
    inp: dict[str, Any] = {
        "org_nr": org_nr,
        "provider_name": contract.provider.name,
        "plan_id": plan.id,
        "language": plan.language,
        "calendar": CalendarRules(
            time_zone=plan.time_zone,
            holiday_calendar=plan.holiday_calendar,
            office_hours=plan.office_hours,
            reminder_offsets_days=(),
            escalation=(),
        ),
        "roles": plan.roles,
        "administrator_role": plan.administrator_role,
        "response_days": plan.response_days,
        "lines": lines,
        "subject": subject.strip(),
        "year": year,
        "actor": actor,
        "search_attributes": search_attributes,
    }
    request_id = current_request_id()
    for number in range(1, MAX_CASES_PER_YEAR + 1):
        case_id = case_id_for(org_nr, year, number, ref)
        wid = recovery_workflow_id(case_id)
        try:
            await client.start_workflow(
                WORKFLOW,
                RecoveryInput(case_id=case_id, **inp),
                id=wid,
                task_queue=task_queue,
                memo=start_memo(),
                # Closed cases keep their number too: a case id names one case forever.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=(
                    sa.at_start("recovery", search_value(org_nr, ref), "noticed")
                    if search_attributes
                    else None
                ),
            )
        except WorkflowAlreadyStartedError:
            # A number taken: by this request's earlier attempt (a retry, done), or another case.
            if await started_by(client.get_workflow_handle(wid), request_id):
                return case_id
            continue
        return case_id
    raise ActionError("case", f"{org_nr} already has {MAX_CASES_PER_YEAR} cases in {year}")


@dataclass(frozen=True)
class OpenedCase:
    """What the administrator is told once a case is started."""

    case_id: str
    workflow_id: str
    email: str  # where the notice goes
    response_due: date  # the provider's last day to respond


async def open_case(
    client: Client,
    settings: Settings,
    org_nr: str,
    lines: list[ClaimLine],
    actor: str,
    subject: str = "",
    today: date | None = None,
) -> OpenedCase:
    """Start a case in this year of the provider's plan (its time zone), and say where the
    notice goes and by when the provider must respond. `today` is the plan's today unless
    given: `lov simulate` gives its simulated day, which the wall clock knows nothing of."""
    check_claim_lines(lines)
    contract = await contract_status(client, org_nr)
    try:
        plan = load_plan(contract.plan_id, settings.plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    if today is None:
        today = datetime.now(ZoneInfo(plan.time_zone)).date()
    case_id = await start_recovery(
        client,
        settings.temporal_task_queue,
        settings.plans_dir,
        settings.templates_dir,
        org_nr,
        lines,
        year=today.year,
        actor=actor,
        subject=subject,
        search_attributes=settings.search_attributes,
    )
    # The workflow dates the deadline the same way (plan calendar, next business day).
    due = next_business_day(today + timedelta(days=plan.response_days), plan.holiday_calendar)
    return OpenedCase(case_id, recovery_workflow_id(case_id), contract.provider.email, due)


def _handle(client: Client, case_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(recovery_workflow_id(parse_case(case_id)))


async def recovery_status(client: Client, case_id: str) -> RecoveryStatus:
    handle = _handle(client, case_id)
    try:
        result: RecoveryStatus = await handle.query(STATUS_QUERY, result_type=RecoveryStatus)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ActionError("case", f"no recovery case {case_id}") from None
        raise
    return result


async def _update(client: Client, case_id: str, update: str, request: Any) -> RecoveryStatus:
    handle = await existing(_handle(client, case_id), "case", f"no recovery case {case_id}")
    return await actions.run_update(handle, update, request, RecoveryStatus)


async def respond(client: Client, case_id: str, request: RespondRequest) -> RecoveryStatus:
    return await _update(client, case_id, "respond", request)


async def decide(client: Client, case_id: str, request: DecideRequest) -> RecoveryStatus:
    return await _update(client, case_id, "decide", request)


async def settle(client: Client, case_id: str, request: SettleRequest) -> RecoveryStatus:
    return await _update(client, case_id, "settle", request)


async def paid(client: Client, case_id: str, request: PaidRequest) -> RecoveryStatus:
    return await _update(client, case_id, "paid", request)


# --- queries on the records database ------------------------------------------------------------


def check_year_filter(year: int | None) -> int | None:
    if year is not None and not 2000 <= year <= 2100:
        raise ActionError("--year", f"ett år 2000–2100 (a year), fick {year}")
    return year


async def totals(
    settings: Settings, org_nr: str | None = None, year: int | None = None
) -> list[RecoveryTotal]:
    """Per provider and year: cases, claimed, decided, paid, outstanding (Decimal sums)."""
    check_year_filter(year)
    return await read_records(
        settings.require_records(), RecordStore, lambda s: s.recovery_totals(org_nr, year)
    )


def total_json(t: RecoveryTotal) -> dict[str, Any]:
    return {
        "org_nr": t.org_nr,
        "year": t.year,
        "cases": t.cases,
        "open_cases": t.open_cases,
        "withdrawn_cases": t.withdrawn_cases,
        # Strings, so that no JSON reader turns kronor into binary floating point.
        "claimed": str(t.claimed),
        "decided": str(t.decided),
        "paid": str(t.paid),
        "outstanding": str(t.outstanding),
    }


@dataclass(frozen=True)
class CaseRow:
    """One case in `list_cases`: its state and amounts from the records database."""

    case: RecoveryRecord
    provider_name: str

    def as_json(self) -> dict[str, Any]:
        """Stable keys; amounts as strings (no binary floating point), dates ISO."""
        c = self.case
        return {
            "case_id": c.recovery_id,
            "workflow_id": c.workflow_id,
            "org_nr": c.org_nr,
            "provider_name": self.provider_name,
            "year": c.year,
            "state": c.status,
            "claimed_amount": None if c.claimed_amount is None else str(c.claimed_amount),
            "amount": None if c.amount is None else str(c.amount),
            "response": c.response,
            "response_due": iso_or_none(c.response_due),
            "decision": c.decision,
            "settlement": c.settlement,
            "invoice_number": c.invoice_number,
            "payment_due": iso_or_none(c.payment_due),
            "paid_at": iso_or_none(c.paid_at),
            "opened_at": iso_or_none(c.created_at),
            "updated_at": iso_or_none(c.updated_at),
        }


async def list_cases(
    settings: Settings,
    *,
    plan: str | None = None,
    org_nr: str | None = None,
    state: str | None = None,
) -> list[CaseRow]:
    """The cases, oldest year first; filters checked before the database is read."""
    plan_id = plan_filter(plan, settings.plans_dir)
    status = state_filter(state, [s.value for s in RecoveryState])

    async def read(store: RecordStore) -> list[CaseRow]:
        names = await store.provider_names()
        cases = await store.list_recoveries(org_nr, status=status, plan_id=plan_id)
        return [CaseRow(c, names.get(c.org_nr, "")) for c in cases]

    return await read_records(settings.require_records(), RecordStore, read)


async def open_cases(store: RecordStore) -> list[CaseRow]:
    """Cases neither paid nor withdrawn, oldest year first: the start page's list, read on the
    desk's own store."""
    names = await store.provider_names()
    cases = await store.list_recoveries()
    return [
        CaseRow(c, names.get(c.org_nr, "")) for c in cases if not RecoveryState(c.status).terminal
    ]


async def all_cases(store: RecordStore) -> list[CaseRow]:
    """Every case, oldest year first: the desk's list (open and closed), on its own store."""
    names = await store.provider_names()
    return [CaseRow(c, names.get(c.org_nr, "")) for c in await store.list_recoveries()]


@dataclass(frozen=True)
class CasePage:
    """One case as the records hold it: state, the lines as noticed and as adjusted, and every
    step with its actor (the case's history). From the records, so it reads while Temporal is
    down."""

    case: RecoveryRecord
    provider_name: str
    lines: list[RecoveryLineRecord]
    adjusted_lines: list[RecoveryLineRecord]
    steps: list[RecoveryStepRecord]

    @property
    def state(self) -> RecoveryState:
        return RecoveryState(self.case.status)


async def case_page(store: RecordStore, case: str) -> CasePage:
    """The case `case` names (a case id or its workflow id); ActionError("case") if none."""
    case_id = parse_case(case)
    found = await store.get_recovery(case_id)
    if found is None:
        raise ActionError("case", f"inget återkrav {case_id} (no recovery case)")
    names = await store.provider_names()
    lines = await store.list_recovery_lines(case_id)
    return CasePage(
        case=found,
        provider_name=names.get(found.org_nr, ""),
        lines=[line for line in lines if line.revision == 0],
        adjusted_lines=[line for line in lines if line.revision == 1],
        steps=await store.list_recovery_steps(case_id),
    )
