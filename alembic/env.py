"""Alembic environment of the records database: async engines, SQLite and PostgreSQL.

The URL comes from the `sqlalchemy.url` option (set by `models.records.db.upgrade`), else from
lovflow's
settings, so that a bare `alembic upgrade head` migrates the configured database.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from sqlalchemy import Connection, event

from alembic import context
from models.records.db import make_engine, parse_url
from models.records.tables import Base
from models.runtime.settings import get_settings

config = context.config

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    return parse_url(url).render_as_string(hide_password=False)


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running it."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    # True on SQLite too: models.records.db makes the driver emit BEGIN for DDL, so a failed upgrade
    # rolls back completely instead of leaving a half-built schema without a version stamp.
    _configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Foreign keys are off while migrating (_run_async): check them before committing.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = OFF")
    finally:
        cursor.close()


async def _run_async() -> None:
    engine = make_engine(_url())
    if engine.dialect.name == "sqlite":
        # SQLite's procedure for changing a table (sqlite.org/lang_altertable.html): foreign
        # keys off outside the transaction, checked before it commits. Batch mode rebuilds a
        # table by dropping it, which a referenced one (providers, 0009_cvr) cannot survive
        # with enforcement on. Registered after the engine's own connect hook, so it wins.
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    # A caller that already holds a (sync) connection passes it in; otherwise connect.
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
