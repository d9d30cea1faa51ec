"""A bare Temporal baseline: workflows that do nothing but the timers and activities lovflow's
workflows do, so the simulation's throughput can be set against the engine's own limit on the
same machine.

`BareContractWorkflow` mirrors a contract: each simulated year it runs its own no-op activities,
starts its children through one activity (as lovflow opens its obligations), sleeps to the next
year and continues as new. `BareChildWorkflow` mirrors an obligation or meeting: its timers
spread over the months before a deadline, each followed by its share of no-op activities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client

YEAR = timedelta(days=365)
CHILD_SPAN = timedelta(days=120)  # reminders a month ahead to escalations a month after
TIMEOUT = timedelta(seconds=60)


@dataclass
class BareShape:
    """Per contract-year: what the measured lovflow run did, rounded to whole numbers."""

    contract_activities: int  # including the one that starts the children
    contract_timers: int
    children: int
    child_timers: int
    child_activities: int


@dataclass
class BareContractInput:
    shape: BareShape
    years_left: int
    prefix: str
    year: int = 0


@dataclass
class BareChildInput:
    timers: int
    activities: int


@activity.defn
async def bare_noop(n: int) -> int:
    return n


class BareStarter:
    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @activity.defn
    async def bare_start_children(self, inp: BareContractInput) -> int:
        for i in range(inp.shape.children):
            await self._client.start_workflow(
                BareChildWorkflow.run,
                BareChildInput(inp.shape.child_timers, inp.shape.child_activities),
                id=f"{inp.prefix}-{inp.year}-{i}",
                task_queue=self._task_queue,
            )
        return inp.shape.children


@workflow.defn
class BareChildWorkflow:
    @workflow.run
    async def run(self, inp: BareChildInput) -> None:
        step = CHILD_SPAN / max(1, inp.timers)
        done = 0
        for t in range(inp.timers):
            await workflow.sleep(step)
            # Spread the activities over the timers as evenly as whole numbers allow.
            due = (t + 1) * inp.activities // max(1, inp.timers)
            while done < due:
                await workflow.execute_activity(bare_noop, done, start_to_close_timeout=TIMEOUT)
                done += 1
        while done < inp.activities:
            await workflow.execute_activity(bare_noop, done, start_to_close_timeout=TIMEOUT)
            done += 1


@workflow.defn
class BareContractWorkflow:
    @workflow.run
    async def run(self, inp: BareContractInput) -> None:
        shape = inp.shape
        await workflow.execute_activity_method(
            BareStarter.bare_start_children, inp, start_to_close_timeout=TIMEOUT
        )
        for n in range(max(0, shape.contract_activities - 1)):
            await workflow.execute_activity(bare_noop, n, start_to_close_timeout=TIMEOUT)
        timers = max(1, shape.contract_timers)
        for _ in range(timers):
            await workflow.sleep(YEAR / timers)
        if inp.years_left > 1:
            workflow.continue_as_new(
                BareContractInput(shape, inp.years_left - 1, inp.prefix, inp.year + 1)
            )
