"""Finding a workflow by id when it may not exist, for the CLI's actions."""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowExecutionDescription, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from services.errors import ActionError


async def describe_or_none(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription | None:
    """The latest run's description, or None if there is no workflow under the handle's id;
    any other failure is raised (a missing workflow is an answer, a lost server is not)."""
    try:
        return await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def existing(
    handle: WorkflowHandle[Any, Any], field: str, missing: str
) -> WorkflowHandle[Any, Any]:
    """`handle`, once its workflow is known to exist; else ActionError(field, missing), so a
    command on a mistyped id says so rather than failing inside Temporal."""
    if await describe_or_none(handle) is None:
        raise ActionError(field, missing)
    return handle
