"""Meeting activities: the calendar file (.ics) of an invitation, attached to its e-mail.

The file is built by models/domain/meeting_calendar.py (the desk's download builds it the same
way). Everything in it comes from the request (workflow time for DTSTAMP) or the records, so a
retried activity builds the same file.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail import PERMANENT_FAILURE
from activities.stored_links import link_to_send
from models.domain.meeting_calendar import build_ics, meeting_uid
from models.messages.mail import MailAttachment
from models.messages.meeting import CalendarInvite
from models.records.store import RecordStore
from models.runtime.settings import Settings


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
