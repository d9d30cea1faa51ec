"""The desk's reports with the municipality's own tasks (issue 19): the compliance page's table
per role and per provider (the same service data as `lov report compliance`), and the
auditor's timeline naming a task's steps in words. Records only: fast."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from models.runtime.settings import Settings
from tests.support.compliance_records import AS_OF, NORRSKOG, PLANS_DIR, YEAR, seed_compliance_year
from tests.support.db_fixtures import open_store
from tests.support.desk import add_accounts, desk_client, log_in

QUERY = {"year": str(YEAR), "as_of": AS_OF.isoformat()}
AT = datetime(2027, 6, 18, 10, tzinfo=UTC)
TASK = "tillsynsbesok-2027-5561231233"
DETAILS = {"plan": "nordanstig", "task": TASK, "duty": "tillsynsbesok"}


async def test_reports_and_timeline_show_the_municipality_s_tasks(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    wid = "municipal-duties-nordanstig"
    async with open_store(url) as store:
        await store.upsert_municipal_task(
            "nordanstig",
            TASK,
            AT,
            duty="tillsynsbesok",
            owner="kvalitetsuppfoljare",
            scope="provider",
            org_nr=NORRSKOG[0],
            period="2027",
            due=date(2027, 5, 31),
            state="done-late",
            escalated=True,
            done_on=date(2027, 6, 17),
            done_by="Margareta Sjögren",
            result="Besök genomfört.",
            late=True,
        )
        steps = [
            ("escalation", "municipal-task-escalated", "system", {"manager": "management"}),
            (
                "done",
                "municipal-task-done",
                "Margareta Sjögren",
                {"done_on": "2027-06-17", "late": True, "escalated": True, "result": "Besök."},
            ),
        ]
        # A Danish plan's task (Herning's policy re-approval), read by its page in Danish.
        await store.upsert_municipal_task(
            "herning",
            "policy-approval-2027",
            AT,
            duty="policy-approval",
            owner="committee",
            scope="municipality",
            org_nr=None,
            period="2027",
            due=date(2027, 3, 1),
            state="escalated",
            escalated=True,
        )
        for key, event, actor, extra in steps:
            await store.record_audit(
                f"{TASK}:{key}", AT, NORRSKOG[0], wid, event, actor, DETAILS | extra
            )
    await add_accounts(url, "auditor")
    settings = Settings(database_url=url, plans_dir=PLANS_DIR, var_dir=tmp_path / "var")
    async with desk_client(settings) as client:
        await log_in(client, "auditor")
        page = (await client.get("/reports", params=QUERY)).text
        assert '<h2 id="municipal-tasks">Kommunens egna uppgifter</h2>' in page
        assert (
            '<tr data-role="kvalitetsuppfoljare"><th scope="row">Kvalitetsuppföljare/utredare'
            "</th><td>nordanstig</td><td>0</td><td>1</td><td>0</td><td>1</td></tr>"
        ) in page
        providers = page.split('<table class="municipal-providers">', 1)[1]
        assert f'<tr data-org-nr="{NORRSKOG[0]}">' in providers
        ref = NORRSKOG[0].replace("-", "")
        timeline = (await client.get(f"/reports/timeline/{ref}", params={"year": "2027"})).text
        for text in (
            "Kommunens uppgift: Tillsynsbesök med intervjuer av personal 2027",
            "Kommunens uppgift: försenad, lämnad till chefen (lämnad till: Socialchef)",
            "Kommunens uppgift: registrerad som utförd (utförd: 2027-06-17; för sent: ja;",
            "Margareta Sjögren",
        ):
            assert text in timeline, text
        danish = (await client.get("/tasks/herning/policy-approval-2027")).text
        assert '<html lang="da">' in danish
        for text in ("Social- og Sundhedsudvalget", "Går ved forsinkelse til", "sendt videre"):
            assert text in danish, text
        assert "Din rolle kan læse opgaverne, men ikke registrere dem." in danish
        listed = (await client.get("/tasks", params={"overdue": "1"})).text
        assert 'data-task="policy-approval-2027"' in listed and f'data-task="{TASK}"' not in listed
