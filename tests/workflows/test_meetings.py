"""Follow-up meetings on the time-skipping server, with mail received by a real SMTP server.

Sundsvall plan, contract running since 2030, follow-up year 2031. Window H1 runs from Saturday
1 March to Sunday 15 June 2031, so the last day is Monday 16 June; the middle of the window is
Wednesday 23 April (the organizer's reminder if nothing is booked) and the window has closed on
Tuesday 17 June (management is told if no meeting was held). A meeting on Tuesday 22 April is
reminded two business days before: Friday 18 April (Easter 2031 is 13 April, so that week is
an ordinary one).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from models.messages.contract import TerminateRequest
from models.messages.meeting import (
    ActionItem,
    CancelMeetingRequest,
    MinutesRequest,
    ScheduleRequest,
)
from services import contracts, obligations
from services import meetings as meeting_actions
from services.calls import ActionError
from tests.support.harness import PROVIDER, STOCKHOLM, Stack, local, lovflow_stack
from workflows import ALL_WORKFLOWS

ORG = PROVIDER.org_nr
H1 = "meeting-5560360793-2031-H1"
H2 = "meeting-5560360793-2031-H2"
ADMIN = "lov-admin@sundsvall.example"
ORGANIZER = "kvalitetskontroller@sundsvall.example"
MANAGEMENT = "forvaltningsledning@sundsvall.example"
UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
ACTIVITY_SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(date(2031, month, day), time(hour, minute), STOCKHOLM)


def schedule_request(
    starts_at: datetime, place: str = "Stadshuset, rum 3", link: str = "", reason: str = ""
) -> ScheduleRequest:
    return ScheduleRequest(
        starts_at=starts_at, place=place, link=link, reason=reason, actor="karin.kvalitet"
    )


def calendar_of(message: EmailMessage) -> tuple[Calendar, EmailMessage]:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    part = parts[0]
    assert isinstance(part, EmailMessage)
    return Calendar.from_ical(part.get_content()), part


def event_of(message: EmailMessage) -> object:
    cal, _ = calendar_of(message)
    (event,) = cal.walk("VEVENT")
    return event


def meeting_mails(stack: Stack, period: str = "2031-H1") -> list[EmailMessage]:
    return [
        m
        for m in stack.mail.messages
        if m["X-Lov-Obligation"] == "meeting" and m["X-Lov-Period"] == period
    ]


def _counts(history: WorkflowHistory) -> Counter[int]:
    return Counter(e.event_type for e in history.events)


async def started_2031(stack: Stack) -> None:
    await stack.sleep_until(local(date(2031, 1, 1), time(0, 0)))
    await stack.start_contract(date(2030, 1, 1))


async def test_schedule_sends_invitation_with_ics_and_reminder(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 1)))
        status = await meeting_actions.meeting_status(stack.client, H1)
        assert (status.status, status.window_start, status.due) == (
            "unscheduled",
            date(2031, 3, 1),
            date(2031, 6, 16),
        )
        result = await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22, 10)))
        assert result.status == "scheduled" and result.meeting is not None
        assert result.meeting.reminder_at == at(4, 18)
        await stack.sleep_until(local(date(2031, 4, 22), time(12, 0)))

        assert stack.mails("meeting", "2031-H1") == [
            (at(4, 1, 10), "meeting-invitation", f"{PROVIDER.email}, {ORGANIZER}"),
            (at(4, 18), "meeting-reminder", f"{PROVIDER.email}, {ORGANIZER}"),
        ]
        invitation, reminder = meeting_mails(stack)
        assert "14 april" not in str(invitation["Subject"])
        assert "22 april 2031 kl. 10:00" in str(invitation["Subject"])
        body = invitation.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert "Stadshuset, rum 3" in text and ORGANIZER in text and "15 juni" not in text
        assert "16 juni 2031" in text  # by when the meeting must be held

        cal, part = calendar_of(invitation)
        assert part.get_filename() == "uppfoljningsmote.ics"
        assert part.get_param("method") == "REQUEST"
        assert str(cal["METHOD"]) == "REQUEST"
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == f"{H1}@lovflow.invalid"
        assert int(event["SEQUENCE"]) == 0
        start = event.decoded("DTSTART")
        assert start == at(4, 22, 10) and event["DTSTART"].params["TZID"] == "Europe/Stockholm"
        assert str(start.tzinfo) == "Europe/Stockholm"
        assert event.decoded("DTEND") == at(4, 22, 11, 30)
        assert str(event["LOCATION"]) == "Stadshuset, rum 3"
        assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER}"
        assert str(event["ATTENDEE"]) == f"mailto:{PROVIDER.email}"
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
        assert "22 april 2031 kl. 10:00" in str(reminder["Subject"])

        # The meeting time has come: it awaits its minutes; no organizer reminder was needed.
        status = await meeting_actions.meeting_status(stack.client, H1)
        assert status.status == "awaiting_minutes" and not status.reminded_unscheduled
        record = await stack.store.get_meeting(H1)
        assert record is not None
        assert (record.status, record.scheduled_at, record.place, record.sequence) == (
            "awaiting_minutes",
            at(4, 22, 10),
            "Stadshuset, rum 3",
            0,
        )
        # The outbox keeps the calendar file, so a retry would send the same one.
        outbox = [n for n in await stack.store.list_notifications(ORG) if n.kind.startswith("m")]
        assert outbox[0].attachments and "UID:" in outbox[0].attachments[0]["content"]


async def test_unscheduled_window_reminds_organizer_then_escalates(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 6, 30)))

        assert stack.mails("meeting", "2031-H1") == [
            (at(4, 23), "meeting-unscheduled", f"{ORGANIZER}, {ADMIN}"),
            (at(6, 17), "meeting-escalation", f"{MANAGEMENT}, {ADMIN}, {ORGANIZER}"),
        ]
        reminder, escalation = meeting_mails(stack)
        reminder_text = reminder.get_content()
        assert "lov meeting schedule 556036-0793 --year 2031 --window H1" in reminder_text
        assert "16 juni 2031" in reminder_text
        assert "har inte hållits" in str(escalation["Subject"])
        assert "Inget möte har bokats" in escalation.get_content()
        status = await meeting_actions.meeting_status(stack.client, H1)
        assert status.escalated and status.status == "unscheduled"
        record = await stack.store.get_meeting(H1)
        assert record is not None and record.escalated_at is not None
        assert record.escalated_at.replace(microsecond=0) == at(6, 17)
        # H2 (September–November) has not begun: nothing about it yet.
        assert meeting_mails(stack, "2031-H2") == []

        # Held late, with a reason: allowed, outside the window.
        await meeting_actions.schedule(
            stack.client, H1, schedule_request(at(8, 26, 13), reason="Semestertider")
        )
        status = await meeting_actions.meeting_status(stack.client, H1)
        assert status.meeting is not None and status.meeting.reason == "Semestertider"


async def test_minutes_make_provider_actions_obligations(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 1)))
        await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22, 10)))
        await stack.sleep_until(local(date(2031, 4, 25)))
        result = await meeting_actions.minutes(
            stack.client,
            H1,
            MinutesRequest(
                summary="Verksamheten fungerar väl. Nyckelrutinen behöver ses över.",
                attendees=["Karin Kvalitet (kommunen)", "Per Verksamhetschef (utföraren)"],
                actions=[
                    ActionItem(
                        owner="provider",
                        due=date(2031, 5, 30),
                        text="Uppdatera rutinen för nyckelhantering",
                    ),
                    ActionItem(
                        owner="quality-controller",
                        due=date(2031, 5, 15),
                        text="Skicka mall för egenkontroll",
                    ),
                ],
                actor="karin.kvalitet",
            ),
        )
        assert result.status == "held" and result.minutes is not None
        first, second = result.minutes.actions
        wid = "obligation-5560360793-meeting-action-2031-H1-1"
        assert (first.obligation_workflow_id, second.obligation_workflow_id) == (wid, None)
        await stack.sleep_until(local(date(2031, 6, 3)))

        minutes_mail = [m for m in meeting_mails(stack) if m["X-Lov-Kind"] == "meeting-minutes"]
        assert len(minutes_mail) == 1
        assert str(minutes_mail[0]["To"]) == f"{PROVIDER.email}, {ORGANIZER}"
        text = minutes_mail[0].get_content()
        for expected in (
            "Nyckelrutinen behöver ses över",
            "Per Verksamhetschef (utföraren)",
            "Uppdatera rutinen för nyckelhantering",
            "Ansvarig: utföraren. Senast: 30 maj 2031.",
            "Ansvarig: quality-controller. Senast: 15 maj 2031.",
        ):
            assert expected in text, text

        # The provider's action item is an obligation like any other: reminders 30, 14 and 3
        # days before Friday 30 May, then the ladder (Saturday 31 May → Monday 2 June).
        item = await obligations.obligation_status(stack.client, ORG, "meeting-action", "2031-H1-1")
        assert item.due == date(2031, 5, 30) and item.overdue
        assert stack.mails("meeting-action", "2031-H1-1") == [
            (at(4, 30), "reminder", PROVIDER.email),
            (at(5, 16), "reminder", PROVIDER.email),
            (at(5, 27), "reminder", PROVIDER.email),
            # The action item's recipient (the meeting's organizer) is told it is late too, in
            # the staff's copy (the provider's message alone carries its portal link).
            (at(6, 2), "overdue", PROVIDER.email),
            (at(6, 2), "overdue", f"{ADMIN}, {ORGANIZER}"),
        ]
        first_reminder = next(
            m for m in stack.mail.messages if m["X-Lov-Obligation"] == "meeting-action"
        )
        assert "Uppdatera rutinen för nyckelhantering" in first_reminder.get_content()
        contract = await contracts.contract_status(stack.client, ORG)
        assert [i.period for i in contract.obligations["meeting-action"].overdue] == ["2031-H1-1"]
        items = await stack.store.list_action_items(H1)
        assert [(i.number, i.owner, i.obligation_workflow_id) for i in items] == [
            (1, "provider", wid),
            (2, "quality-controller", None),
        ]
        record = await stack.store.get_meeting(H1)
        assert record is not None and record.status == "held" and record.minutes is not None
        assert record.minutes["summary"].startswith("Verksamheten fungerar väl")
        # Held in the window: no escalation when it closes.
        await stack.sleep_until(local(date(2031, 6, 20)))
        assert not [m for m in meeting_mails(stack) if m["X-Lov-Kind"] == "meeting-escalation"]


async def test_reschedule_sends_new_ics_with_next_sequence(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 1)))
        await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22, 10)))
        await stack.sleep_until(local(date(2031, 4, 20)))
        result = await meeting_actions.reschedule(
            stack.client,
            H1,
            schedule_request(at(5, 6, 14), place="", link="https://meet.example/lov-h1"),
        )
        assert result.meeting is not None and result.meeting.sequence == 1
        assert [e.starts_at for e in result.earlier] == [at(4, 22, 10)]
        await stack.sleep_until(local(date(2031, 5, 7)))

        # Tuesday 6 May: two business days before is Friday 2 May (1 May is a holiday
        # anyway, and the weekend lies between). The move was made on Sunday 20 April: its
        # invitation reaches people on Monday morning (issue 16: office hours).
        assert stack.mails("meeting", "2031-H1") == [
            (at(4, 1, 10), "meeting-invitation", f"{PROVIDER.email}, {ORGANIZER}"),
            (at(4, 18), "meeting-reminder", f"{PROVIDER.email}, {ORGANIZER}"),
            (at(4, 21, 9), "meeting-invitation", f"{PROVIDER.email}, {ORGANIZER}"),
            (at(5, 2), "meeting-reminder", f"{PROVIDER.email}, {ORGANIZER}"),
        ]
        first, _, second, _ = meeting_mails(stack)
        old, new = event_of(first), event_of(second)
        assert str(old["UID"]) == str(new["UID"]) == f"{H1}@lovflow.invalid"  # type: ignore[index]
        assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1 == 1  # type: ignore[index]
        assert new.decoded("DTSTART") == at(5, 6, 14)  # type: ignore[attr-defined]
        assert str(new["URL"]) == "https://meet.example/lov-h1"  # type: ignore[index]
        assert str(new["LOCATION"]) == "https://meet.example/lov-h1"  # type: ignore[index]
        assert "Ny tid" in str(second["Subject"])
        second_body = second.get_body(("plain",))
        assert second_body is not None
        assert "22 april 2031 kl. 10:00 gäller inte längre" in second_body.get_content()
        # The meeting did not take place: it is called off, and the calendar file removes it.
        await meeting_actions.cancel(
            stack.client, H1, CancelMeetingRequest(reason="Utföraren byter ledning", actor="k")
        )
        cancelled = meeting_mails(stack)[-1]
        assert cancelled["X-Lov-Kind"] == "meeting-cancelled"
        cal, _ = calendar_of(cancelled)
        (event,) = cal.walk("VEVENT")
        assert str(cal["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 2
        assert str(event["UID"]) == f"{H1}@lovflow.invalid"
        status = await meeting_actions.meeting_status(stack.client, H1)
        assert status.status == "cancelled"


async def test_validators_reject_before_history(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 1)))
        handle = stack.client.get_workflow_handle(H1)
        before = _counts(await handle.fetch_history())
        sent = len(stack.mail.messages)
        minutes = MinutesRequest(summary="x", attendees=["a"], actor="k")
        with pytest.raises(ActionError, match="status: the meeting was never scheduled"):
            await meeting_actions.minutes(stack.client, H1, minutes)
        with pytest.raises(ActionError, match="at: 2031-06-20 is outside the meeting window"):
            await meeting_actions.schedule(stack.client, H1, schedule_request(at(6, 20, 10)))
        with pytest.raises(ActionError, match="at: must be in the future"):
            await meeting_actions.schedule(stack.client, H1, schedule_request(at(3, 20, 10)))
        with pytest.raises(ActionError, match="place: give a place or a link"):
            await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22), ""))
        with pytest.raises(ActionError, match="link: inte en länk som börjar med https://"):
            await meeting_actions.schedule(
                stack.client, H1, schedule_request(at(4, 22), "", link="meet.example/x")
            )
        with pytest.raises(ActionError, match="status: not scheduled yet; use schedule"):
            await meeting_actions.reschedule(stack.client, H1, schedule_request(at(4, 22)))
        with pytest.raises(ActionError, match="meeting: no meeting meeting-5560360793-2031-H3"):
            await meeting_actions.meeting_status(stack.client, "meeting-5560360793-2031-H3")
        after = _counts(await handle.fetch_history())
        assert after[UPDATE_ACCEPTED] == before[UPDATE_ACCEPTED] == 0
        assert after[ACTIVITY_SCHEDULED] == before[ACTIVITY_SCHEDULED]
        assert len(stack.mail.messages) == sent

        # Scheduled but not yet held: no minutes; and an action item with a past deadline.
        await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22, 10)))
        with pytest.raises(ActionError, match="status: the meeting has not taken place yet"):
            await meeting_actions.minutes(stack.client, H1, minutes)
        await stack.sleep_until(local(date(2031, 4, 23)))
        past = ActionItem(owner="provider", due=date(2031, 4, 1), text="Gör något")
        with pytest.raises(ActionError, match=r"actions\[0\].due: must be after today"):
            await meeting_actions.minutes(
                stack.client,
                H1,
                MinutesRequest(summary="x", attendees=["a"], actions=[past], actor="k"),
            )
        history = await handle.fetch_history()
        assert _counts(history)[UPDATE_ACCEPTED] == 1  # only the schedule


async def test_termination_calls_off_meetings_after_the_end_date(tmp_path: Path) -> None:
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 6, 1)))
        await contracts.terminate(
            stack.client,
            ORG,
            TerminateRequest(
                end_date=date(2031, 8, 31), kind="uppsagning", reason="Avslut", actor="anna"
            ),
        )
        await stack.sleep_until(local(date(2031, 6, 1)) + timedelta(days=1))
        status = await meeting_actions.meeting_status(stack.client, H2)
        assert status.status == "cancelled"
        # H1 lies within the contract: still owed.
        assert (await meeting_actions.meeting_status(stack.client, H1)).status == "unscheduled"


async def test_meeting_times_keep_to_business_days_and_office_hours(tmp_path: Path) -> None:
    """Issue 16, point 6: a meeting was accepted on Kristi himmelsfärdsdag and on a Sunday at
    03:00. The validator refuses a time off Sundsvall's business days or office hours
    (08:00–16:30), start and end, unless a reason is given, which is then recorded."""
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 1)))
        handle = stack.client.get_workflow_handle(H1)
        refused = [
            (at(5, 22, 10), "at: 2031-05-22 is not a business day"),  # Kristi himmelsfärdsdag
            (at(4, 27, 3), "at: 2031-04-27 is not a business day"),  # Sunday, 03:00
            (at(6, 6, 10), "at: 2031-06-06 is not a business day"),  # nationaldagen, a Friday
            (at(4, 22, 3), "at: 03:00–04:30 is outside office hours 08:00–16:30"),
            (at(4, 22, 15, 30), "at: 15:30–17:00 is outside office hours 08:00–16:30"),
            (at(4, 22, 7, 59), "at: 07:59–09:29 is outside office hours 08:00–16:30"),
        ]
        for when, message in refused:
            with pytest.raises(ActionError, match=message):
                await meeting_actions.schedule(stack.client, H1, schedule_request(when))
        assert _counts(await handle.fetch_history())[UPDATE_ACCEPTED] == 0
        assert meeting_mails(stack) == []

        # The application layer refuses the same before asking the workflow, naming --at.
        when = meeting_actions.meeting_time(
            "2031-05-22 10:00",
            duration_minutes=90,
            place="Rum 3",
            link=None,
            reason=None,
            actor="k",
        )
        with pytest.raises(ActionError) as caught:
            await meeting_actions.book(stack.client, H1, when, move=False)
        assert caught.value.field == "--at"
        assert "2031-05-22 är ingen arbetsdag" in str(caught.value)

        # 08:00–09:30 and 15:00–16:30 are inside; a time outside needs and keeps its reason.
        await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22, 8)))
        moved = await meeting_actions.reschedule(
            stack.client, H1, schedule_request(at(4, 22, 15), place="")
        )
        assert moved.meeting is not None and moved.meeting.starts_at == at(4, 22, 15)
        with pytest.raises(ActionError, match="at: 2031-05-22 is not a business day"):
            await meeting_actions.reschedule(stack.client, H1, schedule_request(at(5, 22, 10)))
        late = await meeting_actions.reschedule(
            stack.client, H1, schedule_request(at(4, 24, 17), reason="Utförarens nattpersonal")
        )
        assert late.meeting is not None and late.meeting.reason == "Utförarens nattpersonal"
        assert late.meeting.starts_at == at(4, 24, 17)
        audit = [e for e in await stack.store.list_audit(ORG) if e.workflow_id == H1]
        assert audit[-1].details["reason"] == "Utförarens nattpersonal"


async def test_a_cancelled_meeting_can_be_booked_again_in_its_window(tmp_path: Path) -> None:
    """Issue 16, point 6: after a cancel the workflow ended, so the window could never be booked
    again. Now it stays open until the window closes: `schedule` books it again, with an
    invitation whose SEQUENCE follows the cancellation's; unbooked, it ends with the window."""
    async with lovflow_stack(tmp_path) as stack:
        await started_2031(stack)
        await stack.sleep_until(local(date(2031, 4, 1)))
        await meeting_actions.schedule(stack.client, H1, schedule_request(at(4, 22, 10)))
        cancel = CancelMeetingRequest(reason="Verksamhetschefen är sjuk", actor="k")
        await meeting_actions.cancel(stack.client, H1, cancel)
        await stack.sleep_until(local(date(2031, 4, 2)))
        assert await stack.running(H1)
        with pytest.raises(ActionError, match="status: the meeting was cancelled; use schedule"):
            await meeting_actions.reschedule(stack.client, H1, schedule_request(at(5, 6, 10)))

        again = await meeting_actions.schedule(stack.client, H1, schedule_request(at(5, 6, 10)))
        assert again.status == "scheduled" and again.meeting is not None
        assert again.meeting.sequence == 2 and [m.sequence for m in again.earlier] == [0]
        invitation, cancelled, rebooked = meeting_mails(stack)
        kinds = [m["X-Lov-Kind"] for m in (invitation, cancelled, rebooked)]
        assert kinds == ["meeting-invitation", "meeting-cancelled", "meeting-invitation"]
        sequences = [int(event_of(m)["SEQUENCE"]) for m in (cancelled, rebooked)]  # type: ignore[index]
        assert sequences == [1, 2]
        assert event_of(rebooked).decoded("DTSTART") == at(5, 6, 10)  # type: ignore[attr-defined]
        record = await stack.store.get_meeting(H1)
        assert record is not None and (record.status, record.sequence) == ("scheduled", 2)

        # Cancelled again and not booked: the workflow ends when the window closes (16 June),
        # without telling management (the meeting was called off on purpose).
        await meeting_actions.cancel(stack.client, H1, cancel)
        await stack.sleep_until(local(date(2031, 6, 18)))
        assert not await stack.running(H1)
        assert [m["X-Lov-Kind"] for m in meeting_mails(stack)][3:] == ["meeting-cancelled"]
        final = await meeting_actions.meeting_status(stack.client, H1)
        assert final.status == "cancelled" and not final.escalated

        # This run's history replays against the code (the patch marker is in it).
        history = await stack.client.get_workflow_handle(H1).fetch_history()
        replayer = Replayer(workflows=ALL_WORKFLOWS, data_converter=pydantic_data_converter)
        await replayer.replay_workflow(history, raise_on_replay_failure=True)
