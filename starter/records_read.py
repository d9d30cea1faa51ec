"""Running a list query of the application layer from the CLI: bad filters and a missing records
database (naming the setting) exit 2, a database that cannot answer exits 1, each with one line
(no Temporal connection is made)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from models.runtime.settings import DatabaseMissing
from services.errors import ActionError
from services.record_reads import RecordsUnavailable
from starter.errors import fail, fail_bad_input

T = TypeVar("T")


def run_query(query: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(query())
    except (ActionError, DatabaseMissing) as err:
        fail_bad_input(str(err))
    except RecordsUnavailable as err:
        fail(str(err))
