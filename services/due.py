"""What is due when, across all providers: `lov due` and the desk's calendar.

Read from the records database (every obligation workflow writes its occurrence's state there),
sorted by due date, then provider.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from models.records.obligations import ObligationRecords
from models.runtime.locations import RecordsConfig
from services.errors import ActionError
from services.filters import plan_filter
from services.record_reads import read_records

AWAITING_REVIEW = "submitted"


@dataclass(frozen=True, slots=True)
class DueItem:
    due: date
    org_nr: str
    provider_name: str | None
    obligation: str
    period: str
    state: str
    overdue: bool
    escalation_level: int
    nominal_due: date

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def month_window(first: date) -> tuple[date, date]:
    """The month `first` lies in: its first and last day."""
    start = first.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, date.fromordinal(following.toordinal() - 1)


def due_window(
    today: date,
    month: tuple[date, date] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> tuple[date, date]:
    """The window asked for: a month, or --from to --to (both), or else this month.
    ActionError naming the option when they are mixed, half given or reversed."""
    if month is not None:
        if first is not None or last is not None:
            option = "--from" if first is not None else "--to"
            raise ActionError(
                option, "kan inte kombineras med --month (give --month or --from/--to)"
            )
        return month
    if first is None and last is None:
        return month_window(today)
    if first is None or last is None:
        missing = "--from" if first is None else "--to"
        raise ActionError(missing, "krävs tillsammans med --from/--to (both are required)")
    if first > last:
        raise ActionError(
            "--from",
            f"{first.isoformat()} är efter --to {last.isoformat()} (--from is after --to)",
        )
    return first, last


def check_filters(overdue: bool, awaiting_review: bool) -> None:
    """The filters can be used one at a time: an item awaiting review is never overdue."""
    if overdue and awaiting_review:
        raise ActionError(
            "--awaiting-review",
            "kan inte kombineras med --overdue (an item awaiting review is not overdue)",
        )


async def due_items(
    store: ObligationRecords,
    first: date,
    last: date,
    *,
    overdue: bool = False,
    awaiting_review: bool = False,
    plan_id: str | None = None,
) -> list[DueItem]:
    """Every occurrence due from `first` to `last`; only the overdue ones, or only those
    submitted and not yet reviewed, if asked."""
    check_filters(overdue, awaiting_review)
    found = await store.occurrences_due(
        first,
        last,
        plan_id=plan_id,
        overdue=overdue,
        status=AWAITING_REVIEW if awaiting_review else None,
    )
    return [
        DueItem(
            due=r.occurrence.due,
            org_nr=r.occurrence.org_nr,
            provider_name=r.provider_name,
            obligation=r.occurrence.obligation,
            period=r.occurrence.period,
            state=r.occurrence.status,
            overdue=r.occurrence.overdue,
            escalation_level=r.occurrence.escalation_level,
            nominal_due=r.occurrence.nominal_due,
        )
        for r in found
    ]


async def due_list(
    settings: RecordsConfig,
    first: date,
    last: date,
    *,
    overdue: bool = False,
    awaiting_review: bool = False,
    plan: str | None = None,
) -> list[DueItem]:
    """`due_items` on the configured records; the filters are checked before anything is read."""
    check_filters(overdue, awaiting_review)
    plan_id = plan_filter(plan, settings.plans_dir)
    return await read_records(
        settings.require_records(),
        # The obligations' store alone: `lov due` imports none of the other stores.
        ObligationRecords,
        lambda store: due_items(
            store, first, last, overdue=overdue, awaiting_review=awaiting_review, plan_id=plan_id
        ),
    )
