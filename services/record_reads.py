"""Reading the records database for a query of the application layer (lists, searches).

A list answers from what the workflows have written, not from Temporal: it works while Temporal
is down and costs one SELECT. The database must exist and be migrated: a missing or outdated
one is `RecordsUnavailable` (one line), never a new empty file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from models.records.access import CoreAccess
from models.records.db import DatabaseNotMigrated, check_current, make_engine, make_session_factory
from services.errors import ActionError

if TYPE_CHECKING:
    from models.records.store import RecordStore

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
    except ActionError:
        raise  # the query refused its input (an unknown provider): exit 2, not a database error
    except Exception as err:  # noqa: BLE001 - a driver's error, said in one line
        text = " ".join(str(err).split())[:300]
        raise RecordsUnavailable(f"databasen (records database): {text}") from None


@asynccontextmanager
async def open_records(database_url: str) -> AsyncIterator[RecordStore]:
    """A store on the records database for as long as the caller needs it (the desk keeps one
    for its lifetime instead of an engine per request). RecordsUnavailable when the database
    is missing or not migrated."""
    try:
        await check_current(database_url)
    except DatabaseNotMigrated as err:
        raise RecordsUnavailable(str(err)) from None
    # Here, not at the top: a list command's read_records takes the one store it needs.
    from models.records.store import RecordStore

    engine = make_engine(database_url)
    try:
        yield RecordStore(make_session_factory(engine))
    finally:
        await engine.dispose()


def __getattr__(name: str) -> Any:
    # `RecordStore` (the desk's type, web/desk.py) loads every store: only when asked for, so a
    # list command's read_records imports just the store it reads (docs/PERFORMANCE.md §5).
    if name == "RecordStore":
        from models.records.store import RecordStore

        return RecordStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
