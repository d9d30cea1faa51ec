"""Reading the records database for a query of the application layer (lists, searches).

A list answers from what the workflows have written, not from Temporal: it works while Temporal
is down and costs one SELECT. The database must exist and be migrated: a missing or outdated
one is `RecordsUnavailable` (one line), never a new empty file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from models.records.access import CoreAccess
from models.records.db import DatabaseNotMigrated, check_current, make_engine, make_session_factory

S = TypeVar("S", bound=CoreAccess)
T = TypeVar("T")


class RecordsUnavailable(RuntimeError):
    """The records database cannot answer (missing, not migrated, unreachable): one line."""


async def read_records(database_url: str, store: type[S], query: Callable[[S], Awaitable[T]]) -> T:
    """Run `query` on a `store` of the records database at `database_url`."""
    try:
        # An unmigrated (or missing) database has no such tables: say that, not an SQL error.
        await check_current(database_url)
        engine = make_engine(database_url)
        try:
            return await query(store(make_session_factory(engine)))
        finally:
            await engine.dispose()
    except DatabaseNotMigrated as err:
        raise RecordsUnavailable(str(err)) from None
    except Exception as err:  # noqa: BLE001 - a driver's error, said in one line
        text = " ".join(str(err).split())[:300]
        raise RecordsUnavailable(f"databasen (records database): {text}") from None
