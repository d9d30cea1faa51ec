"""One follow-up meeting as the desk shows it, and its calendar file for download.

Read from the records database (what the meeting workflow has written), so the page answers
while Temporal is down; the changes are services/meetings.py's Updates, as `lov meeting` calls
them. The calendar file is the invitation's (activities/meetings.build_ics: same UID, SEQUENCE,
title and times in the plan's zone), so importing it updates the event the e-mail brought.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from models.domain.inputs import usable_link
from models.domain.meeting_calendar import (
    build_ics,
    calendar_description,
    calendar_summary,
    meeting_uid,
)
from models.messages.meeting import CalendarInvite, MeetingState, Minutes
from models.plans.loader import PlanError, load_plan
from models.plans.schema import PROVIDER_ROLE, Plan
from models.records.store import RecordStore
from services.errors import ActionError
from services.meetings import MeetingSummary, summary_of
from services.words import MEETING_EVENTS

_NOT_FOUND = "inget sådant möte i registret"
# The states in which a meeting has a time that a calendar may hold.
BOOKED = (MeetingState.SCHEDULED, MeetingState.AWAITING_MINUTES)
DEFAULT_ZONE = "Europe/Stockholm"
DEFAULT_DURATION = timedelta(minutes=90)


@dataclass(frozen=True, slots=True)
class Owner:
    """Who may own an action item: the provider (it becomes a duty) or one of the plan's roles."""

    key: str
    title: str


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """One outcome of the meeting from the audit trail: what, when, by whom."""

    at: datetime
    what: str
    actor: str  # "system": the workflow on its own
    starts_at: datetime | None
    place: str
    reason: str
    # The outcome's own name ("scheduled"): the desk words it in its language.
    event: str = ""


def _event(event_type: str, at: datetime, actor: str, details: dict[str, Any]) -> MeetingEvent:
    name = event_type.removeprefix("meeting-")
    starts = details.get("starts_at")
    return MeetingEvent(
        at=at,
        what=MEETING_EVENTS.get(name, name),
        actor=actor,
        starts_at=datetime.fromisoformat(starts) if isinstance(starts, str) and starts else None,
        place=str(details.get("place") or details.get("link") or ""),
        reason=str(details.get("reason") or ""),
        event=name,
    )


@dataclass(frozen=True, slots=True)
class MeetingPage:
    meeting: MeetingSummary
    provider_name: str
    plan_id: str | None
    time_zone: str
    language: str
    minutes: Minutes | None
    owners: list[Owner]
    sequence: int  # of the latest invitation
    updated_at: datetime
    events: list[MeetingEvent]

    @property
    def booked(self) -> bool:
        return self.meeting.state in BOOKED and self.meeting.starts_at is not None


def _plan(plan_id: str | None, plans_dir: Path) -> Plan | None:
    if plan_id is None:
        return None
    try:
        return load_plan(plan_id, plans_dir)
    except PlanError:
        return None  # a plan removed since: the page still shows what was recorded


async def meeting_page(
    store: RecordStore, org_nr: str, period: str, plans_dir: Path
) -> MeetingPage:
    """The meeting of `org_nr` in `period` (e.g. 2027-H1); ActionError("meeting") if the records
    know none."""
    found = next((m for m in await store.list_meetings(org_nr) if m.period == period), None)
    if found is None:
        raise ActionError("meeting", _NOT_FOUND)
    provider = await store.get_provider(found.org_nr)
    contracts = await store.contracts_of(found.org_nr)
    plan_id = contracts[-1].plan_id if contracts else None
    plan = _plan(plan_id, plans_dir)
    owners = [Owner(PROVIDER_ROLE, "Utföraren")]
    if plan is not None:
        owners += [Owner(key, role.title) for key, role in plan.roles.items()]
    return MeetingPage(
        meeting=summary_of(found),
        provider_name=provider.name if provider else "",
        plan_id=plan_id,
        time_zone=plan.time_zone if plan else DEFAULT_ZONE,
        language=plan.language if plan else "sv",
        minutes=Minutes.model_validate(found.minutes) if found.minutes else None,
        owners=owners,
        sequence=found.sequence or 0,
        updated_at=found.updated_at,
        events=[
            _event(a.event_type, a.at, a.actor, a.details)
            for a in await store.list_audit(found.org_nr)
            if a.workflow_id == found.meeting_id
        ],
    )


@dataclass(frozen=True, slots=True)
class CalendarFile:
    filename: str
    content: str


async def calendar_file(
    store: RecordStore, org_nr: str, period: str, plans_dir: Path, mail_domain: str
) -> CalendarFile:
    """The booked meeting's .ics (METHOD:REQUEST, the invitation's UID and SEQUENCE);
    ActionError("meeting") if it has no booked time. The file name holds only the period."""
    page = await meeting_page(store, org_nr, period, plans_dir)
    m = page.meeting
    plan = _plan(page.plan_id, plans_dir)
    provider = await store.get_provider(m.org_nr)
    if not page.booked or m.starts_at is None or plan is None or provider is None:
        raise ActionError("meeting", "mötet har ingen bokad tid att lägga i en kalender")
    organizer = plan.roles[plan.meetings.organizer or plan.administrator_role]
    invite = CalendarInvite(
        meeting_id=m.meeting_id,
        org_nr=m.org_nr,
        method="REQUEST",
        sequence=page.sequence,
        starts_at=m.starts_at,
        ends_at=m.ends_at or m.starts_at + DEFAULT_DURATION,
        time_zone=plan.time_zone,
        summary=calendar_summary(plan.language, m.period, provider.name),
        description=calendar_description(organizer.title, organizer.email, provider.name, m.org_nr),
        place=m.place,
        # A link saved before links were checked would make icalendar refuse the file.
        link=usable_link(m.link),
        organizer_name=organizer.title,
        organizer_email=organizer.email,
        stamp=page.updated_at,  # the same file for the same booking
    )
    text = build_ics(invite, meeting_uid(m.meeting_id, mail_domain), provider.email, provider.name)
    stem = "opfolgningsmode" if plan.language == "da" else "uppfoljningsmote"
    return CalendarFile(f"{stem}-{m.period}.ics", text)
