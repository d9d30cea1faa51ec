"""Follow-up meeting actions as client calls, shared by `lov meeting` and the tests.

A meeting is addressed by its workflow id (`meeting-<orgnr digits>-<year>-<window>`) or by
org nr, year and window label. Each change is one Update on the meeting's workflow; a rejected
Update raises `ActionError(field, message)` and has changed nothing.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from models.domain.orgnr import OrgNrError, normalize_org_nr
from models.ids import is_meeting_id, meeting_workflow_id
from models.messages.meeting import (
    CancelMeetingRequest,
    MeetingStatus,
    MinutesRequest,
    ScheduleRequest,
)
from services.calls import ActionError, _update, provider_ref
from workflows.meeting import MeetingWorkflow


def meeting_id(ref: str, year: int | None = None, window: str | None = None) -> str:
    """`ref` is a meeting id, or an org nr that `year` and `window` complete."""
    ref = ref.strip()
    if is_meeting_id(ref):
        if year is not None or window is not None:
            raise ActionError("meeting", "give either a meeting id or ORGNR --year --window")
        return ref
    try:
        org_nr = normalize_org_nr(ref)
    except OrgNrError as err:
        raise ActionError("meeting", f"neither a meeting id nor an org nr: {err}") from None
    if year is None or window is None:
        missing = "--year" if year is None else "--window"
        raise ActionError(missing, "required with an org nr (e.g. --year 2027 --window H1)")
    label = window.strip().upper()
    if not label.isalnum():
        raise ActionError("--window", f"not a window label such as H1: {window!r}")
    return meeting_workflow_id(org_nr, f"{year}-{label}", provider_ref(org_nr))


async def _handle(client: Client, wid: str) -> WorkflowHandle[Any, Any]:
    handle = client.get_workflow_handle(wid)
    try:
        await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ActionError(
                "meeting", f"no meeting {wid} (opened when the contract's year is prepared)"
            ) from None
        raise
    return handle


async def meeting_status(client: Client, wid: str) -> MeetingStatus:
    handle = await _handle(client, wid)
    result: MeetingStatus = await handle.query(MeetingWorkflow.status)
    return result


async def schedule(client: Client, wid: str, request: ScheduleRequest) -> MeetingStatus:
    handle = await _handle(client, wid)
    result: MeetingStatus = await _update(handle, MeetingWorkflow.schedule, request)
    return result


async def reschedule(client: Client, wid: str, request: ScheduleRequest) -> MeetingStatus:
    handle = await _handle(client, wid)
    result: MeetingStatus = await _update(handle, MeetingWorkflow.reschedule, request)
    return result


async def minutes(client: Client, wid: str, request: MinutesRequest) -> MeetingStatus:
    handle = await _handle(client, wid)
    result: MeetingStatus = await _update(handle, MeetingWorkflow.minutes, request)
    return result


async def cancel(client: Client, wid: str, request: CancelMeetingRequest) -> MeetingStatus:
    handle = await _handle(client, wid)
    result: MeetingStatus = await _update(handle, MeetingWorkflow.cancel, request)
    return result
