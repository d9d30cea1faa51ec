"""Logging in to the desk with a local account: the right password, a wrong one, a disabled
account, the limit on failed logins, logging out; on a real SQLite records database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from models.runtime.settings import Settings
from services import users
from tests.support.desk import PASSWORD, add_accounts, desk_client, log_in, records, token
from tests.support.listings import danish_settings_for, seed_records, settings_for


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator")
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(settings) as desk:
        yield desk


async def test_the_right_password_opens_the_start_page(client: httpx.AsyncClient) -> None:
    assert (await client.get("/")).headers["location"] == "/login"
    response = await log_in(client, "administrator")
    assert (response.status_code, response.headers["location"]) == (303, "/")
    start = await client.get("/")
    assert start.status_code == 200
    assert "<h1>Att göra</h1>" in start.text and "Välkommen, Administrator." in start.text
    assert "Administrator (administratör)" in start.text


async def test_a_wrong_password_says_so_and_opens_nothing(client: httpx.AsyncClient) -> None:
    response = await log_in(client, "administrator", "fel-lösenord-123")
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord" in response.text
    assert 'value="administrator"' in response.text  # the username is kept, never the password
    assert "fel-lösenord-123" not in response.text
    assert (await client.get("/")).status_code == 303


async def test_a_disabled_account_is_logged_out_at_its_next_request(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await log_in(client, "administrator")
    assert (await client.get("/providers")).status_code == 200
    assert settings.database_url is not None
    async with records(settings.database_url) as store:
        await users.disable(store, "administrator")
    assert (await client.get("/providers")).headers["location"] == "/login"
    assert (await log_in(client, "administrator")).status_code == 401


async def test_five_failures_lock_the_account_for_a_while(client: httpx.AsyncClient) -> None:
    for _ in range(users.MAX_FAILURES_PER_USER):
        assert (await log_in(client, "administrator", "fel-lösenord-123")).status_code == 401
    response = await log_in(client, "administrator", PASSWORD)
    assert response.status_code == 401 and "För många misslyckade inloggningar" in response.text
    assert (await client.get("/")).status_code == 303


async def test_the_limit_is_shared_by_every_desk_process(settings: Settings) -> None:
    """Two apps (two `lov web` processes) on the same records count the same failures."""
    async with desk_client(settings) as first, desk_client(settings) as second:
        for i in range(users.MAX_FAILURES_PER_USER):
            desk = first if i % 2 else second
            assert (await log_in(desk, "administrator", "fel-lösenord-123")).status_code == 401
        assert (await log_in(first, "administrator")).status_code == 401


async def test_logging_out_ends_the_session(client: httpx.AsyncClient) -> None:
    await log_in(client, "administrator")
    csrf = await token(client)
    response = await client.post("/logout", data={"csrf_token": csrf})
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert (await client.get("/")).headers["location"] == "/login"


async def test_a_danish_desk_refuses_a_login_in_danish(settings: Settings) -> None:
    assert settings.database_url is not None
    danish = danish_settings_for(settings.database_url).model_copy(
        update={"var_dir": settings.var_dir}
    )
    async with desk_client(danish) as client:
        response = await log_in(client, "administrator", "forkert-adgangskode-1")
        assert response.status_code == 401
        said = response.text.split('id="login-error">', 1)[1].split("</p>", 1)[0]
        assert said == "Forkert brugernavn eller adgangskode, eller kontoen er spærret."
        assert 'lang="sv"' not in response.text
