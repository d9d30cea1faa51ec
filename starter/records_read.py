"""Running a list query of the application layer from the CLI: bad filters and a missing records
database (naming the setting) exit 2, a database that cannot answer exits 1, each with one line
(no Temporal connection is made)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from models.runtime.locations import Locations, read_locations
from models.runtime.setting_errors import DatabaseMissing
from services.errors import ActionError
from services.record_reads import RecordsUnavailable
from starter.errors import fail, fail_bad_input

T = TypeVar("T")


def records_settings() -> Locations:
    """Where the records and plans are, for a command that reads nothing else: read without
    building `Settings` (pydantic-settings was a third of such a command's start-up), unless a
    location setting is not plain text; then `Settings` reads it, and refuses it as before."""
    found = read_locations()
    if found is not None:
        return found
    from models.runtime.settings import get_settings

    return get_settings().locations


def run_query(query: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(query())
    except (ActionError, DatabaseMissing) as err:
        fail_bad_input(str(err))
    except RecordsUnavailable as err:
        fail(str(err))
