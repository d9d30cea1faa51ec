"""The calendar file (.ics) of a meeting invitation, for the meeting activity that mails it and for
the desk's download (services/meeting_page.py), so both name and build a meeting the same way.

Built with `icalendar` (RFC 5545). The UID is the meeting's workflow id at the mail domain, so
every invitation, reschedule and cancellation of one meeting refers to the same calendar event,
and calendar programs replace the earlier version when SEQUENCE grows. Everything in the file
comes from the invite, so building it again gives the same file.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from models.messages.meeting import CalendarInvite

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
