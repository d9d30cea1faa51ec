"""A meeting link stored before links were checked (a running workflow's state) is left out of
the calendar file and the e-mails instead of failing their activities for ever
(activities/stored_links.py). The real activities, a real SQLite records database and a real
SMTP server; the inputs are what the meeting workflow sends for such a meeting."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities
from activities.meetings import MeetingActivities
from activities.rendering import Renderer
from models.messages.mail import MailRequest
from models.messages.meeting import CalendarInvite
from models.plans.schema import Role
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.runtime.settings import PROJECT_ROOT, Settings
from tests.support.helpers import ReceivedMail

ORG = "556036-0793"
PROVIDER_EMAIL = "kontakt@omsorg.example"
ORGANIZER = Role(title="Kvalitetskontroller", email="kvalitetskontroller@kommun.example")
GOOD = "https://meet.example/uppfoljning-2031"
# As the workflow keeps it: stripped at the ends, the line break inside.
INJECTED = "https://meet.example/a\r\nATTENDEE;CN=Evil:mailto:evil@attacker.example"
STARTS = datetime(2031, 4, 22, 7, 0, tzinfo=UTC)


@dataclass
class Activities:
    meetings: MeetingActivities
    mail: MailActivities


@pytest.fixture
async def activities(tmp_path: Path, smtp_server: ReceivedMail) -> AsyncIterator[Activities]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    settings = Settings(
        var_dir=tmp_path, database_url=url, smtp_host=smtp_server.host, smtp_port=smtp_server.port
    )
    engine = make_engine(url)
    store = RecordStore(make_session_factory(engine))
    await store.upsert_provider(
        ORG, "Omsorg i Norr AB", PROVIDER_EMAIL, STARTS - timedelta(days=90)
    )
    try:
        yield Activities(
            MeetingActivities(settings, store),
            MailActivities(settings, store, Renderer(PROJECT_ROOT / "templates")),
        )
    finally:
        await engine.dispose()


def invite(meeting_id: str, link: str, place: str = "") -> CalendarInvite:
    return CalendarInvite(
        meeting_id=meeting_id,
        org_nr=ORG,
        method="REQUEST",
        sequence=1,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        time_zone="Europe/Stockholm",
        summary="Uppföljningsmöte 2031-H1: Omsorg i Norr AB",
        description="Kvalitetskontroller, kvalitetskontroller@kommun.example.",
        place=place,
        link=link,
        organizer_name=ORGANIZER.title,
        organizer_email=ORGANIZER.email,
        stamp=STARTS - timedelta(days=30),
    )


def invitation(meeting_id: str, link: str) -> MailRequest:
    """The rescheduled meeting's invitation as workflows/meeting.py `_mail` builds it."""
    return MailRequest(
        key=f"{meeting_id}:invitation:1",
        kind="meeting-invitation",
        template="meeting-invitation",
        language="sv",
        to_roles=["provider", "kvalitetskontroller"],
        roles={"kvalitetskontroller": ORGANIZER},
        org_nr=ORG,
        workflow_id=meeting_id,
        obligation="meeting",
        period="2031-H1",
        at=STARTS - timedelta(days=30),
        context={
            "provider_name": "Omsorg i Norr AB",
            "org_nr": ORG,
            "period": "2031-H1",
            "window_start": "2031-03-01",
            "window_end": "2031-06-16",
            "organizer_title": ORGANIZER.title,
            "organizer_email": ORGANIZER.email,
            "admin_title": "LOV-administratör",
            "admin_email": "lov-admin@kommun.example",
            "scheduled": True,
            "starts_at": STARTS.isoformat(),
            "ends_at": (STARTS + timedelta(hours=1)).isoformat(),
            "place": "",
            "link": link,
            "sequence": 1,
            "reason": "",
            "earlier_starts_at": (STARTS - timedelta(days=1)).isoformat(),
            "summary": "",
            "attendees": [],
            "actions": [],
        },
    )


def meeting_id() -> str:
    return f"meeting-5560360793-2031-H1-{uuid.uuid4().hex[:8]}"


async def test_a_stored_link_with_a_line_break_is_left_out_and_the_invitation_goes_out(
    activities: Activities, smtp_server: ReceivedMail, caplog: pytest.LogCaptureFixture
) -> None:
    meeting = meeting_id()
    caplog.set_level(logging.WARNING, logger="activities.stored_links")
    # Failed on every attempt before (icalendar: "A URI value may not contain CR or LF").
    attachment = await ActivityEnvironment().run(
        activities.meetings.calendar_file, invite(meeting, INJECTED)
    )
    cal = Calendar.from_ical(attachment.content)
    (event,) = cal.walk("VEVENT")
    assert "URL" not in event and "LOCATION" not in event
    assert "evil" not in attachment.content and "meet.example" not in attachment.content
    # One attendee, the provider: the link added none.
    assert str(event["ATTENDEE"]) == f"mailto:{PROVIDER_EMAIL}"
    assert str(event["UID"]).startswith(meeting)

    result = await ActivityEnvironment().run(
        activities.mail.send_mail, invitation(meeting, INJECTED)
    )
    [message] = await smtp_server.wait_for(1)
    assert result.delivered and result.recipients == [PROVIDER_EMAIL, ORGANIZER.email]
    body = message.get_content()
    assert "evil" not in body and "meet.example" not in body
    assert "Länken till mötet kunde inte tas med här" in body

    # One line for the administrator, naming the meeting and what to do, not one per use.
    warnings = [r for r in caplog.records if r.name == "activities.stored_links"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    text = warnings[0].getMessage()
    assert meeting in text and "left out" in text and "--link" in text
    assert "\n" not in text and "evil" not in text


@pytest.mark.parametrize("stored", ["ftp://meet.example/a", "https://meet.example/a b"])
async def test_other_stored_links_that_are_not_urls_are_left_out(
    activities: Activities, stored: str
) -> None:
    attachment = await ActivityEnvironment().run(
        activities.meetings.calendar_file, invite(meeting_id(), stored, place="Stadshuset")
    )
    (event,) = Calendar.from_ical(attachment.content).walk("VEVENT")
    assert "URL" not in event and str(event["LOCATION"]) == "Stadshuset"


async def test_a_good_stored_link_is_kept(
    activities: Activities, smtp_server: ReceivedMail, caplog: pytest.LogCaptureFixture
) -> None:
    meeting = meeting_id()
    caplog.set_level(logging.WARNING, logger="activities.stored_links")
    attachment = await ActivityEnvironment().run(
        activities.meetings.calendar_file, invite(meeting, GOOD)
    )
    (event,) = Calendar.from_ical(attachment.content).walk("VEVENT")
    assert str(event["URL"]) == GOOD and str(event["LOCATION"]) == GOOD
    await ActivityEnvironment().run(activities.mail.send_mail, invitation(meeting, GOOD))
    [message] = await smtp_server.wait_for(1)
    body = message.get_content()
    assert f"Länk till mötet: {GOOD}" in body and "kunde inte tas med" not in body
    assert not [r for r in caplog.records if r.name == "activities.stored_links"]
