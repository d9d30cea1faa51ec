"""Heartbeats for every activity, so a worker that dies is noticed in seconds, not minutes.

Workflows give activities a short heartbeat timeout (workflows/common.py). `AutoHeartbeat`, a
worker interceptor, heartbeats for each running async activity at a third of that timeout: a
live worker keeps its activities alive however long an SMTP or database call takes, and when the
worker process is killed the heartbeats stop and Temporal retries the activity elsewhere after
the heartbeat timeout instead of after the whole start-to-close timeout.

Heartbeat details double as durable progress: `record_progress` stores details that the next
attempt reads from `activity.info().heartbeat_details` (the mail activity notes "the SMTP server
accepted this message", so a retry after a database failure does not send it again). The
automatic heartbeats repeat the latest details, starting from the previous attempt's, so they
never erase recorded progress.
"""

from __future__ import annotations

import asyncio
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

_details: ContextVar[list[Any] | None] = ContextVar("lovflow_heartbeat_details", default=None)


def record_progress(*details: Any) -> None:
    """Heartbeat `details` now and keep them as this activity's progress."""
    holder = _details.get()
    if holder is not None:
        holder[:] = details
    activity.heartbeat(*details)


def previous_progress() -> list[Any]:
    """The details the previous attempt recorded (empty on the first attempt)."""
    return list(activity.info().heartbeat_details)


class AutoHeartbeat(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Inbound(next)


class _Inbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        timeout = activity.info().heartbeat_timeout
        # Synchronous activities run in threads; heartbeating for them from the loop would
        # hide a stuck thread. lovflow has none, so they are simply left alone.
        if not timeout or not inspect.iscoroutinefunction(input.fn):
            return await super().execute_activity(input)
        holder = previous_progress()
        token = _details.set(holder)
        beat = asyncio.create_task(_beat(holder, timeout / 3))
        try:
            return await super().execute_activity(input)
        finally:
            beat.cancel()
            _details.reset(token)


async def _beat(holder: list[Any], every: timedelta) -> None:
    # The first beat waits one interval: the SDK sends the first heartbeat of an attempt at
    # once and throttles later ones, so progress recorded early (most sends take well under a
    # second) goes out immediately instead of waiting behind a routine beat.
    while True:
        await asyncio.sleep(every.total_seconds())
        activity.heartbeat(*holder)
