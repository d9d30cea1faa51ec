"""The start page, "Att göra", from the records: awaiting review, late (most escalated first),
due this week and this month, each row a link to its duty; open applications with their
decision date and open återkrav, each linked to its provider, and meetings of this year to book,
each linked to its meeting page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from models.domain.date_text import format_date
from tests.support.desk import add_accounts, desk_client, log_in, records
from tests.support.listings import AT, NORR, VAST, danish_settings_for, seed_records, settings_for
from web.render import sv_date, sv_number

ZONE = ZoneInfo("Europe/Stockholm")


async def test_the_start_page_lists_what_needs_doing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "manager")
    today = datetime.now(ZONE).date()
    monday = today - timedelta(days=today.weekday())
    rows = {
        # key: (period, due, status, overdue, level)
        "annual-report": (str(today.year - 1), today - timedelta(days=40), "open", True, 1),
        "annual-accounts": (str(today.year - 1), today - timedelta(days=20), "open", True, 3),
        "self-assessment": (str(today.year), today - timedelta(days=2), "submitted", False, 0),
        "quality-report": (str(today.year), monday + timedelta(days=6), "open", False, 0),
    }
    async with records(url) as store:
        for key, (period, due, status, overdue, level) in rows.items():
            await store.upsert_occurrence(
                f"obligation-5560360793-{key}-{period}",
                NORR,
                key,
                period,
                due,
                due,
                "administrator",
                status,
                overdue,
                level,
                AT,
            )
    settings = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as client:
        await log_in(client, "manager")
        html = (await client.get("/")).text
    sections = {
        name: html.split(f'<h2 id="{name}">', 1)[1].split("</section>", 1)[0]
        for name in ("awaiting", "late", "week")
    }
    link = f'href="/providers/5560360793/duties/self-assessment/{today.year}"'
    assert link in sections["awaiting"]
    late = sections["late"]
    # Most escalated first.
    assert late.index("annual-accounts") < late.index("annual-report")
    assert "<td>3</td>" in late and "försenad" in late
    assert "quality-report" in sections["week"]
    assert sv_date(monday + timedelta(days=6)) in sections["week"]


def _section(html: str, name: str) -> str:
    return html.split(f'<h2 id="{name}">', 1)[1].split("</section>", 1)[0]


async def test_the_start_page_lists_applications_meetings_and_recoveries(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "manager")
    year = datetime.now(ZONE).date().year
    later = AT + timedelta(days=400)  # newer than the seeded rows, so these writes count
    soon, far = date(year, 12, 20), date(year + 1, 2, 1)
    async with records(url) as store:
        # An applicant not yet a provider: no provider page, so its name is plain text.
        for wid, org, name, status, due in (
            ("application-5569999990-1", "556999-9990", "Nya Omsorgen AB", "received", far),
            ("application-5590010004-9", VAST, "Hemtjänst 100% Väst", "completion_requested", soon),
            ("application-5590010004-8", VAST, "Beslutad Omsorg AB", "approved", soon),
        ):
            await store.upsert_application(
                wid,
                org,
                status,
                later,
                submitted_at=later,
                data={
                    "plan_id": "sundsvall",
                    "provider_name": name,
                    "decision_due": due.isoformat(),
                },
            )
        for wid, org, period, status, start, end in (
            (
                "meeting-5560360793-x1",
                NORR,
                f"{year}-H9",
                "unscheduled",
                date(year, 9, 1),
                date(year, 12, 15),
            ),
            (
                "meeting-5590010004-x2",
                VAST,
                f"{year}-H8",
                "scheduled",
                date(year, 9, 1),
                date(year, 12, 15),
            ),
            (
                "meeting-5560360793-x3",
                NORR,
                f"{year + 1}-H7",
                "unscheduled",
                date(year + 1, 3, 1),
                date(year + 1, 6, 1),
            ),
        ):
            await store.upsert_meeting(
                wid, org, period, status, later, window_start=start, window_end=end
            )
        for case, status, claimed in (
            ("ÅK-OPEN-1", "noticed", "1250.50"),
            ("ÅK-PAID-1", "paid", "99"),
        ):
            await store.upsert_recovery(
                case, NORR, status, None, later, year=year, claimed_amount=Decimal(claimed)
            )
    settings = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as client:
        await log_in(client, "manager")
        html = (await client.get("/")).text

    applications = _section(html, "applications")
    # Undecided only, the nearest decision date first; each row links to its application.
    assert "Beslutad Omsorg AB" not in applications
    assert applications.index("Hemtjänst 100% Väst") < applications.index("Nya Omsorgen AB")
    assert f'<time datetime="{soon.isoformat()}">{sv_date(soon)}</time>' in applications
    assert sv_date(far) in applications
    assert 'href="/applications/application-5590010004-9">Hemtjänst 100% Väst</a>' in applications
    assert "komplettering begärd" in applications
    # An applicant that is not yet a provider too: the application has its own page.
    assert 'href="/applications/application-5569999990-1">Nya Omsorgen AB</a>' in applications
    # The seeded undecided application (received, no decision date yet).
    assert "inte bestämd" in applications

    meetings = _section(html, "meetings")
    assert f"{year}-H9" in meetings
    # Each row leads to its meeting page, where it is booked.
    assert f'href="/meetings/5560360793/{year}-H9">Omsorg i Norr AB</a>' in meetings
    assert f"{year}-H8" not in meetings  # booked already
    assert f"{year + 1}-H7" not in meetings  # next year's

    recoveries = _section(html, "recoveries")
    assert "ÅK-OPEN-1" in recoveries and "ÅK-PAID-1" not in recoveries
    assert f"{sv_number(Decimal('1250.50'), 2)} kr" in recoveries
    assert 'href="/providers/5560360793"' in recoveries


async def test_the_start_page_says_when_nothing_is_open(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "manager")
    async with records(url) as store:
        # The one undecided seeded application is decided now.
        await store.upsert_application(
            "application-5560360793-2", NORR, "rejected", AT + timedelta(days=400)
        )
    settings = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as client:
        await log_in(client, "manager")
        html = (await client.get("/")).text
    assert "Ingen ansökan väntar på beslut." in _section(html, "applications")
    assert "Inget återkrav pågår." in _section(html, "recoveries")


async def test_a_danish_desk_writes_the_start_page_in_danish(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "manager")
    today = datetime.now(ZONE).date()
    async with records(url) as store:
        await store.upsert_occurrence(
            f"obligation-5590010004-documentation-{today.year - 1}",
            VAST,
            "documentation",
            str(today.year - 1),
            today - timedelta(days=30),
            today - timedelta(days=30),
            "administrator",
            "open",
            True,
            2,
            AT,
        )
    settings = danish_settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as client:
        await log_in(client, "manager")
        html = (await client.get("/")).text
    assert '<html lang="da">' in html
    assert "<h1>Opgaver</h1>" in html and ">Leverandører</a>" in html and ">Møder</a>" in html
    assert ">Tilbagebetalingskrav</a>" in html and ">Frit valg</a>" in html
    assert ">Log ud</button>" in html and "(leder)" in html
    assert '<p class="flash" role="status">Velkommen, Manager.</p>' in html
    assert f"I dag er det {format_date(today, 'da')}." in html
    late = _section(html, "late")
    assert "<h2" not in late and "Forfaldsdato" in late and "for sent" in late
    assert format_date(today - timedelta(days=30), "da") in late
    # No Swedish left in the chrome.
    for swedish in ("Att göra", "Utförare", "Logga ut", "Förfaller", "försenad"):
        assert swedish not in html, swedish
