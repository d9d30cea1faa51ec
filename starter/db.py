"""`lov db`: migrate and check the records database.

Exit codes: 0 done, 1 the database is not migrated or cannot be reached, 2 bad input (an
unparsable or unsupported URL, broken settings). Errors are one line on stderr.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from models.records.db import (
    DatabaseNotMigrated,
    InvalidDatabaseURL,
    check_current,
    current_revision,
    display_url,
    head_revision,
    parse_url,
    upgrade,
)
from models.runtime.settings import describe_invalid, get_settings

app = typer.Typer(
    no_args_is_help=True,
    help="Databasen med uppföljningens utfall: migrera och kontrollera. "
    "(Records database: migrate and check.)",
)

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Databas-URL, t.ex. postgresql+asyncpg://user@host/db. Standard: inställningarna "
        "(LOV_DATABASE_URL, lov.toml) eller SQLite under var/.",
        show_default=False,
    ),
]


def _describe(exc: Exception) -> str:
    # SQLAlchemy wraps driver errors (twice, for async drivers) in long messages; the
    # driver's own exception says what failed.
    cause: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig
        while cause.__cause__ is not None:
            cause = cause.__cause__
    return f"{type(cause).__name__}: {cause}"


def _fail(command: str, message: str, code: int) -> NoReturn:
    # Driver errors span several lines (SQL, background links); the first says what failed.
    first_line = message.strip().splitlines()[0] if message.strip() else "okänt fel"
    typer.echo(f"lov db {command}: {first_line}", err=True)
    raise typer.Exit(code)


def _target(command: str, url: str | None) -> str:
    try:
        target = url if url is not None else get_settings().resolved_database_url
        parse_url(target)
    except InvalidDatabaseURL as exc:
        _fail(command, str(exc), 2)
    except ValidationError as exc:
        _fail(command, describe_invalid(exc), 2)
    return target


@app.command(
    "upgrade",
    help="Migrera databasen till senaste schemat; ofarligt att köra igen. "
    "(Migrate to the newest schema; safe to repeat.)",
)
def upgrade_command(url: UrlOption = None) -> None:
    target = _target("upgrade", url)

    async def run() -> str | None:
        await upgrade(target)
        return await current_revision(target)

    try:
        revision = asyncio.run(run())
    except Exception as exc:  # noqa: BLE001 - the CLI boundary: report, do not trace back
        _fail("upgrade", _describe(exc), 1)
    typer.echo(f"{display_url(target)}: revision {revision} (senaste / head)")


@app.command(
    "check",
    help="Kontrollera att databasen är migrerad till senaste schemat. "
    "(Check that the database is at the newest schema revision.)",
)
def check_command(url: UrlOption = None) -> None:
    target = _target("check", url)
    try:
        asyncio.run(check_current(target))
    except DatabaseNotMigrated as exc:
        _fail("check", str(exc), 1)
    except Exception as exc:  # noqa: BLE001 - the CLI boundary: report, do not trace back
        _fail("check", _describe(exc), 1)
    typer.echo(f"{display_url(target)}: revision {head_revision()} (senaste / head), OK")
