"""A customer's choice and the choice deadline at the same moment (issue 15, point 1): the
automatic assignment must not ask the rotation list under the key of the choice in flight.

Made deterministic with split workers: the activities worker is stopped while the choice is
accepted and the deadline passes, so the choice's assignment (and, before the patch, the
deadline's one too) waits on the server until the worker starts again. Before the
placement-unique-assign patch the deadline fired while the choice waited for its assignment,
both asked the rotation workflow under `assign:1`, got the same provider, and the second "took"
it again: a switch from the provider to itself, with its e-mails and records.
"""

from __future__ import annotations

import asyncio
from datetime import date, time
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateHandle, WorkflowUpdateStage

from models.messages.placement import ChooseRequest, PlacementState, PlacementStatus
from services import placements as pa
from tests.support.harness import Stack, local, lovflow_stack
from tests.support.placement_helpers import (
    A,
    B,
    new_placement,
    placement_mails,
    providers_on_list,
    registered,
)
from workflows.placement import PlacementWorkflow

Handle = WorkflowHandle[PlacementWorkflow, PlacementStatus]


async def _settled(handle: Handle) -> None:
    """Until the workflow has handled everything that happened to it (its last workflow task
    completed), so a timer that fired has had its effect."""
    for _ in range(400):
        events = [e.event_type async for e in handle.fetch_history_events()]
        scheduled = max(
            i for i, t in enumerate(events) if t == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
        )
        if EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED in events[scheduled:]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the workflow task never completed")


async def _assignments_asked(handle: Handle) -> int:
    return len(
        [
            e
            async for e in handle.fetch_history_events()
            if e.activity_task_scheduled_event_attributes.activity_type.name == "assign_provider"
        ]
    )


async def _placement_before_deadline(stack: Stack) -> Handle:
    """A placement registered on 24 February (A first in turn, B second), seconds before its
    choice deadline at the end of 10 March. The race is set up this close because while an
    activity waits for a stopped worker, the test server's time moves only as fast as the
    clock."""
    await providers_on_list(stack, A, B)
    wid = await new_placement(stack)
    assert (await registered(stack, wid)).choice_due == date(2031, 3, 10)
    handle = stack.client.get_workflow_handle_for(PlacementWorkflow.run, wid)
    await stack.sleep_until(local(date(2031, 3, 10), time(23, 59, 58)))
    await _settled(handle)
    return handle


async def _choose_b(handle: Handle) -> WorkflowUpdateHandle[PlacementStatus]:
    return await handle.start_update(
        PlacementWorkflow.choose,
        ChooseRequest(provider=B.org_nr, actor="handlaggare"),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
    )


async def _assert_chosen_once(stack: Stack, handle: Handle, asked: int) -> None:
    # The choice came at midnight: its e-mail to the provider waits for 09:00 (office hours).
    await stack.sleep_until(local(date(2031, 3, 11), time(9, 5)))
    await _settled(handle)
    s = await pa.status(stack.client, handle.id)
    assert (s.state, s.provider, s.via, s.pending_switch) == (
        PlacementState.ACTIVE,
        B.org_nr,
        "choice",
        None,
    )
    assert [line.split(" ")[1] for line in s.history] == ["registered", "assigned"], s.history
    assert asked == 1  # the deadline never asked the rotation list
    assert [m[1:] for m in placement_mails(stack)] == [("placement-new", B.email)]
    # The list did not move on for this customer: A is still first in turn.
    lists = (await pa.rotation_status(stack.client, "sundsvall")).lists
    assert [(q.providers, q.assigned) for q in lists] == [((A.org_nr, B.org_nr), 0)]


async def test_choice_waiting_for_the_rotation_list_when_the_deadline_passes_is_taken_once(
    tmp_path: Path,
) -> None:
    """The choice is accepted first; the deadline passes while its assignment waits."""
    async with lovflow_stack(tmp_path, split_workers=True) as stack:
        handle = await _placement_before_deadline(stack)
        activities = stack.workers["activities"]
        await activities.stop()
        choice = await _choose_b(handle)
        await stack.sleep_until(local(date(2031, 3, 11), time(0, 0, 1)))
        await _settled(handle)
        asked = await _assignments_asked(handle)
        await activities.start()
        result = await choice.result()
        assert (result.state, result.provider, result.via) == (
            PlacementState.ACTIVE,
            B.org_nr,
            "choice",
        )
        await _assert_chosen_once(stack, handle, asked)
