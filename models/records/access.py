"""Statement-level access to the records database, shared by the stores.

The stores' writes are single DML statements and their reads become frozen snapshots, so they
run on SQLAlchemy Core connections rather than ORM sessions: a session's unit of work, identity
map and ORM statement compilation cost about a fifth of every activity's database time and buy
nothing here (docs/PERFORMANCE.md). The ORM models still define the tables and their types
(`UTCDateTime` converts the same way on both paths).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Executable, Insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from models.records.db import SINGLE_READ

S = TypeVar("S")


def snapshot(cls: type[S], row: Any, **given: Any) -> S:
    """A frozen copy of `row` (a Core row or an ORM object): snapshot fields are named after
    the table's columns, so one copier serves every table. It also turns a record into a view
    of it (services/providers.py): `given` fields are not read from `row`."""
    names = [f.name for f in dataclasses.fields(cls) if f.name not in given]  # type: ignore[arg-type]
    return cls(**{name: getattr(row, name) for name in names}, **given)


def insert_ignoring_duplicate(connection: AsyncConnection, table: Any, key: str) -> Insert:
    """An INSERT that does nothing when a row with the same unique `key` column exists (its
    rowcount says which), so a keyed write needs no second round trip or savepoint. Any other
    constraint violation still raises. SQLite and PostgreSQL spell it the same way."""
    # Imported here: the dialect modules add to every `lov` command's start-up otherwise.
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=[key])
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=[key])


class CoreAccess:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = sessions.kw["bind"]
        # Same pool; on SQLite a read then skips the write lock's BEGIN IMMEDIATE
        # (models/records/db.py).
        self._reader = self._engine.execution_options(**{SINGLE_READ: True})

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """The session factory, for stores of other tables on the same database."""
        return self._sessions

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncConnection]:
        """One transaction for several calls, each given it as `connection=`: work done for
        every e-mail pays for one round of BEGIN and COMMIT instead of one per call. Inside it,
        call only methods given the connection: SQLite has one connection per process, and a
        call that opened its own would wait for this one."""
        async with self._transaction() as connection:
            yield connection

    @asynccontextmanager
    async def _within(self, connection: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
        """The caller's transaction if there is one, else a transaction of its own."""
        if connection is not None:
            yield connection
            return
        async with self._transaction() as own:
            yield own

    async def _first(self, query: Executable, connection: AsyncConnection | None = None) -> Any:
        """The first row of `query` (one statement), or None; in `connection` if given."""
        if connection is not None:
            return (await connection.execute(query)).first()
        async with self._reader.connect() as reader:
            return (await reader.execute(query)).first()

    async def _all(self, query: Executable) -> list[Any]:
        async with self._reader.connect() as connection:
            return list((await connection.execute(query)).all())

    async def _one(
        self, cls: type[S], query: Executable, connection: AsyncConnection | None = None
    ) -> S | None:
        """The snapshot of `query`'s first row, or None (a store's `get_…`)."""
        row = await self._first(query, connection)
        return None if row is None else snapshot(cls, row)

    async def _snapshots(self, cls: type[S], query: Executable) -> list[S]:
        """A snapshot of every row of `query` (a store's `list_…`)."""
        return [snapshot(cls, row) for row in await self._all(query)]
