"""The compliance matrix for one follow-up year: providers × obligation occurrences.

Each cell is one occurrence (obligation × period) of one provider, classified as on time, late
(days after the deadline in force when it was first submitted), missing (days past due, as of a
date), waived or not yet due. Lateness is what the obligation workflow computed at submission,
against the deadline then in force (extensions count; a later komplettering does not make an
on-time submission late).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

State = Literal["on_time", "late", "missing", "waived", "not_due"]
STATES: tuple[State, ...] = ("on_time", "late", "missing", "waived", "not_due")
STATE_SV: dict[str, str] = {
    "on_time": "i tid",
    "late": "sen",
    "missing": "saknas",
    "waived": "eftergiven",
    "not_due": "ej förfallen",
}


@dataclass(frozen=True)
class OccurrenceFact:
    """What the records say about one occurrence (input to the matrix)."""

    org_nr: str
    obligation: str
    period: str
    due: date
    status: str
    first_late_days: int | None  # None: never submitted


@dataclass(frozen=True)
class Column:
    obligation: str
    period: str
    title: str
    due: date

    @property
    def key(self) -> str:
        return f"{self.obligation}:{self.period}"


@dataclass(frozen=True)
class Cell:
    state: State
    days: int = 0  # late: days after the deadline; missing: days past due

    def label(self) -> str:
        text = STATE_SV[self.state]
        return f"{text} {self.days} d" if self.state in ("late", "missing") else text


@dataclass
class ProviderRow:
    org_nr: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(c.state for c in self.cells.values())
        return {s: counts.get(s, 0) for s in STATES}


@dataclass
class Matrix:
    year: int
    as_of: date
    columns: list[Column]
    rows: list[ProviderRow]

    def column_totals(self) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = {}
        for col in self.columns:
            counts = Counter(r.cells[col.key].state for r in self.rows if col.key in r.cells)
            totals[col.key] = {s: counts.get(s, 0) for s in STATES}
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "columns": [
                {
                    "key": c.key,
                    "obligation": c.obligation,
                    "period": c.period,
                    "title": c.title,
                    "due": c.due.isoformat(),
                }
                for c in self.columns
            ],
            "providers": [
                {
                    "org_nr": r.org_nr,
                    "name": r.name,
                    "cells": {k: {"state": c.state, "days": c.days} for k, c in r.cells.items()},
                    "totals": r.totals,
                    "stats": r.stats,
                }
                for r in self.rows
            ],
            "column_totals": self.column_totals(),
        }


def classify(fact: OccurrenceFact, as_of: date) -> Cell | None:
    """The cell of one occurrence; None for a cancelled one (not owed, not shown)."""
    if fact.status == "cancelled":
        return None
    if fact.first_late_days is not None:
        late = fact.first_late_days
        return Cell("late", late) if late > 0 else Cell("on_time")
    if fact.status == "waived":
        return Cell("waived")
    if fact.due < as_of:
        return Cell("missing", (as_of - fact.due).days)
    return Cell("not_due")


def _share(part: Any, whole: Any) -> str | None:
    try:
        p, w = Decimal(str(part)), Decimal(str(whole))
    except ArithmeticError:
        return None
    if w <= 0:
        return None
    return f"{(p * 100 / w).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


# Seed 003 §2.2: the number of customers and the share of current genomförandeplaner, from the
# provider's latest self-inspection report of the year, where it has those fields.
STAT_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    ("customers", "Antal kunder", None),
    ("current_care_plans", "Andel aktuella genomförandeplaner", "customers"),
    ("plans_within_14_days", "Andel genomförandeplaner inom 14 dagar", "customers"),
    ("customer_participation", "Andel där kunden medverkat", "customers"),
)


def provider_stats(fields: Mapping[str, Any]) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    for key, label, of in STAT_FIELDS:
        if key not in fields:
            continue
        if of is None:
            stats[label] = fields[key]
        elif of in fields and (share := _share(fields[key], fields[of])) is not None:
            stats[label] = share
    return stats


def placement_stats(
    decisions: int, granted_hours: Decimal, care_plans_current: int
) -> dict[str, Any]:
    """Seed 003 §2.2 from the kundval records: the provider's current placements (not the
    self-reported figures), so a report can set one against the other."""
    stats: dict[str, Any] = {
        "Antal biståndsbeslut (kundval, nu)": decisions,
        "Beviljade timmar (kundval, nu)": str(granted_hours),
    }
    if (share := _share(care_plans_current, decisions)) is not None:
        stats["Andel aktuella genomförandeplaner (kundval, nu)"] = share
    return stats


def build_matrix(
    year: int,
    as_of: date,
    facts: Iterable[OccurrenceFact],
    names: Mapping[str, str],
    titles: Mapping[str, str],
    latest_fields: Mapping[str, Mapping[str, Any]] | None = None,
    extra_stats: Mapping[str, Mapping[str, Any]] | None = None,
) -> Matrix:
    facts = list(facts)
    columns: dict[str, Column] = {}
    rows: dict[str, ProviderRow] = {}
    for f in facts:
        cell = classify(f, as_of)
        row = rows.setdefault(f.org_nr, ProviderRow(f.org_nr, names.get(f.org_nr, f.org_nr)))
        if cell is None:
            continue
        col = Column(f.obligation, f.period, titles.get(f.obligation, f.obligation), f.due)
        known = columns.get(col.key)
        # Providers' due dates for one period can differ (extensions): the column shows the
        # earliest, i.e. the plan's date.
        if known is None or col.due < known.due:
            columns[col.key] = col
        row.cells[col.key] = cell
    for org_nr, fields in (latest_fields or {}).items():
        if org_nr in rows:
            rows[org_nr].stats = provider_stats(fields)
    for org_nr, stats in (extra_stats or {}).items():
        if org_nr in rows:
            rows[org_nr].stats.update(stats)
    ordered_columns = sorted(columns.values(), key=lambda c: (c.due, c.obligation, c.period))
    ordered_rows = sorted(rows.values(), key=lambda r: (r.name.casefold(), r.org_nr))
    return Matrix(year, as_of, ordered_columns, ordered_rows)


def in_year(period: str, year: int) -> bool:
    return period == str(year) or period.startswith(f"{year}-")
