"""The Alembic migration, `models.records.db` and `lov db`, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from typer.testing import CliRunner

from alembic import command
from models.records.db import (
    ALEMBIC_DIR,
    HEAD_REVISION,
    DatabaseNotMigrated,
    InvalidDatabaseURL,
    alembic_config,
    check_current,
    current_revision,
    display_url,
    head_revision,
    make_engine,
    parse_url,
    upgrade,
)
from models.records.tables import Base
from starter.db import app as db_app
from tests.support.db_fixtures import EmptyDatabase


async def _inspect(url: str, inspector_call: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(inspector_call)
    finally:
        await engine.dispose()


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _check_constraints(connection: Connection) -> set[tuple[str, str]]:
    inspector = inspect(connection)
    return {
        (table, check["name"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
        if check["name"]
    }


async def test_migration_creates_exactly_the_orm_schema(empty_database: EmptyDatabase) -> None:
    url = await empty_database()
    await upgrade(url)
    # Tables, columns, types, nullability, indexes, unique and foreign keys.
    assert await _inspect(url, _schema_diff) == []
    # compare_metadata does not look at CHECK constraints; compare their names separately.
    expected = {
        (table.name, str(constraint.name))
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if constraint.__class__.__name__ == "CheckConstraint"
    }
    assert ("contracts", "ck_contracts_status") in expected  # the comprehension finds them
    assert await _inspect(url, _check_constraints) == expected


async def test_check_current_refuses_an_empty_database(empty_database: EmptyDatabase) -> None:
    url = await empty_database()
    with pytest.raises(DatabaseNotMigrated) as caught:
        await check_current(url)
    message = str(caught.value)
    assert "lov db upgrade" in message
    assert f"expected {head_revision()}" in message and "revision None" in message
    assert (caught.value.current, caught.value.expected) == (None, head_revision())

    await upgrade(url)
    await upgrade(url)  # a second upgrade is a no-op, not an error
    await check_current(url)
    assert await current_revision(url) == head_revision()


async def test_downgrade_removes_everything_and_upgrade_restores(
    empty_database: EmptyDatabase,
) -> None:
    url = await empty_database()
    await upgrade(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    tables = await _inspect(url, lambda c: set(inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    with pytest.raises(DatabaseNotMigrated):
        await check_current(url)
    await upgrade(url)
    await check_current(url)


async def test_cvr_migration_keeps_providers_with_contracts(empty_database: EmptyDatabase) -> None:
    """0009_cvr widens the providers' shape check. On SQLite that rebuilds the table, which
    other tables reference: a provider with a contract must survive it, and a CVR then fit."""
    url = await empty_database()
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0008_mail")
    now = {"at": datetime(2027, 1, 1, tzinfo=UTC)}
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO providers (org_nr, name, email, created_at, updated_at) "
                    "VALUES ('556036-0793', 'A', 'a@x.example', :at, :at)"
                ),
                now,
            )
            await connection.execute(
                text(
                    "INSERT INTO contracts (workflow_id, org_nr, plan_id, start_date, status, "
                    "created_at, updated_at) VALUES ('contract-5560360793', '556036-0793', "
                    "'sundsvall', '2027-01-01', 'active', :at, :at)"
                ),
                now,
            )
    finally:
        await engine.dispose()
    await upgrade(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO providers (org_nr, name, email, created_at, updated_at) "
                    "VALUES ('12345674', 'B', 'b@x.example', :at, :at)"
                ),
                now,
            )
            rows = await connection.execute(text("SELECT org_nr FROM contracts"))
            assert rows.scalars().all() == ["556036-0793"]
        with pytest.raises(Exception, match="ck_providers_org_nr_format|CHECK"):
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO providers (org_nr, name, email, created_at, updated_at) "
                        "VALUES ('1234567', 'C', 'c@x.example', :at, :at)"
                    ),
                    now,
                )
    finally:
        await engine.dispose()


async def test_one_time_password_migration_keeps_accounts_as_they_were(
    empty_database: EmptyDatabase,
) -> None:
    """0011 adds must_change_password: an account made before it keeps its password as it
    is (false), and a new one may be one-time."""
    url = await empty_database()
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0010_users")
    now = {"at": datetime(2027, 1, 1, tzinfo=UTC)}
    insert = (
        "INSERT INTO users (username, display_name, role, password_hash, disabled, "
        "created_at, changed_at{extra}) VALUES (:name, 'A', 'administrator', 'h', false, "
        ":at, :at{value})"
    )
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(insert.format(extra="", value="")), {**now, "name": "anna"}
            )
    finally:
        await engine.dispose()
    await upgrade(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(insert.format(extra=", must_change_password", value=", true")),
                {**now, "name": "bo"},
            )
            rows = await connection.execute(
                text("SELECT username, must_change_password FROM users ORDER BY username")
            )
            assert [(r[0], bool(r[1])) for r in rows] == [("anna", False), ("bo", True)]
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0010_users")
    columns = await _inspect(
        url, lambda c: {col["name"] for col in inspect(c).get_columns("users")}
    )
    assert "must_change_password" not in columns and "password_hash" in columns


async def test_check_does_not_create_a_missing_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "records.db"
    with pytest.raises(DatabaseNotMigrated):
        await check_current(f"sqlite+aiosqlite:///{path}")
    assert not path.parent.exists()


async def test_upgrade_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini or alembic/ here
    url = f"sqlite:///{tmp_path / 'var' / 'records.db'}"  # sync spelling is accepted
    await upgrade(url)
    await check_current(url)


async def test_sqlite_engine_settings(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "records.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        assert path.parent.is_dir()  # created for the file
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("foreign_keys", "journal_mode", "busy_timeout")
            }
    finally:
        await engine.dispose()
    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 30000}


def test_parse_url_picks_async_drivers_and_refuses_others() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert parse_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    assert parse_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    assert parse_url("sqlite+aiosqlite:///x.db").database == "x.db"
    with pytest.raises(InvalidDatabaseURL, match="stöds inte"):
        parse_url("mysql+aiomysql://u@h/db")
    with pytest.raises(InvalidDatabaseURL, match="ogiltig"):
        parse_url("not a url")
    assert "hemligt" not in display_url("postgresql://u:hemligt@h/db")


def test_password_with_percent_reaches_alembic_intact() -> None:
    config = alembic_config("postgresql+asyncpg://u:p%25w@h/db")
    # ConfigParser interpolation would fail or mangle an unescaped '%'.
    assert config.get_main_option("sqlalchemy.url") == "postgresql+asyncpg://u:p%25w@h/db"


# --- lov db -------------------------------------------------------------------------------------


def _lov_db(*args: str) -> Any:
    # typer's CliRunner keeps stdout and stderr apart. In a thread: the commands run their own
    # event loop, which cannot nest in the test's.
    return asyncio.to_thread(CliRunner().invoke, db_app, list(args))


async def test_cli_upgrade_then_check(empty_database: EmptyDatabase) -> None:
    url = await empty_database()

    before = await _lov_db("check", "--url", url)
    assert before.exit_code == 1
    assert "lov db upgrade" in before.stderr and len(before.stderr.strip().splitlines()) == 1

    upgraded = await _lov_db("upgrade", "--url", url)
    assert upgraded.exit_code == 0, upgraded.stderr
    assert f"revision {head_revision()}" in upgraded.stdout

    after = await _lov_db("check", "--url", url)
    assert after.exit_code == 0, after.stderr
    assert "OK" in after.stdout


async def test_cli_uses_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.runtime.settings import get_settings

    monkeypatch.setenv("LOV_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cfg.db'}")
    get_settings.cache_clear()
    try:
        result = await _lov_db("upgrade")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.stderr
    assert str(tmp_path / "cfg.db") in result.stdout
    await check_current(f"sqlite+aiosqlite:///{tmp_path / 'cfg.db'}")


@pytest.mark.parametrize("command_name", ["upgrade", "check"])
async def test_cli_bad_url_exits_2(command_name: str) -> None:
    result = await _lov_db(command_name, "--url", "mysql://u@h/db")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"lov db {command_name}: ")
    assert len(result.stderr.strip().splitlines()) == 1


async def test_cli_unreachable_database_exits_1() -> None:
    # Port 1 on localhost refuses connections at once.
    result = await _lov_db("check", "--url", "postgresql+asyncpg://u@127.0.0.1:1/db")
    assert result.exit_code == 1
    assert result.stderr.startswith("lov db check: ConnectionRefusedError")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command_name", ["upgrade", "check"])
async def test_cli_help(command_name: str) -> None:
    result = await _lov_db(command_name, "--help")
    assert result.exit_code == 0
    assert "--url" in result.stdout


FAILING_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "{head}"


def upgrade() -> None:
    op.create_table("half_built", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("SELECT * FROM no_such_table")
"""


async def test_a_failed_upgrade_leaves_nothing_behind(
    empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    scripts = tmp_path / "alembic"
    shutil.copytree(ALEMBIC_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_broken.py").write_text(
        FAILING_REVISION.format(head=head_revision())
    )
    url = await empty_database()
    config = alembic_config(url)
    config.set_main_option("script_location", str(scripts))

    with pytest.raises(Exception, match="no_such_table"):
        await asyncio.to_thread(command.upgrade, config, "head")

    # Every revision and the start of the broken one ran in one transaction, on SQLite too.
    tables = await _inspect(url, lambda c: set(inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    assert await current_revision(url) is None


def test_the_head_revision_constant_is_alembics_head() -> None:
    # Read commands check the database against HEAD_REVISION without importing Alembic: a new
    # migration must move the constant with it.
    assert HEAD_REVISION == head_revision()


async def test_placement_plan_migration_backfills_what_the_records_know(
    empty_database: EmptyDatabase,
) -> None:
    """0012_placement_plan adds the placements' plan and fills it from the provider serving the
    placement, else the one taking it over, else the last one the audit trail names; a provider
    whose contracts follow several plans, or none ever, leaves it NULL."""
    url = await empty_database()
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0011_one_time_passwords")
    at = {"at": datetime(2027, 1, 1, tzinfo=UTC)}
    providers = ("556036-0793", "556677-8899", "559900-1122")
    contracts = [
        ("556036-0793", "sundsvall"),
        ("556677-8899", "aarhus"),
        ("559900-1122", "sundsvall"),
        ("559900-1122", "aarhus"),  # two plans: which one is not known
    ]
    # placement id → (status, org_nr, pending_org_nr, org nr in its audit trail)
    placements = {
        "served": ("active", "556036-0793", None, None),
        "switching": ("active", None, "556677-8899", None),
        "chosen-before": ("awaiting_choice", None, None, "556677-8899"),
        "never-had-one": ("awaiting_choice", None, None, None),
        "two-plans": ("active", "559900-1122", None, None),
    }
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            for org_nr in providers:
                await connection.execute(
                    text(
                        "INSERT INTO providers (org_nr, name, email, created_at, updated_at) "
                        "VALUES (:org, 'A', 'a@x.example', :at, :at)"
                    ),
                    {"org": org_nr, **at},
                )
            for n, (org_nr, plan) in enumerate(contracts):
                await connection.execute(
                    text(
                        "INSERT INTO contracts (workflow_id, org_nr, plan_id, start_date, "
                        "status, created_at, updated_at) VALUES (:wid, :org, :plan, "
                        "'2027-01-01', 'active', :at, :at)"
                    ),
                    {"wid": f"contract-{n}", "org": org_nr, "plan": plan, **at},
                )
            for n, (pid, (status, org_nr, pending, audited)) in enumerate(placements.items()):
                await connection.execute(
                    text(
                        "INSERT INTO placements (placement_id, customer_ref, area, service_type, "
                        "granted_hours, decision_date, status, org_nr, pending_org_nr, "
                        "care_plan_current, created_at, updated_at) VALUES (:pid, 'ref', "
                        "'Centrum', 'hemtjanst', 10, '2027-01-01', :status, :org, :pending, "
                        "false, :at, :at)"
                    ),
                    {"pid": pid, "status": status, "org": org_nr, "pending": pending, **at},
                )
                if audited:
                    await connection.execute(
                        text(
                            "INSERT INTO audit_events (idempotency_key, at, org_nr, workflow_id, "
                            "event_type, actor, details) VALUES (:key, :at, :org, :pid, "
                            "'placement_chosen', 'system', '{}')"
                        ),
                        {"key": f"k{n}", "org": audited, "pid": pid, **at},
                    )
    finally:
        await engine.dispose()

    await upgrade(url)

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT placement_id, plan_id FROM placements"))
            found = {pid: plan for pid, plan in rows.all()}
    finally:
        await engine.dispose()
    assert found == {
        "served": "sundsvall",
        "switching": "aarhus",
        "chosen-before": "aarhus",
        "never-had-one": None,
        "two-plans": None,
    }
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0010_users")
    columns = await _inspect(
        url, lambda c: [col["name"] for col in inspect(c).get_columns("placements")]
    )
    assert "plan_id" not in columns


async def test_task_cancelled_migration_keeps_tasks_and_allows_cancelled(
    empty_database: EmptyDatabase,
) -> None:
    """0015 widens municipal_tasks' state check with `cancelled` (on SQLite a table rebuild):
    rows recorded before survive it; it goes back only while no task is cancelled."""
    url = await empty_database()
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "0014_municipal_tasks")
    insert = text(
        "INSERT INTO municipal_tasks (plan_id, task_id, duty, owner, scope, period, due, state, "
        "escalated, created_at, updated_at) VALUES ('nordanstig', :task, 'tillsynsbesok', "
        "'kvalitetsuppfoljare', 'municipality', '2031', '2031-06-02', :state, false, :at, :at)"
    )
    at = datetime(2031, 1, 1, tzinfo=UTC)

    async def write(task: str, state: str) -> None:
        engine = make_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(insert, {"task": task, "state": state, "at": at})
        finally:
            await engine.dispose()

    await write("a", "open")
    with pytest.raises(Exception, match="ck_municipal_tasks_state|CHECK"):
        await write("b", "cancelled")  # not yet allowed
    await upgrade(url)
    await write("b", "cancelled")
    with pytest.raises(Exception, match="ck_municipal_tasks_state|CHECK"):
        await write("c", "gone")
    rows = await _inspect(
        url,
        lambda c: [
            tuple(r)
            for r in c.execute(text("SELECT task_id, state FROM municipal_tasks ORDER BY task_id"))
        ],
    )
    assert rows == [("a", "open"), ("b", "cancelled")]
    # A cancelled task recorded: going back would lose it, so the downgrade refuses.
    with pytest.raises(RuntimeError, match="0015_task_cancelled"):
        await asyncio.to_thread(command.downgrade, config, "0014_municipal_tasks")
    assert await current_revision(url) == "0015_task_cancelled"
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM municipal_tasks WHERE task_id = 'b'"))
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.downgrade, config, "0014_municipal_tasks")
    with pytest.raises(Exception, match="ck_municipal_tasks_state|CHECK"):
        await write("b", "cancelled")
    await upgrade(url)
    await check_current(url)
