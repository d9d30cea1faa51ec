"""AutoHeartbeat (activities/heartbeat.py): a live worker keeps a slow activity alive past its
heartbeat timeout, on a real dev server; without the interceptor the same activity times out."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, TimeoutError, TimeoutType
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from activities.heartbeat import AutoHeartbeat

HEARTBEAT_TIMEOUT = timedelta(seconds=1)


@activity.defn
async def slow_step(seconds: float) -> int:
    await asyncio.sleep(seconds)  # never heartbeats by itself
    return activity.info().attempt


@workflow.defn
class SlowStepWorkflow:
    @workflow.run
    async def run(self, seconds: float) -> int:
        return await workflow.execute_activity(
            slow_step,
            seconds,
            start_to_close_timeout=timedelta(seconds=30),
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


async def _run(env: WorkflowEnvironment, *, interceptors: list[AutoHeartbeat]) -> int:
    queue = f"heartbeat-{uuid.uuid4().hex[:8]}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[SlowStepWorkflow],
        activities=[slow_step],
        interceptors=interceptors,
    ):
        return await env.client.execute_workflow(
            SlowStepWorkflow.run, 3.5, id=queue, task_queue=queue
        )


async def test_auto_heartbeat_keeps_a_slow_activity_alive(dev_env: WorkflowEnvironment) -> None:
    # Three and a half heartbeat timeouts long, done in its first attempt.
    assert await _run(dev_env, interceptors=[AutoHeartbeat()]) == 1


async def test_without_heartbeats_the_same_activity_times_out(
    dev_env: WorkflowEnvironment,
) -> None:
    with pytest.raises(WorkflowFailureError) as failure:
        await _run(dev_env, interceptors=[])
    cause = failure.value.cause
    assert isinstance(cause, ActivityError) and isinstance(cause.cause, TimeoutError)
    assert cause.cause.type == TimeoutType.HEARTBEAT
