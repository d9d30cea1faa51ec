"""Recovery (återkrav) actions as client calls, shared by `lov recovery` and the tests.

Case ids: `<org nr digits>-<year>-<nnn>`, e.g. `5560360793-2027-001`, numbered per provider and
year; the workflow id is `recovery-<case id>` (both built in models.ids). The number is
taken by starting the workflow under the next free id with a reject-duplicate policy, so
Temporal's workflow-id uniqueness is the counter: two administrators starting cases at the same
moment get different numbers, and no counter table is needed. The case id names the provider
(a company, not personal data), so every later command needs only the case id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.rendering import Renderer
from models.domain.calendar import CalendarRules
from models.domain.inputs import check_actor, check_year
from models.domain.money import ClaimLine, ClaimLineError, check_lines
from models.ids import CaseIdError, case_id_for, parse_case_id, recovery_workflow_id, search_value
from models.messages.recovery import (
    DecideRequest,
    PaidRequest,
    RecoveryInput,
    RecoveryStatus,
    RespondRequest,
    SettleRequest,
)
from models.plans.loader import PlanError, load_plan
from models.runtime import search_attributes as sa
from services import calls as actions
from services.calls import ActionError
from services.request_ids import current_request_id, start_memo, started_by
from workflows.recovery import RecoveryWorkflow

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
    contract = await actions.contract_status(client, org_nr)
    try:
        plan = load_plan(contract.plan_id, plans_dir)
    except PlanError as err:
        raise ActionError("plan", str(err)) from None
    if not Renderer(templates_dir).has(plan.language, "recovery-notice"):
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
                RecoveryWorkflow.run,
                RecoveryInput(case_id=case_id, **inp),
                id=wid,
                task_queue=task_queue,
                memo=start_memo(),
                # Closed cases keep their number too: a case id names one case forever.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=(
                    TypedSearchAttributes(
                        [
                            SearchAttributePair(sa.KIND, "recovery"),
                            SearchAttributePair(sa.ORG_NR, search_value(org_nr, ref)),
                            SearchAttributePair(sa.STATUS, "noticed"),
                        ]
                    )
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


def _handle(client: Client, case_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(recovery_workflow_id(parse_case(case_id)))


async def recovery_status(client: Client, case_id: str) -> RecoveryStatus:
    handle = _handle(client, case_id)
    try:
        result: RecoveryStatus = await handle.query(RecoveryWorkflow.status)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ActionError("case", f"no recovery case {case_id}") from None
        raise
    return result


async def _update(client: Client, case_id: str, update: Any, request: Any) -> RecoveryStatus:
    handle = _handle(client, case_id)
    try:
        await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ActionError("case", f"no recovery case {case_id}") from None
        raise
    result: RecoveryStatus = await actions._update(handle, update, request)
    return result


async def respond(client: Client, case_id: str, request: RespondRequest) -> RecoveryStatus:
    return await _update(client, case_id, RecoveryWorkflow.respond, request)


async def decide(client: Client, case_id: str, request: DecideRequest) -> RecoveryStatus:
    return await _update(client, case_id, RecoveryWorkflow.decide, request)


async def settle(client: Client, case_id: str, request: SettleRequest) -> RecoveryStatus:
    return await _update(client, case_id, RecoveryWorkflow.settle, request)


async def paid(client: Client, case_id: str, request: PaidRequest) -> RecoveryStatus:
    return await _update(client, case_id, RecoveryWorkflow.paid, request)
