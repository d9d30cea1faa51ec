"""Messages of the meeting workflow: its input, scheduling, minutes, status, calendar invitations
and record writes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from models.domain.calendar import CalendarRules, MeetingWindow
from models.domain.inputs import Actor, Day, Key, Moment, Place, Url
from models.messages.common import ContractItemInput, HeldMailStatus, Message
from models.plans.schema import OfficeHours, Role


class MeetingInput(ContractItemInput):
    """One follow-up meeting of a contract (`meeting-<orgnr>-<year>-<label>`)."""

    window: MeetingWindow
    roles: dict[str, Role]
    administrator_role: str
    search_attributes: bool = True
    provider_ref: str | None = None  # as ContractInput.provider_ref


class MeetingState(StrEnum):
    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"
    # The scheduled time has come: the meeting took place unless it is rescheduled.
    AWAITING_MINUTES = "awaiting_minutes"
    HELD = "held"  # minutes recorded
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (MeetingState.HELD, MeetingState.CANCELLED)


class ScheduleRequest(Message):
    """Schedule a meeting, or move it (reschedule). On a reschedule an empty place and link
    keep the earlier ones."""

    starts_at: Moment
    duration_minutes: int = 90
    place: Place = ""
    link: Url = ""
    # Why the meeting lies outside the plan's window, or off business days and office hours;
    # required only then, and recorded with the meeting.
    reason: str = ""
    actor: Actor


class ActionItem(Message):
    owner: Key  # "provider" (becomes an obligation), a plan role or a name
    due: Day
    text: str


class MinutesRequest(Message):
    summary: str
    attendees: list[str]
    actions: list[ActionItem] = Field(default_factory=list)
    actor: Actor


class CancelMeetingRequest(Message):
    reason: str
    actor: Actor


class ScheduledMeeting(Message):
    starts_at: datetime
    ends_at: datetime
    place: str
    link: str
    sequence: int  # the .ics SEQUENCE of this invitation
    reminder_at: datetime | None
    reason: str
    actor: str
    decided_at: datetime


class ActionItemStatus(Message):
    number: int
    owner: str
    due: date
    text: str
    obligation_workflow_id: str | None = None


class Minutes(Message):
    summary: str
    attendees: list[str]
    actions: list[ActionItemStatus]
    actor: str
    recorded_at: datetime


class MeetingStatus(Message):
    workflow_id: str
    org_nr: str
    provider_name: str
    period: str
    window_start: date
    window_end: date
    due: date
    organizer: str
    time_zone: str
    # What a meeting time is checked against (models.domain.calendar.meeting_out_of_hours);
    # absent from statuses stored before they were added.
    holiday_calendar: str | None = None
    office_hours: OfficeHours | None = None
    status: MeetingState
    meeting: ScheduledMeeting | None
    earlier: list[ScheduledMeeting]
    minutes: Minutes | None
    reminded_unscheduled: bool
    escalated: bool
    history: list[str]
    # E-mails held until office hours (workflows/office_hours.py); none in older results.
    mail_held: list[HeldMailStatus] = Field(default_factory=list)


class CalendarInvite(Message):
    """What the .ics of a meeting says; UID and attendee address are added by the activity."""

    meeting_id: str
    org_nr: str
    method: Literal["REQUEST", "CANCEL"]
    sequence: int
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    summary: str
    description: str
    place: str
    link: str
    organizer_name: str
    organizer_email: str
    stamp: datetime  # workflow time: a retried activity builds the same file


class MeetingReminderRequest(Message):
    rules: CalendarRules
    starts_at: datetime


class MeetingWrite(Message):
    meeting_id: str
    org_nr: str
    period: str
    status: MeetingState
    window_start: date
    window_end: date
    at: datetime
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    link: str | None = None
    sequence: int | None = None
    minutes: dict[str, Any] | None = None
    escalated_at: datetime | None = None


class ActionItemWrite(Message):
    key: str
    meeting_id: str
    org_nr: str
    number: int
    owner: str
    due: date
    text: str
    obligation_workflow_id: str | None
    at: datetime
