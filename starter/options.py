"""Parsing CLI option values, for commands that must start quickly (no Temporal imports)."""

from __future__ import annotations

from datetime import date

from models.domain.inputs import check_date
from starter.errors import fail_bad_input


def parse_date(text: str | None, option: str) -> date:
    """An ISO date, or exit 2 naming the option."""
    if text is None or not text.strip():
        fail_bad_input(f"{option}: krävs (required), t.ex. {option} 2027-04-20")
    value = text.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail_bad_input(f"{option}: inte ett datum ÅÅÅÅ-MM-DD (not a date), fick {value!r}")
    try:
        return check_date(day)
    except ValueError as err:
        fail_bad_input(f"{option}: {err}")
