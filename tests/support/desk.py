"""The web desk in tests: the app on a real records database, driven through httpx's ASGI
transport (in the test's event loop, so a worker on the same loop keeps running), with the
lifespan run as uvicorn runs it. Addresses are https://, so the Secure cookie is sent."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta

import httpx

from models.domain.provider_id import ProviderIds, parse_key
from models.records.db import make_engine, make_session_factory
from models.records.store import RecordStore
from models.runtime.settings import Settings
from services import users
from web.app import create_app

BASE_URL = "https://desk.test"
PASSWORD = "ett-långt-lösenord"
# A sole trader (enskild firma): its org nr is a personnummer, which no address may show.
SOLE_TRADER = "640823-3234"
SOLE_TRADER_NAME = "Eva Enskild Omsorg"
PROVIDER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
AT = datetime(2027, 1, 1, tzinfo=UTC)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@asynccontextmanager
async def records(database_url: str) -> AsyncIterator[RecordStore]:
    engine = make_engine(database_url)
    try:
        yield RecordStore(make_session_factory(engine))
    finally:
        await engine.dispose()


async def add_accounts(database_url: str, *roles: str) -> None:
    """One account per role, named after it, with PASSWORD."""
    async with records(database_url) as store:
        for role in roles:
            await users.add_user(store, role.replace("_", "-"), role, role.title(), PASSWORD)


async def add_sole_trader(database_url: str, due: date) -> str:
    """A sole trader with a contract under its opaque key and one open duty; its key."""
    ref = ProviderIds(parse_key(PROVIDER_KEY)).ref(SOLE_TRADER)
    assert ref is not None
    async with records(database_url) as store:
        await store.upsert_provider(SOLE_TRADER, SOLE_TRADER_NAME, "eva@example.org", AT)
        await store.record_contract(
            f"contract-{ref}", SOLE_TRADER, "sundsvall", date(2026, 1, 1), AT
        )
        await store.upsert_occurrence(
            f"obligation-{ref}-annual-report-{due.year}",
            SOLE_TRADER,
            "annual-report",
            str(due.year),
            due,
            due,
            "administrator",
            "open",
            False,
            0,
            AT,
        )
    return ref


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@asynccontextmanager
async def desk_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client


async def log_in(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )


async def token(client: httpx.AsyncClient, path: str = "/") -> str:
    """The CSRF token of the logged-in session (from any page with a form)."""
    page = await client.get(path)
    return csrf_of(page.text)


def soon(today: date) -> date:
    return today + timedelta(days=3)


@asynccontextmanager
async def desk_server(settings: Settings, port: int | None = None) -> AsyncIterator[str]:
    """The desk served by uvicorn on `port` (default: a free one) of 127.0.0.1 in this event
    loop (for a real browser: plain HTTP, so the cookie is not Secure); yields its address."""
    import uvicorn

    from tests.support.helpers import free_port

    port = port or free_port()
    plain = settings.model_copy(
        update={"web_host": "127.0.0.1", "web_port": port, "web_secure_cookies": False}
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(plain), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the desk did not start")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
