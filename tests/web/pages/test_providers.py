"""The providers list (search and filters, by POST so no org nr lands in an address) and the
provider page, on a real SQLite records database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from models.runtime.settings import Settings
from tests.support.desk import add_accounts, desk_client, log_in, records, token
from tests.support.desk_forms import field_error
from tests.support.listings import NORR, danish_settings_for, seed_records, settings_for


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    settings: Settings = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as desk:
        await log_in(desk, "auditor")
        yield desk


async def test_the_list_links_each_provider(client: httpx.AsyncClient) -> None:
    html = (await client.get("/providers")).text
    # The default plan (Sundsvall) is Swedish, so is the desk.
    assert '<html lang="sv">' in html and "<h1>Utförare</h1>" in html
    assert '<a href="/providers/5560360793">Omsorg i Norr AB</a>' in html
    assert '<a href="/providers/5590010004">Väst</a>' in html
    assert "2 utförare" in html


async def test_plan_filter_and_search(client: httpx.AsyncClient) -> None:
    html = (await client.get("/providers", params={"plan": "herning"})).text
    assert "Väst" in html and "Omsorg i Norr AB" not in html
    csrf = await token(client, "/providers")
    found = await client.post("/providers", data={"csrf_token": csrf, "search": "norr"})
    assert found.status_code == 200
    assert "Omsorg i Norr AB" in found.text and ">Väst<" not in found.text
    assert 'value="norr"' in found.text


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"plan": "ingen-sådan"}, "plan"),
        ({"status": "sovande"}, "status"),
        ({"search": "x" * 500}, "search"),
    ],
)
async def test_a_bad_filter_is_shown_next_to_its_field(
    client: httpx.AsyncClient, data: dict[str, str], field: str
) -> None:
    csrf = await token(client, "/providers")
    response = await client.post("/providers", data={"csrf_token": csrf, **data})
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">' in response.text
    assert f'aria-describedby="{field}-error"' in response.text


async def test_the_provider_page_and_an_unknown_provider(client: httpx.AsyncClient) -> None:
    page = await client.get("/providers/5560360793")
    assert page.status_code == 200
    assert "<h1>Omsorg i Norr AB</h1>" in page.text and "556036-0793" in page.text
    # Its meetings, in Swedish and in the plan's time zone: 23:30 local on 30 April.
    assert "2027-H1: bokat, 30 april 2027 kl. 23.30, Stadshuset" in page.text
    assert "2027-H2: inte bokat" in page.text
    missing = await client.get("/providers/5569999999")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.text


async def test_a_danish_desk_shows_providers_in_danish(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    settings = danish_settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as desk:
        await log_in(desk, "auditor")
        listing = (await desk.get("/providers")).text
        provider = (await desk.get("/providers/5590010004")).text
        missing = await desk.get("/providers/5569999999")
        csrf = await token(desk, "/providers")
        refused = await desk.post("/providers", data={"csrf_token": csrf, "plan": "atlantis"})
    assert '<html lang="da">' in listing and "<h1>Leverandører</h1>" in listing
    assert "Leverandører: 2" in listing and ">Kontraktens status<" in listing
    # The contract's state and start in Danish: "aktiv", "1. januar 2026".
    assert "<td>aktiv</td>" in listing and "1. januar 2026" in listing
    assert '<html lang="da">' in provider and ">CVR-nummer<" in provider
    assert "aktiv, fra 1. januar 2026" in provider and "Pligter " in provider
    assert "Ingen af kommunens opgaver gælder leverandøren." in provider
    for swedish in ("Utförare", "Avtal", "Skyldigheter", "Inga möten"):
        assert swedish not in listing + provider, swedish
    assert missing.status_code == 404 and "Siden findes ikke" in missing.text
    # A refusal too (web/refusals.py).
    assert refused.status_code == 400
    assert field_error(refused.text, "plan") == "Ukendt plan: vælg en på listen"


async def test_the_provider_page_lists_the_municipal_tasks_done_there(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    async with records(url) as store:
        for task_id, period, state, done_on in [
            ("statistics-extract-2026-n", "2026", "done-on-time", date(2026, 11, 20)),
            ("statistics-extract-2027-n", "2027", "overdue", None),
        ]:
            await store.upsert_municipal_task(
                "sundsvall",
                task_id,
                datetime.now(UTC),
                duty="statistics-extract",
                owner="kvalitetskontroller",
                scope="provider",
                org_nr=NORR,
                period=period,
                due=date(int(period), 11, 30),
                state=state,
                escalated=False,
                done_on=done_on,
                done_by="Anna" if done_on else None,
            )
    settings = settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})
    async with desk_client(settings) as desk:
        await log_in(desk, "auditor")
        norr = (await desk.get("/providers/5560360793")).text
        vast = (await desk.get("/providers/5590010004")).text
    section = norr.split('id="municipal-tasks"', 1)[1].split("</section>", 1)[0]
    assert "Kommunens uppgifter hos utföraren" in section
    link = '<a href="/tasks/sundsvall/statistics-extract-2027-n">'
    assert link + "Statistikuttag ur verksamhetssystemet</a> (2027)" in section
    assert "förfaller 30 november 2027" in section
    assert '<a href="/tasks/sundsvall/statistics-extract-2026-n">' in section
    assert "utförd 20 november 2026" in section
    assert "Inga av kommunens uppgifter gäller utföraren." in vast
