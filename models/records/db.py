"""Engines, sessions and migrations of the records database (SQLite or PostgreSQL, both async).

The schema is owned by Alembic (`alembic/`); nothing here calls `create_all`. Services call
`check_current` at start-up so that a database that was never migrated fails loudly with the
command that fixes it, instead of failing later on the first missing table.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models.runtime.locations import PROJECT_ROOT
from models.runtime.setting_errors import DatabaseMissing

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where a migration runs, not here: every process that only reads or
# writes records (the CLI's reports, the worker's activities) would otherwise pay for loading
# it at start-up (docs/PERFORMANCE.md).

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
ALEMBIC_DIR = PROJECT_ROOT / "alembic"

# How long a SQLite connection waits for another writer before giving up. Generous, because
# the embedded default runs the worker and the CLI against the same file.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Users write the URL they know; the records code needs the async driver of each engine.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_SUPPORTED = {"sqlite+aiosqlite", "postgresql+asyncpg"}


class InvalidDatabaseURL(ValueError):
    """The database URL cannot be parsed or names an engine lovflow does not support."""


class DatabaseNotMigrated(RuntimeError):
    """The records database is missing or not at the schema revision this code expects."""

    def __init__(self, url: str, current: str | None, expected: str) -> None:
        self.current = current
        self.expected = expected
        shown = current if current is not None else "ingen (tom databas)"
        super().__init__(
            f"databasen {url} har revision {shown}, koden väntar {expected}; "
            f"kör `lov db upgrade` (database at revision {current}, expected {expected})"
        )


def require_database(url: str | URL, setting: str) -> None:
    """Raise DatabaseMissing when `url` is a SQLite file that does not exist. Connecting would
    create it empty (in whatever directory a relative setting points to), and every command
    would then answer "nothing found" from it. `setting` names what chose the URL."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return  # a server database is there or the connection fails loudly
    path = _sqlite_path(parsed)
    if path is not None and not path.is_file():
        raise DatabaseMissing(setting, path)


def parse_url(url: str | URL) -> URL:
    """The URL with its async driver, or `InvalidDatabaseURL` saying what is wrong."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Neither the text nor SQLAlchemy's message (which quotes it): it may hold a password.
        raise InvalidDatabaseURL(
            "ogiltig databas-URL (could not parse LOV_DATABASE_URL); form: "
            "postgresql+asyncpg://user:password@host:5432/db or sqlite+aiosqlite:///file"
        ) from None
    drivername = _ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername)
    if drivername not in _SUPPORTED:
        raise InvalidDatabaseURL(
            f"databasmotorn {parsed.drivername!r} stöds inte; "
            "använd sqlite+aiosqlite:///FIL eller postgresql+asyncpg://…"
        )
    return parsed.set(drivername=drivername)


def display_url(url: str | URL) -> str:
    """The URL for messages and logs, password masked."""
    return parse_url(url).render_as_string(hide_password=True)


def _sqlite_path(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; on SQLite, configured for a worker and a CLI sharing one file."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Long-lived workers outlive server restarts and idle-connection reaping.
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(parsed, **kwargs)

    path = _sqlite_path(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection per process. SQLite lets one writer in at a time; with a pool of
        # connections, a burst of activities (a thousand reminders at 09:00) had most of them
        # waiting in SQLite's busy handler, which sleeps in growing steps while the lock sits
        # free (docs/PERFORMANCE.md). Queued in the pool instead, they take turns at once.
        # Other processes (the CLI beside `lov serve`) still wait through busy_timeout.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    engine = create_async_engine(parsed, **kwargs)
    _configure_sqlite(engine)
    return engine


# Execution option for connections that run a single SELECT and nothing else
# (models/records/access.py).
SINGLE_READ = "lovflow_single_read"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module, which would otherwise BEGIN
        # only before DML: DDL would then run outside transactions (a failed migration would
        # be half applied) and SAVEPOINTs would not work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")  # off by default in SQLite
            cursor.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(SINGLE_READ):
            # One SELECT needs no transaction: in autocommit mode it is atomic on its own, and
            # skipping BEGIN saves a round trip to the driver thread on every read.
            return
        # IMMEDIATE takes the write lock up front, so a transaction that reads and then writes
        # waits for a concurrent writer (busy_timeout) instead of failing with SQLITE_BUSY
        # when its read snapshot turns stale. SQLite allows one writer at a time anyway.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit: the store turns them into snapshots after the
    # transaction, and must not trigger a lazy reload on a closed session.
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | URL | None = None) -> Config:
    """Alembic configuration found via the project root, whatever the working directory."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    # Logging belongs to the application when migrations run inside it.
    config.attributes["configure_logger"] = False
    if url is not None:
        rendered = parse_url(url).render_as_string(hide_password=False)
        # ConfigParser interpolates '%', which occurs in percent-encoded passwords.
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


# The newest migration, as a constant: a read command checks the database against it without
# importing Alembic (a quarter of a second of every `lov due`). A test ties it to Alembic's own
# head, so adding a migration without updating it fails at once.
HEAD_REVISION = "0015_task_cancelled"


def head_revision() -> str:
    """The head revision as Alembic computes it from alembic/versions (for `lov db`)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions under {ALEMBIC_DIR}")
    return head


async def upgrade(url: str | URL) -> None:
    """Migrate the database at `url` to the newest revision.

    Alembic's API is synchronous and env.py runs its own event loop, so it runs in a thread.
    """
    from alembic import command

    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "head")


_VERSION_TABLE = "alembic_version"


async def current_revision(url: str | URL) -> str | None:
    """The revision the database is at; None for an empty (or, on SQLite, missing) database."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        # Connecting would create the file; a check must not leave an empty database behind.
        if path is not None and not path.exists():
            return None
    # Alembic's own table, read with one SELECT (Alembic's MigrationContext would import its
    # DDL machinery for every read command). No table: an empty database.
    engine = make_engine(parsed)
    try:
        async with engine.connect() as connection:
            if not await connection.run_sync(lambda sync: inspect(sync).has_table(_VERSION_TABLE)):
                return None
            rows = (
                await connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}"))
            ).all()
    finally:
        await engine.dispose()
    # Alembic keeps one row per head; lovflow's history is linear.
    return rows[0][0] if len(rows) == 1 else None


async def check_current(url: str | URL) -> None:
    """Raise `DatabaseNotMigrated` unless the database is at the head revision."""
    expected = HEAD_REVISION
    current = await current_revision(url)
    if current != expected:
        raise DatabaseNotMigrated(display_url(url), current, expected)
