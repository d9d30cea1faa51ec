"""Opening obligation workflows, from an activity rather than as child workflows.

An obligation outlives the yearly contract run that opened it (continue-as-new) and even the
contract itself (termination), so it is an independent workflow, not a child: no parent-close
policy to get right, no completion event sent to a run that has long closed, and one activity
in the contract's history instead of a child-start per occurrence. Starting is idempotent: an
obligation that is already open (a retried activity) is left as it is.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import WorkflowAlreadyStartedError

from models import search_attributes as sa
from models.messages import ObligationInput, OpenObligations
from models.orgnr import obligation_workflow_id


def _search_attributes(inp: ObligationInput) -> TypedSearchAttributes:
    occ = inp.occurrence
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.KIND, "obligation"),
            SearchAttributePair(sa.ORG_NR, inp.org_nr),
            SearchAttributePair(sa.OBLIGATION, occ.obligation),
            SearchAttributePair(sa.PERIOD, occ.period),
            SearchAttributePair(sa.STATUS, "upcoming"),
            SearchAttributePair(sa.OVERDUE, False),
            SearchAttributePair(sa.ESCALATION_LEVEL, 0),
            SearchAttributePair(sa.DUE, occ.schedule.deadline),
        ]
    )


class OpeningActivities:
    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @activity.defn
    async def open_obligations(self, request: OpenObligations) -> list[str]:
        """Starts each obligation workflow not yet started; returns the ids it started."""
        from workflows.obligation import ObligationWorkflow

        started = []
        for inp in request.obligations:
            occ = inp.occurrence
            wid = obligation_workflow_id(inp.org_nr, occ.obligation, occ.period)
            try:
                await self._client.start_workflow(
                    ObligationWorkflow.run,
                    inp,
                    id=wid,
                    task_queue=self._task_queue,
                    search_attributes=_search_attributes(inp) if inp.search_attributes else None,
                )
                started.append(wid)
            except WorkflowAlreadyStartedError:
                activity.logger.info("obligation %s already open", wid)
        return started
