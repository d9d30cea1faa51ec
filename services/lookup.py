"""Finding a workflow by id when it may not exist, for the CLI's actions."""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowExecutionDescription, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode


async def describe_or_none(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription | None:
    """The latest run's description, or None if there is no workflow under the handle's id;
    any other failure is raised (a missing workflow is an answer, a lost server is not)."""
    try:
        return await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
