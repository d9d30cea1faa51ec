"""The start page, "Att göra", from the records: awaiting review, late (most escalated first),
due this week and this month, each row a link to its duty."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.desk import add_accounts, desk_client, log_in, records
from tests.support.listings import AT, NORR, seed_records, settings_for
from web.render import sv_date

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
