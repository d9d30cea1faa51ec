"""Dates as people read them in the plan's language: "7 december 2026", "7. december 2026".
One place for the month names, used by the e-mails (activities/wording.py) and the desk."""

from __future__ import annotations

from datetime import date

_SV = "januari februari mars april maj juni juli augusti september oktober november december"
_DA = "januar februar marts april maj juni juli august september oktober november december"
MONTHS: dict[str, tuple[str, ...]] = {"sv": tuple(_SV.split()), "da": tuple(_DA.split())}


def month_name(month: int, language: str = "sv") -> str:
    return MONTHS.get(language, MONTHS["sv"])[month - 1]


def format_date(value: date | str, language: str = "sv") -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    sep = ". " if language == "da" else " "
    return f"{value.day}{sep}{month_name(value.month, language)} {value.year}"


def iso_or_none(value: date | None) -> str | None:
    """A date or time as ISO 8601 for the `--json` outputs and the desk's data, None as None.
    (A datetime is a date: one function for both.)"""
    return None if value is None else value.isoformat()
