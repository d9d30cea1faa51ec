"""The accessibility statement: readable without logging in (someone who cannot log in must
learn how to report it), linked from the footer of every page, naming the conformance target,
the known gaps, the default plan's administrator to write to, and its date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from models.plans.loader import load_plan
from models.runtime.settings import Settings
from tests.support.desk import add_accounts, desk_client, log_in
from tests.support.listings import seed_records, settings_for
from web.pages.accessibility import REVIEWED
from web.render import sv_date

FOOTER_LINK = '<a href="/tillganglighet"'


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(settings) as desk:
        yield desk


async def test_the_statement_is_read_without_logging_in(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/tillganglighet")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Tillgänglighetsredogörelse</h1>" in html
    assert "2018:1937" in html and "WCAG" in html and "2.1 nivå AA" in html
    assert "axe-core" in html and "tangentbordet" in html
    # Known gaps: single sign-on, pages still to come.
    assert "gemensamma inloggning" in html and "bokning av möten" in html
    tested = html.split('<h2 id="tested">', 1)[1].split("</section>", 1)[0]
    assert "återkraven" in tested and "kundvalet" in tested
    plan = load_plan(settings.default_plan, settings.plans_dir)
    admin = plan.roles[plan.administrator_role]
    assert f'<a href="mailto:{admin.email}">{admin.email}</a>' in html
    assert admin.title in html
    assert f'<time datetime="{REVIEWED.isoformat()}">{sv_date(REVIEWED)}</time>' in html
    # Nobody is logged in: no menu, and the footer marks this page as the current one.
    assert 'aria-label="Huvudmeny"' not in html
    assert f'{FOOTER_LINK} aria-current="page">' in html


async def test_every_page_links_to_the_statement(client: httpx.AsyncClient) -> None:
    login = await client.get("/login")
    assert FOOTER_LINK in login.text
    await log_in(client, "auditor")
    for path in ("/", "/providers", "/providers/5560360793", "/no-such-page"):
        response = await client.get(path)
        assert FOOTER_LINK in response.text, path
    # Logged in, the statement shows the menu as every other page does.
    statement = await client.get("/tillganglighet")
    assert 'aria-label="Huvudmeny"' in statement.text


async def test_without_a_readable_plan_it_still_says_whom_to_contact(
    settings: Settings, tmp_path: Path
) -> None:
    empty = tmp_path / "no-plans"
    empty.mkdir()
    async with desk_client(settings.model_copy(update={"plans_dir": empty})) as client:
        html = (await client.get("/tillganglighet")).text
    assert "mailto:" not in html
    assert "kontakta kommunens LOV-administratör" in html


async def test_a_danish_desk_states_it_in_danish(settings: Settings) -> None:
    """Herning's desk: the whole statement (heading, introduction, body, the date) and the
    login page in Danish."""
    danish = settings.model_copy(update={"default_plan": "herning"})
    async with desk_client(danish) as desk:
        html = (await desk.get("/tillganglighet")).text
        login = (await desk.get("/login")).text
    assert '<html lang="da">' in html and "<h1>Tilgængelighedserklæring</h1>" in html
    assert "Kendte mangler" in html and "Digitaliseringsstyrelsen" in html
    assert "7. december 2026" in html
    for swedish in ("Kända brister", "Tjänsten", 'lang="sv"', "svensk"):
        assert swedish not in html, swedish
    assert '<html lang="da">' in login and "<h1>Log ind</h1>" in login
    assert ">Brugernavn<" in login and ">Adgangskode<" in login and "Logga in" not in login
