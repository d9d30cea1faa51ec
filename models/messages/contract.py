"""Messages between the CLI, workflows and activities (pydantic, via the pydantic data converter).

Every administrative request carries `actor`, the person who asked, so the history shows who did
what. Times that end up in records are workflow times (`at`), never the activity's wall clock, so
a retried activity records the same instant and a simulation records simulated time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.domain.calendar import CalendarRules, MeetingWindow, Occurrence
from models.domain.inputs import Actor, Day, Key, Moment, OptionalDay, Place, Url
from models.domain.mailsafe import EmailAddress, OneLine
from models.plans.schema import Obligation, Role


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- contract -------------------------------------------------------------------------------


class Provider(Message):
    org_nr: str
    # Both end up in e-mail headers (To, subjects): one address, one line (models.domain.mailsafe).
    name: OneLine
    email: EmailAddress


class ObligationState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    SUBMITTED = "submitted"
    COMPLETION_REQUESTED = "completion_requested"
    ACCEPTED = "accepted"
    WAIVED = "waived"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (ObligationState.ACCEPTED, ObligationState.WAIVED, ObligationState.CANCELLED)


class ItemStatus(Message):
    """What the contract knows about one occurrence (reported by its obligation workflow)."""

    workflow_id: str
    obligation: str
    period: str
    due: date
    status: ObligationState
    overdue: bool = False
    escalation_level: int = 0
    changed_at: datetime | None = None


class Termination(Message):
    end_date: date
    kind: Literal["uppsagning", "havning"]
    reason: str
    actor: str
    requested_at: datetime


class ContractInput(Message):
    provider: Provider
    contract_start: Day
    plan_id: str
    search_attributes: bool = True
    # Carried across continue-as-new; absent on the first run.
    year: int | None = None
    items: dict[str, ItemStatus] = Field(default_factory=dict)
    done_before: dict[str, int] = Field(default_factory=dict)
    plan_versions: dict[int, str] = Field(default_factory=dict)
    termination: Termination | None = None
    # The opaque key naming a sole trader in ids and search attributes (models.domain.provider_id);
    # None for a company (and contracts from before it): the org nr names it there.
    provider_ref: str | None = None


class TerminateRequest(Message):
    end_date: Day
    kind: Literal["uppsagning", "havning"]
    reason: str
    actor: Actor


class ChangeContactRequest(Message):
    email: EmailAddress
    name: OneLine | None = None
    actor: Actor


class ObligationSummary(Message):
    open: list[ItemStatus]
    overdue: list[ItemStatus]
    done: list[ItemStatus]
    done_earlier: int = 0


class ContractStatus(Message):
    workflow_id: str
    provider: Provider
    plan_id: str
    contract_start: date
    year: int
    state: Literal["active", "terminating", "terminated"]
    termination: Termination | None
    plan_versions: dict[int, str]
    obligations: dict[str, ObligationSummary]


# --- obligation -----------------------------------------------------------------------------


class ObligationInput(Message):
    org_nr: str
    provider_name: str
    contract_workflow_id: str
    plan_id: str
    plan_version: str
    language: str
    occurrence: Occurrence
    obligation: Obligation
    rules: CalendarRules
    roles: dict[str, Role]
    administrator_role: str
    search_attributes: bool = True
    provider_ref: str | None = None  # as ContractInput.provider_ref


class MeetingInput(Message):
    """One follow-up meeting of a contract (`meeting-<orgnr>-<year>-<label>`)."""

    org_nr: str
    provider_name: str
    contract_workflow_id: str
    plan_id: str
    plan_version: str
    language: str
    window: MeetingWindow
    roles: dict[str, Role]
    administrator_role: str
    search_attributes: bool = True
    provider_ref: str | None = None  # as ContractInput.provider_ref


class OpenObligations(Message):
    obligations: list[ObligationInput]
    # Added with the follow-up meetings; absent in requests recorded before them.
    meetings: list[MeetingInput] = Field(default_factory=list)


class DocumentRef(Message):
    """A submitted document: stored as its path and SHA-256 (the file stays where it is)."""

    key: str
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class SubmitRequest(Message):
    fields: dict[str, Any] = Field(default_factory=dict)
    documents: list[DocumentRef] = Field(default_factory=list)
    note: str = ""
    actor: Actor


class ReviewRequest(Message):
    outcome: Literal["accept", "request-completion"]
    note: str = ""
    new_due: OptionalDay = None
    actor: Actor


class WaiveRequest(Message):
    reason: str
    actor: Actor


class ExtendRequest(Message):
    new_due: Day
    reason: str
    actor: Actor


class CloseRequest(Message):
    reason: str


class SubmissionRecord(Message):
    at: datetime
    fields: dict[str, Any]
    documents: list[DocumentRef]
    actor: str


class ObligationStatus(Message):
    workflow_id: str
    org_nr: str
    obligation: str
    title: str
    period: str
    nominal_due: date
    due: date
    status: ObligationState
    overdue: bool
    escalation_level: int
    reminders_sent: int
    submissions: list[SubmissionRecord]
    history: list[str]


# --- activities -----------------------------------------------------------------------------


class LoadYearRequest(Message):
    plan_id: str
    contract_start: date
    # The follow-up year to load; None on a contract's first run: the year being followed up
    # at `at` in the plan's time zone (the next one once it has been prepared).
    year: int | None = None
    at: datetime | None = None
    end_date: date | None = None


class YearPlan(Message):
    year: int
    plan_id: str
    plan_version: str
    plan_digest: str
    language: str
    time_zone: str
    roles: dict[str, Role]
    administrator_role: str
    next_year_at: datetime
    occurrences: list[Occurrence]
    obligations: dict[str, Obligation]
    rules: dict[str, CalendarRules]
    # Added with the follow-up meetings; absent in results recorded before them.
    meetings: list[MeetingWindow] = Field(default_factory=list)


class DeadlineRequest(Message):
    rules: CalendarRules
    due: date


class MailAttachment(Message):
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    content: str


class MailRequest(Message):
    """One e-mail, identified by `key`: the same key is never sent twice."""

    key: str
    kind: str
    template: str
    language: str
    to_roles: list[str]
    roles: dict[str, Role]
    org_nr: str
    workflow_id: str
    obligation: str | None = None
    period: str | None = None
    at: datetime
    time_zone: str = "Europe/Stockholm"
    context: dict[str, Any] = Field(default_factory=dict)
    # Added with the meeting invitations (.ics); kept in the outbox with the text.
    attachments: list[MailAttachment] = Field(default_factory=list)


class MailResult(Message):
    message_id: str
    recipients: list[str]
    already_sent: bool
    # False when the server refused the e-mail for good: recorded in mail_failures and
    # reported to the administrator; the workflow carries on.
    delivered: bool = True
    failure: str | None = None
    # With delivered False: sent 1 + LOV_SMTP_UNCERTAIN_RESENDS times and never answered, so
    # it may have arrived after all; reported to the administrator as such.
    uncertain: bool = False


class DataErrorReport(Message):
    """A record the database refused for good (activities/data_errors.py): the workflow went on
    without it, and the administrator is told once under `key`."""

    key: str
    workflow_id: str
    workflow_type: str
    activity: str
    error: str
    at: datetime
    org_nr: str | None = None
    # The plan the failing workflow follows, when its input says (workflows.common.call): the
    # notice goes to that plan's administrator; without them, to the default plan's.
    plan_id: str | None = None
    roles: dict[str, Role] | None = None


class ContractRecord(Message):
    workflow_id: str
    provider: Provider
    plan_id: str
    contract_start: date
    at: datetime


class ContractYearRecord(Message):
    workflow_id: str
    year: int
    plan_id: str
    plan_version: str
    at: datetime


class ContractStateRecord(Message):
    workflow_id: str
    org_nr: str
    state: Literal["active", "terminating", "terminated"]
    at: datetime
    termination: Termination | None = None


class OccurrenceRecord(Message):
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    nominal_due: date
    due: date
    recipient: str
    status: ObligationState
    overdue: bool
    escalation_level: int
    at: datetime


class AuditRecord(Message):
    """An outcome: written once per key to the audit table, and shown in history as the input."""

    key: str
    at: datetime
    org_nr: str
    workflow_id: str
    event_type: str
    actor: str
    details: dict[str, Any] = Field(default_factory=dict)


class SubmissionWrite(Message):
    key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    fields: dict[str, Any]
    documents: list[DocumentRef]
    actor: str
    at: datetime


class ReviewWrite(Message):
    key: str
    workflow_id: str
    outcome: Literal["accepted", "completion_requested", "waived", "extended"]
    note: str
    new_due: date | None
    actor: str
    at: datetime


class EscalationWrite(Message):
    key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    level: int
    kind: str
    title: str
    at: datetime


class ContactChange(Message):
    org_nr: str
    name: str
    email: str
    at: datetime


# --- follow-up meetings -----------------------------------------------------------------------


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
    # Why the meeting lies outside the plan's window; required only then.
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
    status: MeetingState
    meeting: ScheduledMeeting | None
    earlier: list[ScheduledMeeting]
    minutes: Minutes | None
    reminded_unscheduled: bool
    escalated: bool
    history: list[str]


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
