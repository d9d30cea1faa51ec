"""Telling a plan's municipal duties workflow that a contract under it started or ended.

Shared by the application layer (services/contracts.py: `lov contract start`, terminate) and the
activity that starts an approved application's contract (activities/opening.py): neither may
import the workflow module, so the workflow and its signal are addressed by name.

Best effort: a plan without municipal duties has no such workflow (not found: nothing to tell),
and any other failure is logged, never raised — the contract operation has succeeded, and the
workflow reads the providers again on the first of every month anyway.
"""

from __future__ import annotations

import logging

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.ids import municipal_duties_workflow_id

# workflows/municipal_duties.py: `@workflow.signal def providers_changed` (in stored histories).
PROVIDERS_CHANGED = "providers_changed"

log = logging.getLogger(__name__)


async def providers_changed(client: Client, plan_id: str) -> bool:
    """Signal the plan's municipal duties workflow; True if it was signalled."""
    wid = municipal_duties_workflow_id(plan_id)
    try:
        await client.get_workflow_handle(wid).signal(PROVIDERS_CHANGED)
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            log.warning("could not signal %s of a contract change: %s", wid, err)
        return False
    except Exception as err:  # never fail the contract operation because of it
        log.warning("could not signal %s of a contract change: %s", wid, err)
        return False
    return True


__all__ = ["PROVIDERS_CHANGED", "providers_changed"]
