"""Heartbeats for every activity, so a worker that dies is noticed in seconds, not minutes.

Workflows give activities a short heartbeat timeout (workflows/common.py). `AutoHeartbeat`, a
worker interceptor, heartbeats for each running async activity at a third of that timeout: a
live worker keeps its activities alive however long an SMTP or database call takes, and when the
worker process is killed the heartbeats stop and Temporal retries the activity elsewhere after
the heartbeat timeout instead of after the whole start-to-close timeout.

Heartbeat details double as durable progress: `mark_done(step)` records a step in them, and a
later attempt of the same activity sees it with `is_done(step)` (the mail activity marks "the
SMTP server accepted the message under this key", so a retry after a database failure does not
send it again). The automatic heartbeats repeat the latest details, starting from the previous
attempt's, so they never erase recorded progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

# How long a cancelled attempt may finish what it is doing (bounded: a worker shutting down
# waits for it, after its own graceful period).
FINISH_AFTER_CANCEL = timedelta(seconds=10)

_details: ContextVar[list[Any] | None] = ContextVar("lovflow_heartbeat_details", default=None)


def record_progress(*details: Any) -> None:
    """Heartbeat `details` now and keep them as this activity's progress."""
    holder = _details.get()
    if holder is not None:
        holder[:] = details
    if activity.in_activity():
        activity.heartbeat(*details)


def previous_progress() -> list[Any]:
    """The details the previous attempt recorded (empty on the first attempt, and outside an
    activity, e.g. an activity method called directly)."""
    if not activity.in_activity():
        return []
    return list(activity.info().heartbeat_details)


def progress() -> list[Any]:
    """The latest details: recorded by this attempt, else by the previous one."""
    holder = _details.get()
    return list(holder) if holder is not None else previous_progress()


DONE = "done"


def is_done(step: str) -> bool:
    """Whether this attempt or an earlier one of the same activity marked `step` done."""
    return any(isinstance(d, dict) and step in d.get(DONE, ()) for d in progress())


def mark_done(step: str) -> None:
    """Mark `step` done, durably for later attempts (heartbeat details keep every step)."""
    steps = {s for d in progress() if isinstance(d, dict) for s in d.get(DONE, ())}
    record_progress({DONE: sorted(steps | {step})})


class AutoHeartbeat(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next)


class _Inbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        # Synchronous activities run in threads; heartbeating for them from the loop would
        # hide a stuck thread. lovflow has none, so they are simply left alone.
        if not inspect.iscoroutinefunction(input.fn):
            return await super().execute_activity(input)
        holder = previous_progress()
        token = _details.set(holder)
        timeout = activity.info().heartbeat_timeout
        # Activities scheduled before heartbeat timeouts existed get no routine beats (nothing
        # would check them), but still keep their recorded progress.
        beat = _Beat(holder, timeout / 3) if timeout else None
        work = asyncio.ensure_future(super().execute_activity(input))
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            # Temporal gave up on this attempt (it timed out, e.g. when the time-skipping test
            # server jumps ahead, or the worker shuts down). Let a database transaction or an
            # SMTP session under way end cleanly rather than abandon it half-way (a connection
            # cut off mid-transaction leaks); the retry is idempotent either way.
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(work, FINISH_AFTER_CANCEL.total_seconds())
            raise
        finally:
            if beat is not None:
                beat.cancel()
            _details.reset(token)


class _Beat:
    """Routine heartbeats on the event loop's timer: a timer per activity costs less than a
    task per activity, and most activities end long before the first beat is due.

    The first beat waits one interval: the SDK sends the first heartbeat of an attempt at once
    and throttles later ones, so progress recorded early (most sends take well under a second)
    goes out immediately instead of waiting behind a routine beat. The callbacks run in a copy
    of the activity's context, where `activity.heartbeat` finds its activity."""

    def __init__(self, holder: list[Any], every: timedelta) -> None:
        self._holder = holder
        self._every = every.total_seconds()
        self._loop = asyncio.get_running_loop()
        self._handle = self._loop.call_later(self._every, self._beat)

    def _beat(self) -> None:
        activity.heartbeat(*self._holder)
        self._handle = self._loop.call_later(self._every, self._beat)

    def cancel(self) -> None:
        self._handle.cancel()
