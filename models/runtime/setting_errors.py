"""Refused settings, and how a program entry point reports them: one line, exit code 2.

Free of pydantic, so that `lov` can wrap every command in `exit_on_invalid_settings` and still
start without it; pydantic's errors can only occur once something has imported it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class InvalidSetting(ValueError):
    """A setting pydantic accepts but lovflow cannot use (e.g. LOV_CODEC_KEYS that are not
    AES keys). The message starts with the setting's LOV_<NAME> and never quotes a secret."""


class DatabaseMissing(InvalidSetting):
    """A command that reads or changes records found no database where the settings point: it
    says which setting to fix instead of creating an empty database there."""

    def __init__(self, setting: str, path: Path) -> None:
        super().__init__(
            f"{setting}: ingen databas {path} (records database not found); starta `lov serve` "
            "eller kör `lov db upgrade` där, eller sätt LOV_HOME eller LOV_DATABASE_URL"
        )


@contextmanager
def exit_on_invalid_settings() -> Iterator[None]:
    """For program entry points (`lov`, `python worker.py`): invalid settings end the program
    with one line on stderr and exit code 2 before anything is written or sent, instead of a
    traceback."""
    try:
        yield
    except InvalidSetting as err:
        print(f"Ogiltig inställning (invalid setting): {err}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as err:
        # Only Settings raises pydantic's refusals; a command that never built it has none.
        if "models.runtime.settings" not in sys.modules:
            raise
        from models.runtime.settings import settings_refusal

        line = settings_refusal(err)
        if line is None:
            raise
        print(line, file=sys.stderr)
        raise SystemExit(2) from None
