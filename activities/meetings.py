"""Meeting activities: the calendar file (.ics) of an invitation.

Built with `icalendar` (RFC 5545). The UID is the meeting's workflow id at the mail domain, so
every invitation, reschedule and cancellation of one meeting refers to the same calendar event,
and calendar programs replace the earlier version when SEQUENCE grows. Everything in the file
comes from the request (workflow time for DTSTAMP) or the records, so a retried activity builds
the same file.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail import PERMANENT_FAILURE
from activities.stored_links import link_to_send
from models.messages.mail import MailAttachment
from models.messages.meeting import CalendarInvite
from models.records.store import RecordStore
from models.runtime.settings import Settings

PRODID = "-//lovflow//uppfoljningsmote//SV"
# The calendar event's title in the plan's language: the workflow's invitations and the desk's
# download (services/meeting_page.py) name a meeting the same way.
CALENDAR_SUMMARY = {
    "sv": "Uppföljningsmöte {period}: {provider}",
    "da": "Opfølgningsmøde {period}: {provider}",
}


def calendar_summary(language: str, period: str, provider_name: str) -> str:
    text = CALENDAR_SUMMARY.get(language, CALENDAR_SUMMARY["sv"])
    return text.format(period=period, provider=provider_name)


def calendar_description(
    organizer_title: str, organizer_email: str, provider_name: str, org_nr: str
) -> str:
    return f"{organizer_title}, {organizer_email}. {provider_name} ({org_nr})."


def meeting_uid(meeting_id: str, domain: str) -> str:
    return f"{meeting_id}@{domain}"


def build_ics(invite: CalendarInvite, uid: str, provider_email: str, provider_name: str) -> str:
    """The iCalendar text of one invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL)."""
    zone = ZoneInfo(invite.time_zone)
    start = invite.starts_at.astimezone(zone)
    end = invite.ends_at.astimezone(zone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", invite.method)
    # The VTIMEZONE lets calendar programs without the tz database read the local times.
    cal.add_component(
        Timezone.from_tzinfo(
            zone,
            tzid=invite.time_zone,
            first_date=date(start.year - 1, 1, 1),
            last_date=date(start.year + 1, 12, 31),
        )
    )
    event = Event()
    event.add("uid", uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.place:
        event.add("location", invite.place)
    elif invite.link:
        # A video meeting: the link is where people go, so it is the location too.
        event.add("location", invite.link)
    if invite.link:
        event.add("url", invite.link)
    event.add("status", "CANCELLED" if invite.method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{invite.organizer_email}")
    organizer.params["cn"] = vText(invite.organizer_name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{provider_email}")
    attendee.params["cn"] = vText(provider_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


class MeetingActivities:
    def __init__(self, settings: Settings, store: RecordStore) -> None:
        self._settings = settings
        self._store = store

    @activity.defn
    async def calendar_file(self, invite: CalendarInvite) -> MailAttachment:
        provider = await self._store.get_provider(invite.org_nr)
        if provider is None:
            raise ApplicationError(
                f"no provider on record for {invite.org_nr}",
                non_retryable=True,
                type=PERMANENT_FAILURE,
            )
        # A link saved before links were checked would make icalendar refuse the file for ever.
        invite = invite.model_copy(update={"link": link_to_send(invite.link, invite.meeting_id)})
        text = build_ics(
            invite,
            meeting_uid(invite.meeting_id, self._settings.mail_domain),
            provider.email,
            provider.name,
        )
        name = "avbokning.ics" if invite.method == "CANCEL" else "uppfoljningsmote.ics"
        return MailAttachment(
            filename=name,
            content_type=f"text/calendar; method={invite.method}; charset=UTF-8",
            content=text,
        )
