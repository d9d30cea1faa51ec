"""Timed steps: how a workflow plans its next step from its state and waits for it.

Every lovflow workflow but the contract and the rotation runs one loop: work out the next timed
step (a reminder, a deadline, an escalation) from the state, wait on a durable timer until it
falls due, and plan again as soon as an update or signal has changed the state (a revision
counter). The helpers here are that loop and the pieces of it the workflows share; they issue
the same timers, in the same order, as the loops each workflow carried before.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.plans import PlanActivities
    from models.domain.calendar import CalendarRules, DeadlineSchedule
    from models.messages.common import DeadlineRequest
    from workflows.common import call


@dataclass(frozen=True)
class TimedAction:
    """One timed step: when it falls due, which kind (each workflow names its own) and, for a
    reminder or an escalation, its index in the schedule."""

    at: datetime
    kind: str
    index: int = 0


class _Timed(Protocol):
    @property
    def at(self) -> datetime: ...


A = TypeVar("A", bound=_Timed)


async def when_due(action: A | None, changed: Callable[[], bool]) -> A | None:
    """Wait (on a durable timer) until `action` falls due and return it; None as soon as
    `changed` says an update or signal changed the state first, so the caller plans again.

    One shape for every workflow that plans its next step from state: the timer never fires
    a step that an update has made obsolete in the meantime.
    """
    if action is None:
        await workflow.wait_condition(changed)
        return None
    delay = action.at - workflow.now()
    if delay > timedelta(0):
        try:
            await workflow.wait_condition(changed, timeout=delay)
            return None
        except TimeoutError:
            pass
    return action


class SteppedWorkflow(Protocol[A]):
    """A workflow that runs on timed steps: what `run_timed_steps` asks of it."""

    # Counts the changes its updates and signals make to the state.
    _revision: int

    def _next_action(self) -> A | None:
        """The next timed step, planned from the state (None: none until the state changes)."""
        ...

    async def _perform(self, action: A) -> None: ...


async def run_timed_steps(
    steps: SteppedWorkflow[A],
    done: Callable[[], bool],
    hold: Callable[[int], bool] | None = None,
) -> None:
    """Until `done()`: plan the next step of `steps`, wait until it falls due (or the state
    changes, which its revision counts) and perform it.

    `hold(revision)`, asked only once a step has fallen due: True when the step must not run
    now (an update is between its activities), so the loop plans again instead.
    """
    while not done():
        planned = steps._revision
        action = await when_due(steps._next_action(), _changed_since(steps, planned))
        if action is None:
            continue  # something changed: plan again
        if hold is not None and hold(planned):
            continue  # an update is changing the state right now: plan again after it
        await steps._perform(action)


def _changed_since(steps: SteppedWorkflow[Any], planned: int) -> Callable[[], bool]:
    """A wait condition: an update or signal has changed the state since `planned`."""
    return lambda: steps._revision != planned


def next_reminder(
    schedule: DeadlineSchedule, reminded: set[int], opened_at: datetime, kind: str
) -> TimedAction | None:
    """The first reminder of `schedule` not yet sent. Reminders whose time had already passed
    when the round opened are skipped rather than sent late in a burst, and none goes out once
    the deadline has come."""
    for i, at in enumerate(schedule.reminders):
        if i not in reminded and opened_at <= at < schedule.deadline:
            return TimedAction(at, kind, i)
    return None


def deadline_or_escalation(
    schedule: DeadlineSchedule, overdue: bool, level: int
) -> TimedAction | None:
    """The deadline while it has not passed, then the escalation ladder's next step (None once
    every step has been taken)."""
    if not overdue:
        return TimedAction(schedule.deadline, "deadline")
    if level < len(schedule.escalations):
        return TimedAction(schedule.escalations[level].at, "escalation", level)
    return None


def date_deadline(rules: CalendarRules, due: date) -> Coroutine[Any, Any, DeadlineSchedule]:
    """The schedule (business-day due date, reminders, escalation ladder) of a due date, dated
    by the plan activity: holiday rules are never evaluated in workflow code."""
    return call(PlanActivities.date_deadline, DeadlineRequest(rules=rules, due=due))
