"""Running one CLI query against the records database, with the CLI's exit codes: bad input
(`ActionError`) exits 2, a database that cannot be read exits 1, each with one line."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from models.runtime.settings import Settings
from services.errors import ActionError
from services.records import RecordStore, RecordsUnavailable, open_records
from starter.errors import fail, fail_bad_input

T = TypeVar("T")

# The municipalities' calendar day: what "this month" and "this year" mean to the CLI.
LOCAL = ZoneInfo("Europe/Stockholm")


def today() -> date:
    return datetime.now(LOCAL).date()


def read_records(settings: Settings, query: Callable[[RecordStore], Awaitable[T]]) -> T:
    async def main() -> T:
        async with open_records(settings) as store:
            return await query(store)

    try:
        return asyncio.run(main())
    except ActionError as err:
        fail_bad_input(str(err))
    except RecordsUnavailable as err:
        fail(str(err))
    except Exception as err:  # the database's own errors: one line, not a traceback
        fail(f"Registret (records database): {' '.join(str(err).split())}")
