"""Application actions as client calls, shared by `lov application` and the tests.

One open application per org nr is the server's rule, not ours: the n-th application has the
workflow id `application-<orgnr>-<n>`, where n is one more than the number of closed ones, and ids
are never reused. While application n is open a second submission computes the same id and the
server refuses to start it; two concurrent submissions cannot both win either.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models import search_attributes as sa
from models.application import (
    ApplicationInput,
    ApplicationRefError,
    ApplicationStatus,
    AssessRequest,
    CompleteRequest,
    CompletionRequest,
    DecideRequest,
    application_workflow_id,
    parse_application_id,
)
from models.orgnr import OrgNrError, normalize_org_nr, search_value
from starter.actions import (
    ActionError,
    _update,
    checked,
    contract_ids,
    provider_ref,
    wait_registered,
)
from workflows.application import ApplicationWorkflow

RUNNING = WorkflowExecutionStatus.RUNNING


async def _describe_status(client: Client, workflow_id: str) -> WorkflowExecutionStatus | None:
    """The latest run's status, or None if there is no workflow under this id."""
    try:
        desc = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return desc.status


async def _applications(client: Client, org_nr: str) -> list[tuple[str, bool]]:
    """(id, running) of every application from `org_nr`, oldest first."""
    found: list[tuple[str, bool]] = []
    ref = provider_ref(org_nr)
    while True:
        wid = application_workflow_id(org_nr, len(found) + 1, ref)
        status = await _describe_status(client, wid)
        if status is None:
            return found
        found.append((wid, status == RUNNING))


async def submit_application(client: Client, task_queue: str, inp: ApplicationInput) -> str:
    checked(inp)
    org_nr = inp.provider.org_nr
    ref = provider_ref(org_nr)  # first: a missing key refuses before anything is looked up
    for contract_id in contract_ids(org_nr):
        if await _describe_status(client, contract_id) == RUNNING:
            raise ActionError("org_nr", f"{org_nr} is already an approved provider with a contract")
    earlier = await _applications(client, org_nr)
    open_ = [wid for wid, running in earlier if running]
    if open_:
        raise ActionError("org_nr", f"{org_nr} already has an open application: {open_[-1]}")
    wid = application_workflow_id(org_nr, len(earlier) + 1, ref)
    try:
        await client.start_workflow(
            ApplicationWorkflow.run,
            inp.model_copy(update={"application_id": wid}),
            id=wid,
            task_queue=task_queue,
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
        raise ActionError("org_nr", f"{org_nr} already has an open application: {wid}") from None
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
