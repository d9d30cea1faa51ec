"""A bare Temporal baseline: workflows that do nothing but the timers and activities lovflow's
workflows do, so the simulation's throughput can be set against the engine's own limit on the
same machine.

`BareContractWorkflow` mirrors a contract: each simulated year it runs its own no-op activities,
starts its children through one activity (as lovflow opens its obligations), sleeps to the next
year and continues as new. `BareChildWorkflow` mirrors an obligation or meeting: its timers
spread over the months before a deadline, each followed by its share of no-op activities and
signals to its contract (as an obligation tells its contract about every outcome).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client

YEAR = timedelta(days=365)
CHILD_SPAN = timedelta(days=120)  # reminders a month ahead to escalations a month after
TIMEOUT = timedelta(seconds=60)


@dataclass
class BareShape:
    """What the measured lovflow run did: per contract-year for the contract, per child for
    the children. Fractional: each year and each child takes its whole-number share (`share`),
    so the totals match the lovflow run instead of being rounded up or down per unit."""

    contract_activities: float  # including the one that starts the children
    contract_timers: float
    children: float
    child_timers: float
    child_activities: float
    # Signals each child sends its contract. Defaulted: result files from before it was
    # mirrored still load.
    child_signals: float = 0.0


def share(rate: float, k: int) -> int:
    """The k-th unit's whole-number share of `rate` per unit: over n units they add up to
    floor(n * rate)."""
    return math.floor((k + 1) * rate) - math.floor(k * rate)


def children_in_year(shape: BareShape, year: int) -> int:
    return share(shape.children, year)


def first_child(shape: BareShape, year: int) -> int:
    """Index, counted over the contract's whole life, of the first child of `year`."""
    return math.floor(year * shape.children)


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
    signals: int = 0
    contract_id: str = ""


@activity.defn
async def bare_noop(n: int) -> int:
    return n


class BareStarter:
    def __init__(self, client: Client, task_queue: str) -> None:
        self._client = client
        self._task_queue = task_queue

    @activity.defn
    async def bare_start_children(self, inp: BareContractInput) -> int:
        shape = inp.shape
        count = children_in_year(shape, inp.year)
        for i in range(count):
            k = first_child(shape, inp.year) + i
            await self._client.start_workflow(
                BareChildWorkflow.run,
                BareChildInput(
                    max(1, share(shape.child_timers, k)),
                    share(shape.child_activities, k),
                    share(shape.child_signals, k),
                    activity.info().workflow_id or "",
                ),
                id=f"{inp.prefix}-{inp.year}-{i}",
                task_queue=self._task_queue,
            )
        return count


@workflow.defn
class BareChildWorkflow:
    @workflow.run
    async def run(self, inp: BareChildInput) -> None:
        step = CHILD_SPAN / max(1, inp.timers)
        done = signalled = 0
        for t in range(inp.timers):
            await workflow.sleep(step)
            # Spread the activities and signals over the timers as evenly as whole numbers allow.
            due = (t + 1) * inp.activities // max(1, inp.timers)
            while done < due:
                await workflow.execute_activity(bare_noop, done, start_to_close_timeout=TIMEOUT)
                done += 1
            while signalled < (t + 1) * inp.signals // max(1, inp.timers):
                await self._signal(inp, signalled)
                signalled += 1
        while done < inp.activities:
            await workflow.execute_activity(bare_noop, done, start_to_close_timeout=TIMEOUT)
            done += 1

    @staticmethod
    async def _signal(inp: BareChildInput, n: int) -> None:
        handle = workflow.get_external_workflow_handle(inp.contract_id)
        try:
            await handle.signal(BareContractWorkflow.changed, n)
        except Exception:
            # The contract may have ended (its last year); lovflow's obligations carry on too.
            pass


@workflow.defn
class BareContractWorkflow:
    def __init__(self) -> None:
        self.changes = 0

    @workflow.signal
    def changed(self, n: int) -> None:
        self.changes += 1

    @workflow.run
    async def run(self, inp: BareContractInput) -> None:
        shape = inp.shape
        await workflow.execute_activity_method(
            BareStarter.bare_start_children, inp, start_to_close_timeout=TIMEOUT
        )
        for n in range(max(0, share(shape.contract_activities, inp.year) - 1)):
            await workflow.execute_activity(bare_noop, n, start_to_close_timeout=TIMEOUT)
        # At least one: the year has to pass.
        timers = max(1, share(shape.contract_timers, inp.year))
        for _ in range(timers):
            await workflow.sleep(YEAR / timers)
        if inp.years_left > 1:
            workflow.continue_as_new(
                BareContractInput(shape, inp.years_left - 1, inp.prefix, inp.year + 1)
            )
