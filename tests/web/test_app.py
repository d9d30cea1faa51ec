"""The desk's protections on every route: security headers, the CSRF token on every POST, the
auditor's and the manager's 403 on every action; on a real SQLite records database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import APIRoute
from pydantic import SecretStr

from models.runtime.settings import Settings
from tests.support.desk import (
    PROVIDER_KEY,
    add_accounts,
    add_sole_trader,
    desk_client,
    desk_server,
    log_in,
    token,
)
from tests.support.listings import seed_records, settings_for
from web.app import ROUTERS
from web.security import HEADERS


@pytest_asyncio.fixture
async def settings(tmp_path: Path) -> Settings:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    await add_accounts(url, "administrator", "auditor", "manager")
    return settings_for(url).model_copy(update={"var_dir": tmp_path / "var"})


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with desk_client(settings) as desk:
        yield desk


def post_routes(settings: Settings) -> list[str]:
    return sorted(
        route.path
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    )


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/login", "/tillganglighet", "/", "/no-such-page", "/static/desk.css"):
        response = await client.get(path)
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (path, name)
    csp = HEADERS["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert (await client.get("/login")).headers["cache-control"] == "no-store"
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404 and "<h1>Sidan finns inte</h1>" in missing.text


async def test_pages_have_no_inline_script_or_style(client: httpx.AsyncClient) -> None:
    pages = [(await client.get("/login")).text]
    await log_in(client, "administrator")
    for path in ("/", "/providers", "/providers/5560360793"):
        response = await client.get(path)
        assert response.status_code == 200, path
        pages.append(response.text)
    for html in pages:
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert 'lang="sv"' in html and 'href="#main"' in html


async def test_the_session_cookie_is_secure_httponly_and_lax(client: httpx.AsyncClient) -> None:
    response = await log_in(client, "administrator")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie


async def test_a_post_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await log_in(client, "administrator")
    routes = post_routes(settings)
    assert {"/login", "/logout", "/providers"} <= set(routes) and len(routes) >= 6
    for path in routes:
        concrete = path.format(
            ref="5560360793",
            obligation="annual-report",
            period="2027",
            plan="nordanstig",  # a municipal task's page (web/pages/tasks.py)
            task_id="kundundersokning-2027",
        )
        for data in ({}, {"csrf_token": "forged"}):
            response = await client.post(concrete, data=data)
            assert response.status_code == 403, (path, data)
    # Still logged in: the refused logout changed nothing.
    assert (await client.get("/")).status_code == 200


async def test_a_login_without_the_token_sets_no_session(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/login", data={"username": "administrator", "password": "ett-långt-lösenord"}
    )
    assert response.status_code == 403
    assert (await client.get("/")).headers["location"] == "/login"


@pytest.mark.parametrize("role", ["auditor", "manager"])
async def test_who_may_not_act_gets_403_on_every_action(
    client: httpx.AsyncClient, settings: Settings, role: str
) -> None:
    await log_in(client, role)
    csrf = await token(client)
    actions = [p for p in post_routes(settings) if "/duties/" in p]
    assert len(actions) == 3
    for path in actions:
        concrete = path.format(ref="5560360793", obligation="annual-report", period="2027")
        response = await client.post(
            concrete,
            data={"csrf_token": csrf, "outcome": "accept", "reason": "x", "new_due": "2030-01-01"},
        )
        assert response.status_code == 403, path
        assert "Din roll får inte göra detta" in response.text


async def test_no_address_names_a_personnummer(settings: Settings, tmp_path: Path) -> None:
    url = settings.database_url
    assert url is not None
    today = date.today()
    ref = await add_sole_trader(url, today)
    keyed = settings.model_copy(update={"provider_id_key": SecretStr(PROVIDER_KEY)})
    async with desk_client(keyed) as client:
        await log_in(client, "administrator")
        listing = (await client.get("/providers")).text
        assert f'href="/providers/{ref}"' in listing
        assert "6408233234" not in listing and "640823-3234" not in listing
        page = await client.get(f"/providers/{ref}")
        assert page.status_code == 200 and "Eva Enskild Omsorg" in page.text
        assert f'href="/providers/{ref}/duties/annual-report/{today.year}"' in page.text
        # The personnummer's digits are no address of the provider.
        assert (await client.get("/providers/6408233234")).status_code == 404


async def test_served_by_uvicorn_over_plain_http(settings: Settings) -> None:
    """As a browser meets it (tests.support.desk.desk_server, for the browser tests)."""
    async with desk_server(settings) as address:
        async with httpx.AsyncClient(base_url=address) as browser:
            response = await log_in(browser, "administrator")
            assert response.status_code == 303
            assert "secure" not in response.headers["set-cookie"].lower()
            home = await browser.get("/")
            assert home.status_code == 200 and home.headers["x-frame-options"] == "DENY"
            htmx = await browser.get("/static/htmx.min.js")
            assert htmx.status_code == 200 and "no-store" not in htmx.headers.get(
                "cache-control", ""
            )
