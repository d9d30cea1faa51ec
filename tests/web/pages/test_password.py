"""The "Byt lösenord" page (web/pages/password.py): an account with a one-time password gets no
other page until it has chosen its own; bad input is shown next to its field, nothing changed;
on a real SQLite records database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from models.runtime.settings import Settings
from services import users
from tests.support.desk import PASSWORD, add_accounts, desk_client, log_in, records, token
from tests.support.listings import danish_settings_for, seed_records, settings_for

NEW = "mitt-eget-långa-lösen"


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "auditor")
    async with records(url) as store:
        await users.add_user(store, "ny", "administrator", "Ny Person", PASSWORD, one_time=True)
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(settings) as desk:
        yield desk


async def _change(client: httpx.AsyncClient, new: str, repeated: str) -> httpx.Response:
    return await client.post(
        "/password",
        data={
            "password": new,
            "repeated": repeated,
            "csrf_token": await token(client, "/password"),
        },
    )


@pytest.mark.parametrize("path", ["/", "/providers", "/login"])
async def test_every_page_leads_to_the_password_page_until_it_is_changed(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await log_in(client, "ny")).status_code == 303
    response = await client.get(path, follow_redirects=True)
    assert response.status_code == 200 and str(response.url).endswith("/password")
    assert "<h1>Byt lösenord</h1>" in response.text and "engångslösenord" in response.text


async def test_the_new_password_opens_the_desk_and_replaces_the_one_time(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await log_in(client, "ny")
    done = await _change(client, NEW, NEW)
    assert (done.status_code, done.headers["location"]) == (303, "/")
    start = await client.get("/")
    assert start.status_code == 200 and "Ditt nya lösenord är sparat." in start.text
    assert (await client.get("/providers")).status_code == 200
    assert settings.database_url is not None
    async with records(settings.database_url) as store:
        with pytest.raises(users.LoginRefused):
            await users.authenticate(store, "ny", PASSWORD, "192.0.2.1")
        assert not (await users.authenticate(store, "ny", NEW, "192.0.2.1")).must_change_password


@pytest.mark.parametrize(
    ("new", "repeated", "field", "message"),
    [
        ("kort", "kort", "password", "Minst 12 tecken"),
        (NEW, NEW + "x", "repeated", "Lösenorden är inte lika"),
        (PASSWORD, PASSWORD, "password", "Välj ett annat lösenord"),
        ("", "", "password", "Minst 12 tecken"),
    ],
)
async def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(
    client: httpx.AsyncClient,
    settings: Settings,
    new: str,
    repeated: str,
    field: str,
    message: str,
) -> None:
    await log_in(client, "ny")
    refused = await _change(client, new, repeated)
    assert refused.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in refused.text
    assert f'id="{field}" name="{field}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert new not in refused.text or new == ""  # a password is never echoed
    assert (await client.get("/")).headers["location"] == "/password"
    assert settings.database_url is not None
    async with records(settings.database_url) as store:
        account = await users.authenticate(store, "ny", PASSWORD, "192.0.2.1")
        assert account.must_change_password


async def test_an_account_with_its_own_password_goes_straight_in(
    client: httpx.AsyncClient,
) -> None:
    await log_in(client, "auditor")
    assert (await client.get("/")).status_code == 200
    # It may still change its password when it wants to.
    page = await client.get("/password")
    assert page.status_code == 200 and "engångslösenord" not in page.text


async def test_the_password_page_needs_a_login(client: httpx.AsyncClient) -> None:
    assert (await client.get("/password")).headers["location"] == "/login"


async def test_a_danish_desk_refuses_a_one_time_password_change_in_danish(
    settings: Settings,
) -> None:
    assert settings.database_url is not None
    danish = danish_settings_for(settings.database_url).model_copy(
        update={"var_dir": settings.var_dir}
    )
    async with desk_client(danish) as client:
        await log_in(client, "ny")
        refused = await _change(client, NEW, NEW + "x")
        assert refused.status_code == 400
        assert "Adgangskoderne er ikke ens" in refused.text
