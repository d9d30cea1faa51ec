"""Cells of the CSV files lovflow writes (the audit timeline, the compliance matrix): a stored
value must stay text in a spreadsheet. Its own small module so the compliance report's CSV does
not load the audit export's cryptography."""

from __future__ import annotations

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading `'` before `= + - @`, tab or CR."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value
