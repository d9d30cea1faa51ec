"""The records database of a `lov` command that reads it: the one the settings name, which must
exist. Only `lov serve` and `lov db upgrade` create it; any other command that found none would
otherwise create an empty one and report that nothing is there."""

from __future__ import annotations

from models.runtime.settings import DatabaseMissing, Settings
from starter.errors import fail_bad_input


def records_url(settings: Settings) -> str:
    """The records database URL; exit 2 with one line naming the setting and the path when the
    database does not exist. Call it before asyncio.run: the exit must not be caught there."""
    try:
        return settings.require_records()
    except DatabaseMissing as err:
        fail_bad_input(str(err))
