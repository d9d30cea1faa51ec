"""Findings (brister): every command and query on a finding, for `lov finding`, the desk and
tests.

Commands: `register_finding` (start the workflow: notice with kommunicering), `respond`,
`request_action_plan`, `submit_action_plan`, `verify`, `decide`, `close` (Updates by name on
`FindingWorkflow`). Queries: `finding_status` (the workflow), `list_findings` and
`finding_page` (the records database). Each command checks what it can here, naming the field,
before anything is started or sent; the workflow's validators check the rest against its state
(kommunicering done, the åtgärdsplan's limits) and refuse with the same one-line form.

Finding ids: `<org nr digits>-<year>-<nnn>`, numbered per provider and year like recovery
cases; the workflow id is `finding-<finding id>` (models.ids). The number is taken by starting
under the next free id with a reject-duplicate policy, so no counter table is needed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast, get_args
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.domain.calendar import CalendarRules, next_business_day
from models.domain.date_text import iso_or_none
from models.domain.inputs import check_actor
from models.domain.money import ClaimLineError, parse_decimal
from models.domain.sanctions import AMOUNT_KINDS, LADDER_ORDER, SanctionKind, amount_problem
from models.domain.spreadsheet import csv_cell
from models.ids import (
    FindingIdError,
    finding_id_for,
    finding_workflow_id,
    parse_finding_id,
    search_value,
)
from models.messages.contract import ContractStatus
from models.messages.finding import (
    ActionPlanRequest,
    CloseRequest,
    DecideRequest,
    FindingInput,
    FindingState,
    FindingStatus,
    LadderStep,
    RespondRequest,
    Severity,
    Source,
    SubmitActionPlanRequest,
    VerifyRequest,
)
from models.messages.obligation import DocumentRef, ObligationStatus, ReviewRequest
from models.plans.findings import Findings, Requirement, requirement_title
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Plan
from models.records.findings import FindingDecisionRecord, FindingRecord, FindingStepRecord
from models.records.store import RecordStore
from models.runtime import search_attributes as sa
from models.runtime.settings import Settings
from models.runtime.templates import has_template
from services import calls as actions
from services import obligations
from services.contracts import contract_status
from services.errors import ActionError
from services.filters import plan_filter, state_filter
from services.lookup import existing
from services.record_reads import read_records
from services.request_ids import current_request_id, start_memo, started_by

WORKFLOW = "FindingWorkflow"
STATUS_QUERY = "status"
MAX_FINDINGS_PER_YEAR = 9999
# What was found and its evidence are free text, but an e-mail is no place for a whole report.
MAX_TEXT = 4000

SEVERITIES: tuple[str, ...] = get_args(Severity)
SOURCES: tuple[str, ...] = get_args(Source)
# What a person may type for a sanction kind (the plan keys, and the words with å/ä/ö).
KIND_WORDS = {
    "pafpekande": "pafpekande",
    "påpekande": "pafpekande",
    "prisavdrag": "prisavdrag",
    "vite": "vite",
    "havning": "havning",
    "hävning": "havning",
}


def parse_finding(text: str) -> str:
    """The finding id from what was typed (the workflow id too), or ActionError."""
    try:
        return parse_finding_id(text)
    except FindingIdError as err:
        raise ActionError("finding", str(err)) from None


def parse_kind(text: str) -> SanctionKind:
    kind = KIND_WORDS.get(text.strip().lower())
    if kind is None:
        raise ActionError("kind", f"one of {', '.join(LADDER_ORDER)}, got {text.strip()!r}")
    return cast(SanctionKind, kind)


def parse_amount(text: str, field: str = "amount") -> Decimal:
    """An amount in kronor as typed ("5000", "1 200,50"): a positive sum, at most two
    decimals; ActionError naming `field`."""
    try:
        value = parse_decimal(text, field)
    except ClaimLineError as err:
        raise ActionError(err.field, err.reason) from None
    check_amount(value, field)
    return value


def check_amount(value: Decimal, field: str = "amount") -> None:
    problem = amount_problem(value)
    if problem:
        raise ActionError(field, problem)


def _text(value: str, field: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise ActionError(field, "must not be empty")
    if len(value) > MAX_TEXT:
        raise ActionError(field, f"at most {MAX_TEXT} characters, got {len(value)}")
    return value


def _actor(actor: str) -> None:
    try:
        check_actor(actor)
    except ValueError as err:
        raise ActionError("actor", str(err)) from None


@dataclass(frozen=True)
class RegisteredFinding:
    """What the administrator is told once a finding is registered."""

    finding_id: str
    workflow_id: str
    email: str  # where the notice goes
    response_due: date  # the provider's last day to respond (kommunicering)
    requirement_title: str


@dataclass(frozen=True)
class _Cited:
    """The provider's contract, its plan's [findings] and the requirement a finding cites."""

    contract: ContractStatus
    plan: Plan
    findings: Findings
    requirement: Requirement


async def _cited(
    client: Client, settings: Settings, org_nr: str, requirement: str, field: str
) -> _Cited:
    """The requirement `requirement` of the provider's plan, or ActionError naming `field`."""
    contract = await contract_status(client, org_nr)
    try:
        plan = load_plan(contract.plan_id, settings.plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    req = check_requirement(plan, requirement, field)
    found = plan.findings
    assert found is not None
    if not has_template(settings.templates_dir, plan.language, "finding-notice"):
        raise ActionError("plan", f"no finding e-mail texts in language {plan.language!r}")
    return _Cited(contract, plan, found, req)


def check_register_input(
    severity: str, source: str, what: str, evidence: str, actor: str
) -> tuple[str, str]:
    """What a registration needs apart from the provider's plan: the actor, a known severity
    and source, what was found; (what, evidence) stripped, or ActionError naming the field."""
    _actor(actor)
    if severity not in SEVERITIES:
        raise ActionError("severity", f"one of {', '.join(SEVERITIES)}, got {severity!r}")
    if source not in SOURCES:
        raise ActionError("source", f"one of {', '.join(SOURCES)}, got {source!r}")
    return _text(what, "what"), _text(evidence, "evidence", required=False)


def check_requirement(plan: Plan, requirement: str, field: str = "requirement") -> Requirement:
    """The requirement `requirement` of `plan`'s [findings], or ActionError naming `field`
    (`lov simulate` checks a scenario's findings against its plan before anything runs)."""
    found = plan.findings
    if found is None:
        raise ActionError("plan", f"the plan {plan.id} has no [findings] section")
    req = found.requirement(requirement.strip())
    if req is None:
        known = ", ".join(r.key for r in found.requirements)
        raise ActionError(
            field, f"not a requirement of the plan {plan.id}: {requirement!r} ({known})"
        )
    return req


async def register_finding(
    client: Client,
    settings: Settings,
    org_nr: str,
    *,
    requirement: str,
    severity: str,
    source: str,
    what: str,
    evidence: str = "",
    actor: str,
    today: date | None = None,
    taken: Collection[str] = (),
) -> RegisteredFinding:
    """Register a finding against a provider with a contract, which starts its workflow (the
    notice with kommunicering). Nothing is started when any field is not acceptable. `today`
    is the plan's today unless given (`lov simulate` and tests give their simulated day).
    `taken`: finding ids this request has registered already (several in one request)."""
    what, evidence = check_register_input(severity, source, what, evidence, actor)
    ref = actions.provider_ref(org_nr)
    cited = await _cited(client, settings, org_nr, requirement, "requirement")
    plan, findings, req, contract = cited.plan, cited.findings, cited.requirement, cited.contract
    if today is None:
        today = datetime.now(ZoneInfo(plan.time_zone)).date()
    skallkrav = {k.key: k.title for k in plan.skallkrav}
    title = requirement_title(findings, skallkrav, req.key)
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
        "decider_role": findings.decider_role or plan.administrator_role,
        "procedure": findings.procedure,
        "requirement": req.key,
        "requirement_title": title,
        "requirement_reference": req.reference,
        "severity": severity,
        "source": source,
        "what": what,
        "evidence": evidence,
        "response_days": findings.response_days,
        "action_plan_min_days": findings.action_plan_min_days,
        "action_plan_max_days": findings.action_plan_max_days,
        "reminder_days": findings.reminder_days,
        "sanctions": [
            LadderStep(
                kind=s.kind,
                title=s.title,
                amount=s.amount,
                notify=list(s.notify),
                collect=s.collect,
            )
            for s in findings.sanctions
        ],
        "year": today.year,
        "actor": actor,
        "search_attributes": settings.search_attributes,
    }
    request_id = current_request_id()
    for number in range(1, MAX_FINDINGS_PER_YEAR + 1):
        finding_id = finding_id_for(org_nr, today.year, number, ref)
        wid = finding_workflow_id(finding_id)
        try:
            await client.start_workflow(
                WORKFLOW,
                FindingInput(finding_id=finding_id, **inp),
                id=wid,
                task_queue=settings.temporal_task_queue,
                memo=start_memo(),
                # Closed findings keep their number too: an id names one finding forever.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=(
                    sa.at_start("finding", search_value(org_nr, ref), "noticed")
                    if settings.search_attributes
                    else None
                ),
            )
        except WorkflowAlreadyStartedError:
            # A number taken: by this request's earlier attempt (a retry, done), or another.
            if finding_id not in taken and await started_by(
                client.get_workflow_handle(wid), request_id
            ):
                break
            continue
        break
    else:
        raise ActionError(
            "finding", f"{org_nr} already has {MAX_FINDINGS_PER_YEAR} findings in {today.year}"
        )
    # The workflow dates the deadline the same way (plan calendar, next business day).
    due = next_business_day(today + timedelta(days=findings.response_days), plan.holiday_calendar)
    return RegisteredFinding(finding_id, wid, contract.provider.email, due, title)


# --- findings from a submission's review (`lov contract review --accept --finding …`) -----------


@dataclass(frozen=True)
class FindingSpec:
    """A finding as typed with a review: the requirement it cites and what was found."""

    requirement: str
    what: str


def parse_finding_spec(text: str, option: str = "--finding") -> FindingSpec:
    """`KRAV: what was found`, or ActionError naming `option`."""
    requirement, colon, what = text.partition(":")
    if not colon or not requirement.strip() or not what.strip():
        raise ActionError(
            option, 'write KRAV: what was found, e.g. "care-plans: Genomförandeplaner saknas"'
        )
    return FindingSpec(requirement.strip(), _text(what, option))


async def accept_with_findings(
    client: Client,
    settings: Settings,
    org_nr: str,
    obligation: str,
    period: str,
    request: ReviewRequest,
    specs: Sequence[FindingSpec],
    today: date | None = None,
) -> tuple[ObligationStatus, list[RegisteredFinding]]:
    """Accept a submission with findings: the review, then one finding per spec (source
    review, the submission as its evidence). Every spec is checked against the plan first, so a
    bad one leaves the submission unreviewed and starts nothing."""
    if request.outcome != "accept":
        raise ActionError("--finding", "only with --accept (accept with findings)")
    _actor(request.actor)
    for n, spec in enumerate(specs, 1):
        await _cited(client, settings, org_nr, spec.requirement, f"--finding {n}")
    reviewed = await obligations.review(client, org_nr, obligation, period, request)
    found: list[RegisteredFinding] = []
    for spec in specs:
        found.append(
            await register_finding(
                client,
                settings,
                org_nr,
                requirement=spec.requirement,
                severity="medium",
                source="review",
                what=spec.what,
                evidence=f"{reviewed.title} {reviewed.period}",
                actor=request.actor,
                today=today,
                taken=[f.finding_id for f in found],
            )
        )
    return reviewed, found


def _handle(client: Client, finding_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(finding_workflow_id(parse_finding(finding_id)))


async def finding_status(client: Client, finding_id: str) -> FindingStatus:
    handle = _handle(client, finding_id)
    try:
        result: FindingStatus = await handle.query(STATUS_QUERY, result_type=FindingStatus)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ActionError("finding", f"no finding {finding_id}") from None
        raise
    return result


async def _update(client: Client, finding_id: str, update: str, request: Any) -> FindingStatus:
    handle = await existing(_handle(client, finding_id), "finding", f"no finding {finding_id}")
    return await actions.run_update(handle, update, request, FindingStatus)


async def respond(client: Client, finding_id: str, request: RespondRequest) -> FindingStatus:
    _text(request.comment, "comment")
    return await _update(client, finding_id, "respond", request)


async def request_action_plan(
    client: Client, finding_id: str, request: ActionPlanRequest
) -> FindingStatus:
    _text(request.note, "note", required=False)
    return await _update(client, finding_id, "request_action_plan", request)


async def submit_action_plan(
    client: Client, finding_id: str, request: SubmitActionPlanRequest
) -> FindingStatus:
    _text(request.summary, "summary")
    return await _update(client, finding_id, "submit_action_plan", request)


def action_plan_text(summary: str, documents: Sequence[DocumentRef] = ()) -> str:
    """What an åtgärdsplan says, with the documents sent with it named by their SHA-256 (the
    document store holds them under that name, services/finding_views.plan_documents reads
    them back), within the finding's text limit."""
    text = _text(summary, "summary")
    if documents:
        named = "\n".join(f"- {d.filename} (SHA-256 {d.sha256})" for d in documents)
        text = f"{text}\n\nDokument:\n{named}"
    return _text(text, "summary")


async def verify(client: Client, finding_id: str, request: VerifyRequest) -> FindingStatus:
    _text(request.note, "note", required=request.outcome == "not_remedied")
    return await _update(client, finding_id, "verify", request)


def check_decision(request: DecideRequest) -> None:
    """What a decision needs regardless of the finding's state: a reason, and an amount only
    for a prisavdrag or vite, a positive sum in kronor (the workflow checks the rest:
    kommunicering done, the kind on the plan's ladder, the plan's default amount)."""
    _text(request.reason, "reason")
    if request.amount is not None:
        if request.kind not in AMOUNT_KINDS:
            raise ActionError("amount", f"a {request.kind} has no amount")
        check_amount(request.amount)


async def decide(client: Client, finding_id: str, request: DecideRequest) -> FindingStatus:
    check_decision(request)
    return await _update(client, finding_id, "decide", request)


async def close(client: Client, finding_id: str, request: CloseRequest) -> FindingStatus:
    _text(request.reason, "reason")
    return await _update(client, finding_id, "close", request)


# --- queries on the records database ------------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    finding: FindingRecord
    provider_name: str

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "finding_id": f.finding_id,
            "workflow_id": f.workflow_id,
            "org_nr": f.org_nr,
            "provider_name": self.provider_name,
            "plan": f.plan_id,
            "year": f.year,
            "state": f.status,
            "requirement": f.requirement,
            "severity": f.severity,
            "source": f.source,
            "what": f.what,
            "round": f.round,
            "response_due": iso_or_none(f.response_due),
            "action_plan_due": iso_or_none(f.action_plan_due),
            "last_decision": f.last_decision,
            # A string, so no JSON reader turns kronor into binary floating point.
            "sanctioned_amount": (
                None if f.sanctioned_amount is None else str(f.sanctioned_amount)
            ),
            "opened_at": iso_or_none(f.created_at),
            "updated_at": iso_or_none(f.updated_at),
        }


async def list_findings(
    settings: Settings,
    *,
    plan: str | None = None,
    org_nr: str | None = None,
    state: str | None = None,
) -> list[FindingRow]:
    """The findings, oldest year first; filters checked before the database is read."""
    plan_id = plan_filter(plan, settings.plans_dir)
    status = state_filter(state, [s.value for s in FindingState])

    async def read(store: RecordStore) -> list[FindingRow]:
        names = await store.provider_names()
        found = await store.list_findings(org_nr, status=status, plan_id=plan_id)
        return [FindingRow(f, names.get(f.org_nr, "")) for f in found]

    return await read_records(settings.require_records(), RecordStore, read)


@dataclass(frozen=True)
class FindingPage:
    """One finding as the records hold it: state, every step and every decision."""

    finding: FindingRecord
    provider_name: str
    steps: list[FindingStepRecord]
    decisions: list[FindingDecisionRecord]


async def finding_page(store: RecordStore, finding: str) -> FindingPage:
    finding_id = parse_finding(finding)
    found = await store.get_finding(finding_id)
    if found is None:
        raise ActionError("finding", f"no finding {finding_id}")
    names = await store.provider_names()
    return FindingPage(
        finding=found,
        provider_name=names.get(found.org_nr, ""),
        steps=await store.list_finding_steps(finding_id),
        decisions=await store.list_finding_decisions(finding_id),
    )


# The workflow's steps that open a kommunicering (workflows/finding.py), and the states in
# which an åtgärdsplan is asked for (also after its due date).
OPENS_KOMMUNICERING = ("noticed", "action-plan-late", "verified-not-remedied")
PLAN_STATES = (FindingState.ACTION_PLAN_REQUESTED, FindingState.ACTION_PLAN_LATE)


def awaits_response(page: FindingPage) -> bool:
    """A kommunicering waits for the provider's response, as the `respond` validator asks:
    the finding open and its latest kommunicering (opened by the notice, a late åtgärdsplan or
    a failed verification) not yet answered."""
    if FindingState(page.finding.status).terminal:
        return False
    for step in reversed(page.steps):
        if step.step == "response":
            return False
        if step.step in OPENS_KOMMUNICERING:
            return True
    return False


def awaits_action_plan(page: FindingPage) -> bool:
    """An åtgärdsplan is asked for, as the `submit_action_plan` validator asks."""
    return FindingState(page.finding.status) in PLAN_STATES


async def show_finding(settings: Settings, finding: str) -> FindingPage:
    """`finding_page` on the configured records database (the CLI's `show`)."""
    finding_id = parse_finding(finding)
    return await read_records(
        settings.require_records(), RecordStore, lambda s: finding_page(s, finding_id)
    )


# --- sanctions handed to the finance system ------------------------------------------------------

SANCTION_COLUMNS = (
    "org_nr",
    "provider_name",
    "finding_id",
    "kind",
    "amount",
    "decided",
    "reason",
    "invoice_reference",
)


@dataclass(frozen=True)
class SanctionRow:
    """A decided prisavdrag or vite the plan hands to invoicing (`collect = "invoice"`)."""

    org_nr: str
    provider_name: str
    finding_id: str
    plan_id: str
    kind: str
    title: str
    amount: Decimal
    decided: date  # in the plan's time zone
    reason: str
    invoice_reference: str

    def cells(self) -> list[str]:
        """One CSV row: the amount a plain decimal string (no thousands separator, a point),
        so the finance system reads kronor exactly."""
        return [
            self.org_nr,
            self.provider_name,
            self.finding_id,
            self.kind,
            str(self.amount),
            self.decided.isoformat(),
            self.reason,
            self.invoice_reference,
        ]

    def as_json(self) -> dict[str, Any]:
        return {**dict(zip(SANCTION_COLUMNS, self.cells(), strict=True)), "plan": self.plan_id}


def sanctions_csv(rows: Sequence[SanctionRow]) -> str:
    """The rows as CSV with a header; cells a spreadsheet would read as a formula are quoted
    as text (models.domain.spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SANCTION_COLUMNS)
    for row in rows:
        writer.writerow(csv_cell(cell) for cell in row.cells())
    return out.getvalue()


async def sanctions_for_invoicing(
    settings: Settings, *, plan: str | None = None, since: date | None = None
) -> list[SanctionRow]:
    """`sanction_rows` on the configured records database (the CLI's `sanctions`); the
    filters are checked before the database is read."""
    plan_id = plan_filter(plan, settings.plans_dir)
    return await read_records(
        settings.require_records(),
        RecordStore,
        lambda store: sanction_rows(store, settings, plan_id=plan_id, since=since),
    )


async def sanction_rows(
    store: RecordStore, settings: Settings, *, plan_id: str | None, since: date | None
) -> list[SanctionRow]:
    """The decisions to invoice, oldest first: those recorded with `collect = "invoice"`
    (the plan's setting when the finding was opened), decided on or after `since` (a date
    in the plan's time zone)."""
    names = await store.provider_names()
    findings = {f.finding_id: f for f in await store.list_findings(plan_id=plan_id)}
    zones: dict[str, ZoneInfo] = {}
    rows = []
    for d in await store.list_amount_decisions():
        found = findings.get(d.finding_id)
        if found is None or d.amount is None or d.details.get("collect") != "invoice":
            continue
        if found.plan_id not in zones:
            zones[found.plan_id] = _plan_zone(found.plan_id, settings)
        decided = _aware(d.at).astimezone(zones[found.plan_id]).date()
        if since is not None and decided < since:
            continue
        rows.append(
            SanctionRow(
                org_nr=d.org_nr,
                provider_name=names.get(d.org_nr, ""),
                finding_id=d.finding_id,
                plan_id=found.plan_id,
                kind=d.kind,
                title=d.title,
                amount=d.amount,
                decided=decided,
                reason=d.reason,
                invoice_reference=str(d.details.get("invoice_reference", "")),
            )
        )
    return rows


def _plan_zone(plan_id: str, settings: Settings) -> ZoneInfo:
    """The plan's time zone; UTC for a plan no longer in the plans directory."""
    try:
        return ZoneInfo(load_plan(plan_id, settings.plans_dir).time_zone)
    except PlanError:
        return ZoneInfo("UTC")


def _aware(at: datetime) -> datetime:
    """The records database may hand back naive UTC datetimes (SQLite)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo("UTC"))
