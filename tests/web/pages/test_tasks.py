"""Kommunens uppgifter in the desk (issue 19 + issue 17): the list with its filters, the start
page's section for the user's role, and the form that registers a task as done through
services/municipal_tasks.py, against the dev server with a real worker, SQLite records and
SMTP. A refusal is shown next to its field and writes nothing (no document, no Update, no
audit event); an auditor's POST is refused with 403; the logged-in user is the default "by".

The plan is Nordanstig's, copied under an id of its own (the dev server is shared) with the
tillsynsbesök due on 31 December, so that in real time this year's visit is still to be done;
a late task (escalated to the socialchef) is written to the records as the workflow writes
them, for the filters and the manager's start page."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from models.messages.common import Provider
from services import municipal_tasks
from tests.support.contract_cli import Lov
from tests.support.db_fixtures import open_store
from tests.support.desk import add_accounts, desk_client, log_in
from tests.support.desk_forms import desk_as, desk_settings, field_error, send
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.listings import seed_records, settings_for
from tests.support.municipal import under_plan
from tests.support.plans import local_today

PLANS = Path(__file__).resolve().parents[3] / "plans"
PDF = b"%PDF-1.4 besoksrapport\n"


def _plan(lov: Lov) -> str:
    """Nordanstig's plan under a fresh id, in the worker's plans folder."""
    plan_id = f"kommun-{uuid.uuid4().hex[:8]}"
    text = (PLANS / "nordanstig.toml").read_text(encoding="utf-8")
    text = text.replace('id = "nordanstig"', f'id = "{plan_id}"', 1)
    visit = "opens = { month = 3, day = 1 }\ndue = { month = 5, day = 31 }"
    assert visit in text
    text = text.replace(visit, "opens = { month = 1, day = 1 }\ndue = { month = 12, day = 31 }")
    (lov.tmp / "plans" / f"{plan_id}.toml").write_text(text, encoding="utf-8")
    return plan_id


async def _post(
    client: httpx.AsyncClient, action: str, data: dict[str, str], document: bytes | None = None
) -> httpx.Response:
    page = await client.get(action)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    files = {"document": ("rapport.pdf", document, "application/pdf")} if document else None
    return await client.post(action, data={"csrf_token": csrf, **data}, files=files)


async def test_task_list_start_page_and_registration(records_lov: Lov) -> None:
    lov = records_lov
    settings = desk_settings(lov)
    url = settings.database_url
    assert url is not None
    plan_id = _plan(lov)
    org = random_org_nr()
    async with open_store(url) as store:
        part = await under_plan(
            store,
            Provider(org_nr=org, name="Tallbackens Omsorg AB", email="info@tallbacken.example"),
            plan_id,
            date(2025, 1, 1),
            datetime.now(UTC),
        )
        await municipal_tasks.ensure_started(
            lov.client, lov.env["LOV_TEMPORAL_TASK_QUEUE"], plan_id
        )
        year = local_today().year
        visit = f"tillsynsbesok-{year}-{part}"

        async def recorded() -> None:
            tasks = {t.task_id for t in await store.list_municipal_tasks(plan_id)}
            assert visit in tasks, tasks

        await eventually(recorded, timeout=20)
        late = f"kundundersokning-{year - 1}"
        await store.upsert_municipal_task(
            plan_id,
            late,
            datetime.now(UTC),
            duty="kundundersokning",
            owner="kvalitetsuppfoljare",
            scope="municipality",
            org_nr=None,
            period=str(year - 1),
            due=date(year - 1, 11, 30),
            state="escalated",
            escalated=True,
        )
    await add_accounts(url, "administrator", "manager", "auditor")
    href = f"/tasks/{plan_id}/{visit}"

    async with desk_as(settings, "administrator") as client:
        start = (await client.get("/")).text
        assert "Kommunens egna uppgifter" in start
        assert f'<a href="{href}">Tillsynsbesök med intervjuer av personal {year}</a>' in start
        assert '<a href="/tasks"' in start  # the menu
        assert f'data-task="{late}"' in start
        listed = (await client.get(f"/tasks?plan={plan_id}")).text
        assert f'data-task="{visit}"' in listed and "Tallbackens Omsorg AB" in listed
        assert "Kvalitetsuppföljare/utredare" in listed and "aktuell" in listed
        overdue = (await client.get(f"/tasks?plan={plan_id}&overdue=1")).text
        assert f'data-task="{visit}"' not in overdue
        assert f'data-task="{late}"' in overdue and "försenad, lämnad till chefen" in overdue
        by_role = await client.get(f"/tasks?plan={plan_id}&role=kvalitetsuppfoljare&state=due")
        assert f'data-task="{late}"' not in by_role.text and f'data-task="{visit}"' in by_role.text
        bad = await client.get("/tasks?role=nobody")
        assert bad.status_code == 400
        assert "Okänd roll" in field_error(bad.text, "f-role")
        page = (await client.get(href)).text
        assert 'value="Administrator"' in page  # who is logged in does it, unless told
        assert "Socialchef" in page

        documents = settings.var_dir / "documents"
        good = {
            "done_on": local_today().isoformat(),
            "by": "Margareta Sjögren",
            "result": "Besök och intervjuer med tre medarbetare; rutinerna följs.",
            "findings": "Nyckelkvittenser saknades för två kunder\n",
        }
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        refusals = [
            ({"done_on": ""}, None, "t-done-on", "Ange ett datum"),
            ({"done_on": tomorrow}, None, "t-done-on", "har inte varit än"),
            ({"result": " "}, None, "t-result", "Beskriv vad uppgiften visade"),
            ({}, b"bara text", "t-document", "ingen PDF"),
        ]
        async with open_store(url) as store:
            audit_before = len(await store.list_audit())
        for change, document, field, message in refusals:
            response = await _post(client, href, good | change, document)
            assert response.status_code == 400, (change, response.status_code)
            assert message in field_error(response.text, field), change
        async with open_store(url) as store:
            assert len(await store.list_audit()) == audit_before
            [row] = [t for t in await store.list_municipal_tasks(plan_id) if t.task_id == visit]
            assert row.state == "due"
        assert not documents.exists() or not any(documents.rglob("*"))

        done = await _post(client, href, good, PDF)
        assert (done.status_code, done.headers["location"]) == (303, href), done.text
        page = (await client.get(href)).text
        assert "utförd i tid" in page and "Margareta Sjögren" in page
        assert "Registrera som utförd" not in page
        assert any(p.is_file() for p in documents.rglob("*"))
        assert f'data-task="{visit}"' not in (await client.get("/")).text

    survey = f"/tasks/{plan_id}/{late}"
    async with desk_as(settings, "auditor") as client:
        refused = await send(client, survey, good, on="/tasks")
        assert refused.status_code == 403
        page = (await client.get(survey)).text
        assert "Registrera som utförd" not in page and "inte registrera" in page
        assert f'data-task="{visit}"' not in (await client.get("/")).text
    async with desk_as(settings, "manager") as client:
        start = (await client.get("/")).text
        assert f'data-task="{late}"' in start  # late: the manager's
        assert f'data-task="{visit}"' not in start  # done
    async with open_store(url) as store:
        assert len(await store.list_audit()) == audit_before + 1


async def test_a_herning_task_is_refused_in_danish(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    year = local_today().year
    task_id = f"visitation-quality-{year}"
    async with open_store(url) as store:
        await store.upsert_municipal_task(
            "herning",
            task_id,
            datetime.now(UTC),
            duty="visitation-quality",
            owner="visitation-lead",
            scope="municipality",
            org_nr=None,
            period=str(year),
            due=date(year, 12, 31),
            state="due",
            escalated=False,
        )
    # A Swedish desk: the task speaks its plan's language, Danish, refusals too.
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    href = f"/tasks/herning/{task_id}"
    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        data = {"done_on": local_today().isoformat(), "by": "Mette Hansen", "result": " "}
        refused = await send(client, href, data, on=href)
        assert refused.status_code == 400
        assert field_error(refused.text, "t-result") == "Beskriv, hvad opgaven viste"
        data = {"done_on": "", "by": "Mette Hansen", "result": "Gennemgået"}
        refused = await send(client, href, data, on=href)
        assert field_error(refused.text, "t-done-on") == "Angiv en dato"


async def test_a_cancelled_task_is_shown_as_cancelled_not_late(tmp_path: Path) -> None:
    """Its provider's contract ended before it was due: the row stays, worded as cancelled
    in the plan's language, neither late nor to be registered."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    year = local_today().year
    task_id = f"visitation-quality-{year - 1}"
    async with open_store(url) as store:
        await store.upsert_municipal_task(
            "herning",
            task_id,
            datetime.now(UTC),
            duty="visitation-quality",
            owner="visitation-lead",
            scope="municipality",
            org_nr=None,
            period=str(year - 1),
            due=date(year - 1, 12, 31),
            state="due",
            escalated=False,
        )
        assert await store.cancel_municipal_task("herning", task_id, datetime.now(UTC))
    settings = settings_for(url).model_copy(
        update={"var_dir": tmp_path / "var", "temporal_address": f"127.0.0.1:{free_port()}"}
    )
    async with desk_client(settings) as client:
        await log_in(client, "administrator")
        page = (await client.get(f"/tasks/herning/{task_id}")).text
        assert "annulleret" in page and "Registrér som udført" not in page
        listed = (await client.get("/tasks?plan=herning")).text
        # The list speaks the desk's language (Swedish here), the task page its plan's.
        assert f'data-task="{task_id}"' in listed and "avbruten" in listed
        overdue = (await client.get("/tasks?plan=herning&overdue=1")).text
        assert f'data-task="{task_id}"' not in overdue
        assert f'data-task="{task_id}"' not in (await client.get("/")).text
