"""Records-database fixtures that run a test on SQLite and on PostgreSQL.

The fixtures (`db_url`, `store`, `empty_database`, `postgres_server`) reach every test module
through `pytest_plugins` in tests/conftest.py; helpers such as `open_store` are imported.

PostgreSQL: the server at LOVFLOW_TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres).
Each test session creates its own uniquely named databases and drops them at the end, so
parallel runs and other suites never share state. If the server is unreachable, the PostgreSQL
variants are skipped with the reason; the SQLite variants still run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import URL, make_url, text

from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.records.tables import Base

POSTGRES_URL = make_url(
    os.environ.get("LOVFLOW_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
)
ENGINES = ["sqlite", "postgresql"]


def _asyncpg_dsn(url: URL, database: str) -> str:
    return url.set(drivername="postgresql", database=database).render_as_string(hide_password=False)


class PostgresServer:
    """Creates throw-away databases on the test server and drops them at the end."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.unavailable: str | None = None  # why PostgreSQL tests skip, if they do
        self._created: list[str] = []
        self._migrated: str | None = None

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(_asyncpg_dsn(self.url, "postgres"), timeout=5)

    async def probe(self) -> None:
        try:
            connection = await self._admin()
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            where = f"{self.url.host}:{self.url.port or 5432}"
            self.unavailable = f"PostgreSQL not reachable at {where}: {type(exc).__name__}: {exc}"
        else:
            await connection.close()

    def require(self) -> None:
        if self.unavailable is not None:
            pytest.skip(self.unavailable)

    async def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        self.require()
        name = f"lovflow_test_{secrets.token_hex(6)}"
        connection = await self._admin()
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self._created.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    async def migrated_database(self) -> str:
        """The session's migrated database, created on first use."""
        if self._migrated is None:
            url = await self.create_database()
            await upgrade(url)
            self._migrated = url
        return self._migrated

    async def drop_all(self) -> None:
        if not self._created:
            return
        connection = await self._admin()
        try:
            for name in self._created:
                # FORCE: a leaked pooled connection must not leave the database behind.
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
        self._created.clear()


@pytest_asyncio.fixture(scope="session")
async def postgres_server() -> AsyncIterator[PostgresServer]:
    # Probed, never skipped here: a skip in this shared fixture would skip SQLite tests too.
    server = PostgresServer(POSTGRES_URL)
    await server.probe()
    try:
        yield server
    finally:
        await server.drop_all()


async def _empty_tables(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


EmptyDatabase = Callable[[], Awaitable[str]]


@pytest.fixture(params=ENGINES)
def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: PostgresServer
) -> EmptyDatabase:
    """A factory of URLs of new, empty (unmigrated) databases on the parametrized engine."""
    if request.param == "postgresql":
        postgres_server.require()
        return postgres_server.create_database
    counter = iter(range(1_000_000))

    async def sqlite_database() -> str:
        return f"sqlite+aiosqlite:///{tmp_path / f'empty{next(counter)}' / 'records.db'}"

    return sqlite_database


@pytest_asyncio.fixture(params=ENGINES)
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: PostgresServer
) -> str:
    """URL of a migrated database with no rows, on the parametrized engine."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'records.db'}"
        await upgrade(url)
        return url
    postgres_server.require()
    # Migrating once per session and emptying per test is far faster than a database per test.
    url = await postgres_server.migrated_database()
    await _empty_tables(url)
    return url


@asynccontextmanager
async def open_store(url: str) -> AsyncIterator[RecordStore]:
    engine = make_engine(url)
    try:
        yield RecordStore(make_session_factory(engine))
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def store(db_url: str) -> AsyncIterator[RecordStore]:
    async with open_store(db_url) as record_store:
        yield record_store
