"""The meetings pages: the list (to book, booked, held; by provider and period), one meeting's
page, its calendar file and the administrator's actions (book, reschedule, cancel, minutes).

From the records alone: the lists and filters, the page, the .ics (in the plan's time zone and
language), every refusal made before Temporal is asked, and the 403 for the roles that may not
act. Against the dev server with a real worker and SMTP: each action as the logged-in user, and
each of the workflow's refusals shown next to its field with the meeting unchanged and no e-mail.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from icalendar import Calendar

from models.runtime.settings import Settings
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.helpers import eventually, free_port
from tests.support.listings import seed_records, settings_for
from tests.support.meeting_desk import MeetingDesk
from tests.support.plans import local_today
from web.app import ROUTERS

ZONE = ZoneInfo("Europe/Stockholm")
NORR_H1 = "/meetings/5560360793/2027-H1"  # booked: 30 April 2027 23.30 local time
NORR_H2 = "/meetings/5560360793/2027-H2"  # not booked
VAST_H2 = "/meetings/5590010004/2026-H2"  # booked, plan herning (Danish)


def section(html: str, name: str) -> str:
    return html.split(f'<h2 id="{name}">', 1)[1].split("</section>", 1)[0]


def field_error(html: str, field: str) -> str:
    """The message shown next to the form field with this id ("" if none)."""
    marker = f'<p class="field-error" id="{field}-error">'
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("</p>", 1)[0]


def meeting_posts() -> list[str]:
    return sorted(
        route.path  # type: ignore[attr-defined]
        for router in ROUTERS
        for route in router.routes
        if route.path.startswith("/meetings/")  # type: ignore[attr-defined]
        and "POST" in route.methods  # type: ignore[attr-defined]
    )


@pytest_asyncio.fixture
async def seeded(tmp_path: Path) -> Settings:
    """The listings' records (meetings of two providers, plans sundsvall and herning); a
    Temporal address nothing listens on, so an action that got as far as Temporal would fail."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator", "auditor", "manager")
    return settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )


@pytest_asyncio.fixture
async def admin(seeded: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(seeded) as client:
        await log_in(client, "administrator")
        yield client


async def _meetings_as_recorded(settings: Settings) -> dict[str, tuple[str, object]]:
    assert settings.database_url is not None
    async with records(settings.database_url) as store:
        return {m.meeting_id: (m.status, m.scheduled_at) for m in await store.list_meetings()}


# --- the list -------------------------------------------------------------------------------------


async def test_the_list_groups_meetings_and_links_each_to_its_page(
    admin: httpx.AsyncClient,
) -> None:
    html = (await admin.get("/meetings?from=2026-01-01&to=2027-12-31")).text
    assert 'href="/meetings" aria-current="page">Möten</a>' in html
    to_book, booked, held = section(html, "to-book"), section(html, "booked"), section(html, "held")
    assert f'href="{NORR_H2}">Omsorg i Norr AB</a>' in to_book and "2027-H2" not in booked
    # Booked, in time order, at the local time (23.30 on 30 April is 21.30 UTC).
    assert booked.index(VAST_H2) < booked.index(NORR_H1)
    assert "30 april 2027 kl. 23.30" in booked and "Stadshuset" in booked
    assert 'href="/meetings/5590010004/2027-H1"' in held and "1 maj 2027 kl. 00.30" in held

    # One provider (chosen by its address name), all periods.
    only = (await admin.get("/meetings?provider=5590010004&from=&to=")).text
    assert "/meetings/5560360793/" not in only
    assert VAST_H2 in only and "/meetings/5590010004/2027-H1" in only
    # A period: April 2027 holds only Norr's booked meeting.
    april = (await admin.get("/meetings?from=2027-04-01&to=2027-04-30")).text
    assert NORR_H1 in april and VAST_H2 not in april and NORR_H2 not in april
    # Without a chosen period: this year's, and the form says so.
    year = local_today().year
    default = (await admin.get("/meetings")).text
    assert f'value="{year}-01-01"' in default and f'value="{year}-12-31"' in default


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2027-02-30", "from", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ("from=2027-05-01&to=2027-04-30", "to", "Före från-datumet"),
        ("provider=6408233234", "provider", "Välj en utförare i listan"),
        ("provider=okand", "provider", "Välj en utförare i listan"),
        ("state=bokat", "state", "Okänt läge"),
    ],
)
async def test_a_bad_filter_is_shown_next_to_it(
    admin: httpx.AsyncClient, query: str, field: str, message: str
) -> None:
    response = await admin.get(f"/meetings?{query}")
    assert response.status_code == 400
    assert message in field_error(response.text, field), response.text
    assert f'aria-describedby="{field}-error"' in response.text


# --- one meeting and its calendar file -----------------------------------------------------------


async def test_the_meeting_page_shows_the_booking_and_offers_its_calendar_file(
    admin: httpx.AsyncClient,
) -> None:
    html = (await admin.get(NORR_H1)).text
    assert "<h1>Uppföljningsmöte 2027-H1</h1>" in html
    assert "30 april 2027 kl. 23.30" in html and "Stadshuset" in html
    assert f'href="{NORR_H1}/kalender.ics"' in html
    # Booked: it may be moved or called off, not booked again.
    assert "Flytta mötet" in html and "Ställ in mötet" in html and "Boka mötet" not in html

    unbooked = (await admin.get(NORR_H2)).text
    assert "Boka mötet" in unbooked and "kalender.ics" not in unbooked
    assert (await admin.get(NORR_H2 + "/kalender.ics")).status_code == 404
    for missing in ("/meetings/5560360793/2031-H1", "/meetings/6408233234/2027-H1"):
        assert (await admin.get(missing)).status_code == 404, missing


async def test_the_calendar_file_has_the_local_start_and_no_personal_data_in_its_name(
    admin: httpx.AsyncClient,
) -> None:
    response = await admin.get(NORR_H1 + "/kalender.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"] == (
        'attachment; filename="uppfoljningsmote-2027-H1.ics"'
    )
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == datetime(2027, 4, 30, 23, 30, tzinfo=ZONE)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert str(event["UID"]) == "meeting-5560360793-2027-H1@lovflow.invalid"
    assert str(event["LOCATION"]) == "Stadshuset"
    assert str(event["SUMMARY"]) == "Uppföljningsmöte 2027-H1: Omsorg i Norr AB"

    # A Danish plan's meeting: the file in Danish (the plan's language).
    danish = await admin.get(VAST_H2 + "/kalender.ics")
    assert 'filename="opfolgningsmode-2026-H2.ics"' in danish.headers["content-disposition"]
    (event,) = Calendar.from_ical(danish.content).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Opfølgningsmøde 2026-H2")
    assert event.decoded("DTSTART") == datetime(2026, 10, 12, 10, 0, tzinfo=ZONE)


# --- who may act, and the refusals made before Temporal is asked ---------------------------------


@pytest.mark.parametrize("role", ["auditor", "manager"])
async def test_who_may_not_act_gets_403_on_every_meeting_action(
    seeded: Settings, role: str
) -> None:
    before = await _meetings_as_recorded(seeded)
    posts = meeting_posts()
    assert [p.rsplit("/", 1)[1] for p in posts] == ["book", "cancel", "minutes", "reschedule"]
    async with desk_client(seeded) as client:
        await log_in(client, role)
        html = (await client.get(NORR_H2)).text
        assert 'id="actions"' not in html  # nothing offered …
        csrf = await token(client)
        for path in posts:
            concrete = path.format(ref="5560360793", period="2027-H2")
            response = await client.post(
                concrete,
                data={
                    "csrf_token": csrf,
                    "at": "2027-10-05T10:00",
                    "place": "Stadshuset",
                    "reason": "x",
                    "summary": "x",
                    "attendees": "x",
                },
            )
            # … and nothing done when sent anyway.
            assert response.status_code == 403, path
            assert "Din roll får inte göra detta" in response.text
    assert await _meetings_as_recorded(seeded) == before


BOOK = {"at": "2027-10-05T10:00", "duration": "90", "place": "Stadshuset", "link": "", "reason": ""}


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("book", BOOK | {"at": ""}, "book-at", "Måste fyllas i"),
        ("book", BOOK | {"at": "i morgon 10"}, "book-at", "Ange datum och klockslag"),
        (
            "book",
            BOOK | {"at": "9999-12-31T10:00"},
            "book-at",
            "Måste ligga mellan 1 januari 1990 och",
        ),
        ("book", BOOK | {"link": "https://meet.example/r3"}, "book-place", "inte båda"),
        ("book", BOOK | {"place": "", "link": "javascript:alert(1)"}, "book-link", ""),
        ("book", BOOK | {"place": "Rum 3" + "x" * 300}, "book-place", "Högst 300 tecken"),
        ("book", BOOK | {"duration": "en timme"}, "book-duration", "hela minuter"),
        ("reschedule", BOOK | {"at": ""}, "reschedule-at", "Måste fyllas i"),
        ("cancel", {"reason": "  "}, "cancel-reason", "Måste fyllas i"),
        ("minutes", {"summary": "", "attendees": "Karin"}, "minutes-summary", "sammanfattning"),
        ("minutes", {"summary": "Bra", "attendees": " \n "}, "minutes-attendees", "en per rad"),
        (
            "minutes",
            {"summary": "Bra", "attendees": "Karin", "action_2_due": "2027-13-01"},
            "minutes-action-2-due",
            "ÅÅÅÅ-MM-DD",
        ),
        (
            "minutes",
            {"summary": "Bra", "attendees": "Karin", "action_1_due": "2027-12-01"},
            "minutes-action-1-text",
            "Beskriv åtgärden",
        ),
    ],
)
async def test_bad_input_is_shown_next_to_its_field_and_nothing_is_done(
    admin: httpx.AsyncClient,
    seeded: Settings,
    action: str,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = await _meetings_as_recorded(seeded)
    path = NORR_H1 if action in ("reschedule", "minutes") else NORR_H2
    csrf = await token(admin, path)
    response = await admin.post(f"{path}/{action}", data={"csrf_token": csrf, **data})
    assert response.status_code == 400, response.text
    shown = field_error(response.text, field)
    assert shown and message in shown, (field, shown)
    assert re.search(f'aria-describedby="[^"]*{field}-error"', response.text), field
    # What was typed is kept.
    for name, value in data.items():
        if value.strip() and name in ("place", "reason", "summary"):
            assert f">{value}</textarea>" in response.text or f'value="{value}"' in response.text
    # Refused before Temporal was asked (nothing listens there): no "Temporal" message.
    assert "Temporal" not in response.text
    assert await _meetings_as_recorded(seeded) == before


async def test_a_lost_temporal_is_said_and_the_form_kept(admin: httpx.AsyncClient) -> None:
    csrf = await token(admin, NORR_H2)
    lost = await admin.post(
        NORR_H2 + "/book", data={"csrf_token": csrf, "request_id": "desk-meeting-1", **BOOK}
    )
    assert lost.status_code == 503
    assert "Temporal svarar inte just nu, så inget har ändrats" in lost.text
    assert 'name="request_id" value="desk-meeting-1"' in lost.text
    assert 'value="2027-10-05T10:00"' in lost.text


# --- against the workflow ---------------------------------------------------------------------


def _local_input(at: datetime) -> str:
    return at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M:%S")


async def _post(desk: MeetingDesk, action: str, data: dict[str, str]) -> httpx.Response:
    csrf = await token(desk.client, desk.path)
    return await desk.client.post(f"{desk.path}/{action}", data={"csrf_token": csrf, **data})


def _tomorrow_at(hour: int, year: int) -> tuple[datetime, dict[str, str]]:
    """Tomorrow at `hour`, local; with a reason when tomorrow lies outside the plan's window
    (the test plan's window is the whole of `year`)."""
    day = local_today() + timedelta(days=1)
    when = datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)
    return when, ({} if when.year == year else {"reason": "Årsskiftet"})


async def test_booking_moving_and_cancelling_as_the_logged_in_user(
    meeting_desk: MeetingDesk,
) -> None:
    desk = meeting_desk
    when, extra = _tomorrow_at(10, desk.year)
    late = when.replace(hour=23)
    yesterday = when - timedelta(days=2)
    refusals = [
        # The test plan's office hours end at 23:59:59: 23.00–00.30 ends outside them.
        ({"at": _local_input(late), "place": "Rum 3"}, "book-at", "utanför kontorstiden"),
        ({"at": _local_input(yesterday), "place": "Rum 3"}, "book-at", "Tiden har redan varit"),
        ({"at": _local_input(when), **extra}, "book-place", "Ange en plats eller en länk"),
        (
            {"at": _local_input(when), "place": "Rum 3", "duration": "5", **extra},
            "book-duration",
            "Mellan 15 och 480 minuter",
        ),
    ]
    for data, field, message in refusals:
        refused = await _post(desk, "book", data)
        assert refused.status_code == 400, (data, refused.text)
        assert message in field_error(refused.text, field), (field, refused.text)
    assert (await desk.status()).status == "unscheduled"
    assert desk.smtp.messages == []

    booked = await _post(
        desk, "book", {"at": _local_input(when), "place": "Stadshuset, rum 3", **extra}
    )
    assert (booked.status_code, booked.headers["location"]) == (303, desk.path)
    page = (await desk.client.get(desk.path)).text
    assert "Bokat: uppföljningsmöte" in page and "Stadshuset, rum 3" in page
    status = await desk.status()
    assert status.status == "scheduled" and status.meeting is not None
    assert status.meeting.starts_at == when and status.meeting.actor == "administrator"
    (invitation,) = await desk.smtp.wait_for(1)
    assert invitation["X-Lov-Kind"] == "meeting-invitation"

    # The download is the invitation's event: same UID, SEQUENCE and local start.
    ics = await desk.client.get(desk.path + "/kalender.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert f'filename="uppfoljningsmote-{desk.year}-H1.ics"' in ics.headers["content-disposition"]
    (event,) = Calendar.from_ical(ics.content).walk("VEVENT")
    (part,) = [p for p in invitation.iter_attachments() if p.get_content_type() == "text/calendar"]
    (mailed,) = Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event.decoded("DTSTART") == when == mailed.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert str(event["UID"]) == str(mailed["UID"]) == f"{desk.wid}@lovflow.invalid"
    assert event.decoded("SEQUENCE") == mailed.decoded("SEQUENCE") == 0

    # The workflow's refusals, above the forms: booked already; not held yet.
    desk.smtp.clear()
    again = await _post(desk, "book", {"at": _local_input(when), "place": "Rum 3", **extra})
    assert again.status_code == 400 and "Mötet är redan bokat" in again.text
    early = await _post(desk, "minutes", {"summary": "Bra", "attendees": "Karin"})
    assert early.status_code == 400 and "Mötet har inte hållits än" in early.text
    assert 'class="form-error"' in early.text

    # Moved a day later; without a place the earlier one is kept.
    later = when + timedelta(days=1)
    moved_extra = {} if later.year == desk.year else {"reason": "Årsskiftet"}
    moved = await _post(desk, "reschedule", {"at": _local_input(later), **moved_extra})
    assert moved.status_code == 303, moved.text
    status = await desk.status()
    assert status.meeting is not None and status.meeting.starts_at == later
    assert status.meeting.place == "Stadshuset, rum 3"
    (second,) = await desk.smtp.wait_for(1)
    assert second["X-Lov-Kind"] == "meeting-invitation"
    (event,) = Calendar.from_ical(
        (await desk.client.get(desk.path + "/kalender.ics")).content
    ).walk("VEVENT")
    assert event.decoded("DTSTART") == later and event.decoded("SEQUENCE") == 1

    desk.smtp.clear()
    no_reason = await _post(desk, "cancel", {"reason": ""})
    assert no_reason.status_code == 400 and field_error(no_reason.text, "cancel-reason")
    assert (await desk.status()).status == "scheduled" and desk.smtp.messages == []
    cancelled = await _post(desk, "cancel", {"reason": "Ersätts av tillsynsbesök"})
    assert cancelled.status_code == 303
    assert (await desk.status()).status == "cancelled"
    (cancellation,) = await desk.smtp.wait_for(1)
    assert cancellation["X-Lov-Kind"] == "meeting-cancelled"
    page = (await desk.client.get(desk.path)).text
    assert "Inställt: uppföljningsmöte" in page
    # The window is still open: it may be booked again, and there is no time to download.
    assert "Boka mötet" in page and "kalender.ics" not in page
    # The audit trail names the logged-in user as the actor of each step.
    events = section(page, "events")
    assert "bokat av administrator" in events and "ny tid av administrator" in events
    assert "inställt av administrator" in events and "Ersätts av tillsynsbesök" in events


async def test_minutes_with_action_items_after_the_meeting(meeting_desk: MeetingDesk) -> None:
    desk = meeting_desk
    # A meeting a few seconds from now (with a reason: in the evening it would end after the
    # office hours), so it takes place during the test.
    soon = datetime.now(ZONE).replace(microsecond=0) + timedelta(seconds=15)
    booked = await _post(
        desk, "book", {"at": _local_input(soon), "place": "Stadshuset", "reason": "Snart"}
    )
    assert booked.status_code == 303, booked.text

    async def took_place() -> None:
        assert (await desk.status()).status == "awaiting_minutes"

    await eventually(took_place, timeout=75)
    page = (await desk.client.get(desk.path)).text
    assert "Registrera protokoll" in page
    desk.smtp.clear()

    today = local_today()
    good = {
        "summary": "Genomgång av egenkontrollen",
        "attendees": "Karin Kvalitet\nPer Verksamhetschef\n",
        # Row 1 left empty: the refusal below must still name row 2.
        "action_1_owner": "provider",
        "action_2_owner": "provider",
        "action_2_due": (today + timedelta(days=20)).isoformat(),
        "action_2_text": "Uppdatera rutinen för nyckelhantering",
        "action_3_owner": "lov-admin",
        "action_3_due": (today + timedelta(days=10)).isoformat(),
        "action_3_text": "Skicka ny mall",
    }
    past = await _post(desk, "minutes", good | {"action_2_due": today.isoformat()})
    assert past.status_code == 400
    assert "Måste vara efter i dag" in field_error(past.text, "minutes-action-2-due"), past.text
    assert ">Genomgång av egenkontrollen</textarea>" in past.text
    assert (await desk.status()).status == "awaiting_minutes" and desk.smtp.messages == []

    recorded = await _post(desk, "minutes", good)
    assert recorded.status_code == 303, recorded.text
    status = await desk.status()
    assert status.status == "held" and status.minutes is not None
    assert status.minutes.actor == "administrator"
    assert status.minutes.attendees == ["Karin Kvalitet", "Per Verksamhetschef"]
    first, second = status.minutes.actions
    assert first.owner == "provider" and first.obligation_workflow_id is not None
    assert second.owner == "lov-admin" and second.obligation_workflow_id is None
    (minutes_mail,) = await desk.smtp.wait_for(1)
    assert minutes_mail["X-Lov-Kind"] == "meeting-minutes"

    page = (await desk.client.get(desk.path)).text
    assert "Protokoll registrerat: uppföljningsmöte" in page
    minutes = section(page, "minutes")
    assert "Genomgång av egenkontrollen" in minutes and "Per Verksamhetschef" in minutes
    assert "Uppdatera rutinen för nyckelhantering" in minutes
    assert "följs upp som skyldighet" in minutes and "LOV-administratör" in minutes
    # Held: nothing more to do.
    assert "Inga åtgärder: mötet är hållet" in page
