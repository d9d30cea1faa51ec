"""Obligation occurrences of a contract: read one, submit, review, waive, extend; and what a
submission for an obligation needs.

An occurrence is addressed by org nr, obligation key and period; its workflow's Query and
Updates are called by their names in history (no workflow module is loaded here). A rejected
Update raises `ActionError(field, message)` and has changed nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle

from models.domain.file_input import MAX_DOCUMENT_BYTES
from models.domain.submission import (
    FIELD_RULES,
    SubmissionError,
    check_submission,
    field_limits,
    parse_fields,
)
from models.ids import contract_id_part, obligation_workflow_id
from models.messages.contract import ContractStatus
from models.messages.obligation import (
    DocumentRef,
    ExtendRequest,
    ObligationState,
    ObligationStatus,
    ReviewRequest,
    SubmitRequest,
    WaiveRequest,
)
from models.plans.loader import PlanError, load_plan
from models.plans.schema import Obligation, Plan
from services.calls import run_update
from services.contracts import contract_status
from services.errors import ActionError
from services.lookup import describe_or_none

# The obligation workflow's Query and Updates, by the names in its history.
STATUS_QUERY = "status"
SUBMIT = "submit"
REVIEW = "review"
WAIVE = "waive"
EXTEND = "extend"


async def obligation_handle(
    client: Client, org_nr: str, obligation: str, period: str
) -> WorkflowHandle[Any, Any]:
    """The workflow of `obligation` for `period` under the provider's contract; ActionError
    naming the obligation or period (with the known ones) if there is none."""
    status = await contract_status(client, org_nr)
    if obligation not in status.obligations:
        known = ", ".join(sorted(status.obligations)) or "none yet"
        raise ActionError(
            "obligation", f"{obligation!r} is not an obligation of {org_nr} ({known})"
        )
    # Named as the contract names its obligations: by the id part of the contract's own id
    # (the opaque key, or the digits for a company and for a contract from before the key).
    part = contract_id_part(status.workflow_id)
    handle = client.get_workflow_handle(obligation_workflow_id(org_nr, obligation, period, part))
    if await describe_or_none(handle) is None:
        summary = status.obligations[obligation]
        periods = [i.period for i in summary.open + summary.overdue + summary.done]
        raise ActionError(
            "period", f"{obligation} has no period {period!r} (known: {', '.join(periods)})"
        )
    return handle


async def obligation_status(
    client: Client, org_nr: str, obligation: str, period: str
) -> ObligationStatus:
    handle = await obligation_handle(client, org_nr, obligation, period)
    result: ObligationStatus = await handle.query(STATUS_QUERY, result_type=ObligationStatus)
    return result


async def _update(
    client: Client, org_nr: str, obligation: str, period: str, update: str, request: BaseModel
) -> ObligationStatus:
    handle = await obligation_handle(client, org_nr, obligation, period)
    return await run_update(handle, update, request, ObligationStatus)


async def submit(
    client: Client, org_nr: str, obligation: str, period: str, request: SubmitRequest
) -> ObligationStatus:
    return await _update(client, org_nr, obligation, period, SUBMIT, request)


async def review(
    client: Client, org_nr: str, obligation: str, period: str, request: ReviewRequest
) -> ObligationStatus:
    return await _update(client, org_nr, obligation, period, REVIEW, request)


async def waive(
    client: Client, org_nr: str, obligation: str, period: str, request: WaiveRequest
) -> ObligationStatus:
    return await _update(client, org_nr, obligation, period, WAIVE, request)


async def extend(
    client: Client, org_nr: str, obligation: str, period: str, request: ExtendRequest
) -> ObligationStatus:
    return await _update(client, org_nr, obligation, period, EXTEND, request)


# --- a submission checked against the plan before it is sent --------------------------------


@dataclass(frozen=True, slots=True)
class Submitted:
    """The outcome of `submit_checked`: the contract, its plan (None if it cannot be read
    here, with the reason in `plan_error`) and the occurrence after the submission."""

    contract: ContractStatus
    plan: Plan | None
    plan_error: str | None
    result: ObligationStatus

    def receipt_to(self, obligation: str) -> list[str]:
        """Who gets the receipt: the provider, and the obligation's recipient in the plan."""
        emails = [self.contract.provider.email]
        if self.plan is not None:
            try:
                emails.append(self.plan.role_email(self.plan.obligation(obligation).recipient))
            except KeyError:
                pass
        return emails


def _same_version(plan: Plan, status: ContractStatus, period: str) -> bool:
    """The checks apply only when this plan file is the version the item's year runs on."""
    try:
        year = int(period[:4])
    except ValueError:
        return False
    recorded = status.plan_versions.get(year)
    return recorded is None or recorded == plan.version


def _checked_obligation(
    plan: Plan | None, status: ContractStatus, item: ObligationStatus
) -> Obligation | None:
    """The plan's obligation the submission is checked against here, or None when this plan
    file is not the one the item runs on or the item takes no submission (then the workflow's
    validator says why)."""
    if plan is None or not _same_version(plan, status, item.period):
        return None
    if item.status.terminal or item.status is ObligationState.SUBMITTED:
        return None
    try:
        return plan.obligation(item.obligation)
    except KeyError:
        return None


def precheck(
    plan: Plan | None,
    status: ContractStatus,
    item: ObligationStatus,
    fields: dict[str, Any],
    documents: list[DocumentRef],
) -> Obligation | None:
    """Check a submission with the plan's rules, for a clear error before anything is sent.
    The Update validator in the workflow is the authority; this only refuses earlier."""
    ob = _checked_obligation(plan, status, item)
    if plan is None or ob is None:
        return None
    try:
        check_submission(ob, fields, documents, plan.language)
    except SubmissionError as err:
        field, _, rest = str(err).partition(": ")
        raise (ActionError(field, rest) if rest else ActionError("request", str(err))) from None
    return ob


async def submit_checked(
    client: Client,
    org_nr: str,
    obligation: str,
    period: str,
    request: SubmitRequest,
    plans_dir: Path,
) -> Submitted:
    """`submit`, after reading the request's values by the plan's field types (a count "42",
    a yes/no "ja") and checking it against the contract's plan where that can be read."""
    contract = await contract_status(client, org_nr)
    item = await obligation_status(client, org_nr, obligation, period)
    plan: Plan | None = None
    plan_error: str | None = None
    try:
        plan = load_plan(contract.plan_id, plans_dir)
    except PlanError as err:
        plan_error = str(err)
    fields = parse_fields(_checked_obligation(plan, contract, item), request.fields)
    request = request.model_copy(update={"fields": fields})
    precheck(plan, contract, item, request.fields, request.documents)
    result = await submit(client, org_nr, obligation, period, request)
    return Submitted(contract=contract, plan=plan, plan_error=plan_error, result=result)


# --- what a submission needs ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldNeed:
    key: str
    title: str
    type: str
    unit: str
    required: bool
    limits: str


@dataclass(frozen=True, slots=True)
class DocumentNeed:
    key: str
    title: str
    required: bool
    limits: str


@dataclass(frozen=True, slots=True)
class Requirements:
    """What a submission for one obligation of one plan must hold."""

    plan_id: str
    plan_version: str
    obligation: str
    title: str
    fields: list[FieldNeed]
    documents: list[DocumentNeed]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def requirements(plan_ref: str, obligation: str, plans_dir: Path) -> Requirements:
    """The fields (type, unit, limits) and documents a submission for `obligation` needs under
    the plan `plan_ref`. ActionError("plan") if the plan cannot be read, ActionError
    ("obligation") naming the plan's obligations if it has no such one."""
    try:
        plan = load_plan(plan_ref, plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    try:
        ob = plan.obligation(obligation)
    except KeyError:
        known = ", ".join(o.key for o in plan.obligations)
        raise ActionError(
            "obligation",
            f"{obligation!r} är ingen skyldighet i planen {plan.id} (not an obligation of the "
            f"plan); finns: {known}",
        ) from None
    limit = f"en vanlig fil, högst {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
    return Requirements(
        plan_id=plan.id,
        plan_version=plan.version,
        obligation=ob.key,
        title=ob.title,
        fields=[
            FieldNeed(
                key=f.key,
                title=f.title,
                type=f.type,
                unit=FIELD_RULES[f.type][0],
                required=f.required,
                limits=field_limits(ob, f),
            )
            for f in ob.fields
        ],
        documents=[
            DocumentNeed(key=d.key, title=d.title, required=d.required, limits=limit)
            for d in ob.documents
        ],
    )
