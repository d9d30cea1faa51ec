"""Opening the records database for a read: the queries of `lov provider`, `lov due`, the desk.

A missing SQLite file is an error (`RecordsUnavailable`), never a new empty database: a command
started in the wrong directory, or before `lov serve` ever ran, must say so rather than show
nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from models.records.db import display_url, make_engine, make_session_factory, parse_url
from models.records.store import RecordStore
from models.runtime.settings import Settings

__all__ = ["RecordStore", "RecordsUnavailable", "open_records"]  # the CLI's one way in


class RecordsUnavailable(RuntimeError):
    """The records database cannot be read (missing, unreachable, not migrated)."""


@asynccontextmanager
async def open_records(settings: Settings) -> AsyncIterator[RecordStore]:
    url = parse_url(settings.resolved_database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        if not database.startswith("file:") and not Path(database).is_file():
            raise RecordsUnavailable(
                f"registret {display_url(url)} finns inte (records database missing); "
                "ange LOV_DATABASE_URL eller LOV_VAR_DIR, eller starta `lov serve` först"
            )
    engine = make_engine(url)
    try:
        yield RecordStore(make_session_factory(engine))
    finally:
        await engine.dispose()
