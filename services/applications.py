"""Application actions as client calls, shared by `lov application` and the tests.

One open application per org nr is the server's rule, not ours: the n-th application has the
workflow id `application-<orgnr>-<n>`, where n is one more than the number of closed ones, and ids
are never reused. While application n is open a second submission computes the same id and the
server refuses to start it; two concurrent submissions cannot both win either. A retry of the
same submission (same `--request-id`, kept in the memo) is recognised first and lands on the
application its earlier attempt started.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.ids import (
    ApplicationRefError,
    application_workflow_id,
    parse_application_id,
    search_value,
)
from models.messages.application import (
    ApplicationInput,
    ApplicationStatus,
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
)
from models.runtime import search_attributes as sa
from services.calls import (
    ActionError,
    _update,
    checked,
    contract_ids,
    provider_ref,
    wait_registered,
)
from services.lookup import describe_or_none
from services.request_ids import MEMO_KEY, current_request_id, start_memo, started_by
from workflows.application import ApplicationWorkflow

RUNNING = WorkflowExecutionStatus.RUNNING


async def _describe(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    """The latest run's description, or None if there is no workflow under this id."""
    return await describe_or_none(client.get_workflow_handle(workflow_id))


async def _describe_status(client: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    """The latest run's status, or None if there is no workflow under this id."""
    desc = await _describe(client, workflow_id)
    return None if desc is None else desc.status


async def _applications(client: Client, org_nr: str) -> list[tuple[str, bool]]:
    """(id, running) of every application from `org_nr`, oldest first."""
    return [(wid, desc.status == RUNNING) for wid, desc in await _described(client, org_nr)]


async def _described(client: Client, org_nr: str) -> list[tuple[str, WorkflowExecutionDescription]]:
    found: list[tuple[str, WorkflowExecutionDescription]] = []
    ref = provider_ref(org_nr)
    while True:
        wid = application_workflow_id(org_nr, len(found) + 1, ref)
        desc = await _describe(client, wid)
        if desc is None:
            return found
        found.append((wid, desc))


async def _submitted_by(
    found: list[tuple[str, WorkflowExecutionDescription]], request_id: str | None
) -> str | None:
    """The application an earlier attempt of this request started, if any: a retry lands on
    it whatever has happened to it since (decided, closed) instead of numbering a new one."""
    if request_id is None:
        return None
    for wid, desc in reversed(found):
        if await desc.memo_value(MEMO_KEY, None) == request_id:
            return wid
    return None


async def submit_application(client: Client, task_queue: str, inp: ApplicationInput) -> str:
    checked(inp)
    org_nr = inp.provider.org_nr
    ref = provider_ref(org_nr)  # first: a missing key refuses before anything is looked up
    found = await _described(client, org_nr)
    earlier_attempt = await _submitted_by(found, current_request_id())
    if earlier_attempt is not None:
        await wait_registered(
            client.get_workflow_handle(earlier_attempt), ApplicationWorkflow.status
        )
        return earlier_attempt
    for contract_id in contract_ids(org_nr):
        if await _describe_status(client, contract_id) == RUNNING:
            raise ActionError("org_nr", f"{org_nr} is already an approved provider with a contract")
    open_ = [wid for wid, desc in found if desc.status == RUNNING]
    if open_:
        raise ActionError("org_nr", f"{org_nr} already has an open application: {open_[-1]}")
    wid = application_workflow_id(org_nr, len(found) + 1, ref)
    try:
        await client.start_workflow(
            ApplicationWorkflow.run,
            inp.model_copy(update={"application_id": wid}),
            id=wid,
            task_queue=task_queue,
            memo=start_memo(),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=(
                TypedSearchAttributes(
                    [
                        SearchAttributePair(sa.KIND, "application"),
                        SearchAttributePair(sa.ORG_NR, search_value(org_nr, ref)),
                        SearchAttributePair(sa.STATUS, "received"),
                    ]
                )
                if inp.search_attributes
                else None
            ),
        )
    except WorkflowAlreadyStartedError:
        if not await started_by(client.get_workflow_handle(wid), current_request_id()):
            raise ActionError(
                "org_nr", f"{org_nr} already has an open application: {wid}"
            ) from None
    await wait_registered(client.get_workflow_handle(wid), ApplicationWorkflow.status)
    return wid


async def resolve(client: Client, ref: str) -> WorkflowHandle[Any, Any]:
    """An application by its id, or an org nr's latest application."""
    try:
        org_nr = normalize_org_nr(ref)
    except OrgNrError:
        org_nr = None
    if org_nr is not None:
        earlier = await _applications(client, org_nr)
        if not earlier:
            raise ActionError("application", f"no application from {org_nr}")
        return client.get_workflow_handle(earlier[-1][0])
    try:
        parse_application_id(ref)
    except ApplicationRefError as err:
        raise ActionError("application", str(err)) from None
    if await _describe_status(client, ref.strip()) is None:
        raise ActionError("application", f"no application {ref.strip()}")
    return client.get_workflow_handle(ref.strip())


async def status(client: Client, ref: str) -> ApplicationStatus:
    handle = await resolve(client, ref)
    result: ApplicationStatus = await handle.query(ApplicationWorkflow.status)
    return result


async def assess(client: Client, ref: str, request: AssessRequest) -> ApplicationStatus:
    result: ApplicationStatus = await _update(
        await resolve(client, ref), ApplicationWorkflow.assess, request
    )
    return result


async def request_completion(
    client: Client, ref: str, request: CompletionRequest
) -> ApplicationStatus:
    result: ApplicationStatus = await _update(
        await resolve(client, ref), ApplicationWorkflow.request_completion, request
    )
    return result


async def complete(client: Client, ref: str, request: CompleteRequest) -> ApplicationStatus:
    result: ApplicationStatus = await _update(
        await resolve(client, ref), ApplicationWorkflow.complete, request
    )
    return result


async def decide(client: Client, ref: str, request: DecideRequest) -> ApplicationStatus:
    result: ApplicationStatus = await _update(
        await resolve(client, ref), ApplicationWorkflow.decide, request
    )
    return result
