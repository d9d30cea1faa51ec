"""Reports for managers and auditors: the compliance matrix (`lov report compliance`). Read only.

Read from the records database (the obligation workflows write every outcome there), so a
report over all providers and years is a few queries, not a walk through workflow histories.
The overdue list is services.overdue.

SQLAlchemy and the record store are imported inside `compliance`: an option refused costs no
database import (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from models.domain.compliance import Matrix, PlacementCounts, PlanInfo, build_matrix
from models.domain.inputs import check_date
from models.plans.loader import PlanError, list_plans, load_plan
from models.runtime.settings import Settings
from services.errors import ActionError

if TYPE_CHECKING:
    from models.records.store import RecordStore


# --- compliance --------------------------------------------------------------------------------


def plan_infos(settings: Settings) -> dict[str, PlanInfo]:
    """Plan id → its titles, calendar and language, for every plan in the plans folder. Keyed by
    plan: an obligation key is the plan's own, and two plans may give one key different titles."""
    try:
        plan_ids = list_plans(settings.plans_dir)
    except (OSError, PlanError):
        plan_ids = []
    found: dict[str, PlanInfo] = {}
    for ref in plan_ids:
        try:
            plan = load_plan(ref, settings.plans_dir)
        except PlanError:
            continue
        found[plan.id] = PlanInfo(
            plan.id,
            plan.language,
            plan.holiday_calendar,
            {ob.key: ob.title for ob in plan.known_obligations},
            {key: role.title for key, role in plan.municipal.roles.items()},
        )
    return found


def plan_ids(settings: Settings) -> set[str]:
    """Ids of the plans in the plans folder (what `--plan` may name)."""
    return set(plan_infos(settings))


# --- the report's query, checked (the CLI's options and the desk's form alike) ----------------

FIRST_YEAR, LAST_YEAR = 2000, 2100


def report_year(value: str | int | None) -> int:
    """`--year`: a follow-up year between 2000 and 2100; ActionError naming it otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ActionError("--year", "krävs (required), t.ex. --year 2027")
    try:
        year = int(value)
    except ValueError:
        raise ActionError(
            "--year", f"inte ett år (not a year), t.ex. 2027, fick {value!r}"
        ) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ActionError("--year", f"orimligt år (implausible year), fick {year}")
    return year


def report_plan(value: str | None, settings: Settings) -> str | None:
    """`--plan`: None (every plan) or a plan of the plans folder."""
    if value is None or not value.strip():
        return None
    if value.strip() not in plan_ids(settings):
        raise ActionError("--plan", f"okänd plan (unknown plan), fick {value.strip()!r}")
    return value.strip()


def report_as_of(value: str | None, today: date) -> date:
    """`--as-of`: a date (ÅÅÅÅ-MM-DD), `today` when none is given."""
    if value is None or not value.strip():
        return today
    try:
        return check_date(date.fromisoformat(value.strip()))
    except ValueError:
        raise ActionError(
            "--as-of", f"inte ett datum ÅÅÅÅ-MM-DD (not a date), fick {value.strip()!r}"
        ) from None


async def compliance_matrix(
    store: RecordStore,
    year: int,
    as_of: date,
    plans: dict[str, PlanInfo],
    plan_id: str | None = None,
) -> Matrix:
    """Providers × the obligation occurrences of `year`, as of `as_of`, with the seed 003 §2.2
    statistics (the provider's own report and kundval's placements) and the findings (brister)
    registered in `year` (issue 19: opened, remedied, open, sanctioned and the kronor decided;
    their state as recorded now), and the municipality's own tasks due in `year` (done on time,
    late, not done, escalated; per role and per provider); `plan_id`: only the providers
    following that plan."""
    facts = await store.compliance_facts(year)
    contracts = await store.compliance_contracts(year)
    names = await store.provider_names()
    fields = await store.latest_report_fields(year, "customers")
    placements = {
        p.org_nr: PlacementCounts(p.decisions, p.granted_hours, p.care_plans_current)
        for p in await store.placement_statistics()
    }
    findings = await store.compliance_findings(year)
    municipal_tasks = await store.compliance_municipal_tasks(year)
    return build_matrix(
        year,
        as_of,
        facts,
        names,
        plans,
        contracts,
        fields,
        placements,
        plan_id=plan_id,
        findings=findings,
        municipal_tasks=municipal_tasks,
    )


@dataclass(frozen=True, slots=True)
class _Kept:
    stamp: tuple[Any, ...]
    made: float
    matrix: Matrix


@dataclass
class ComplianceCache:
    """The compliance matrices a desk process has shown, each kept while the records it was
    made from stay the same: a view costs one query of aggregates (RecordStore.
    compliance_stamp) instead of reading and classifying every provider's year (about 0.1 s
    of CPU at 1,000 providers × 10 years, docs/PERFORMANCE.md §6), and paging through the
    matrix or downloading it right after reads it once.

    Correct first: the stamp is read before the matrix, so a matrix is never kept under a
    stamp newer than what it shows, and a new submission (its audit event and its row) moves
    the stamp, so the next view shows it. A change the stamp cannot see (an update with an
    older workflow time and no audit event; an occurrence's row written after its audit
    event while a view was being made) is shown once the kept matrix is `max_age` seconds
    old. A kept matrix is shared by the requests that show it, which only read it; the
    plans are the desk's, read once per process."""

    max_age: float = 30.0
    max_entries: int = 16
    clock: Callable[[], float] = time.monotonic
    _kept: dict[tuple[int, date, str | None], _Kept] = field(default_factory=dict)

    async def matrix(
        self,
        store: RecordStore,
        year: int,
        as_of: date,
        plans: dict[str, PlanInfo],
        plan_id: str | None = None,
    ) -> Matrix:
        """compliance_matrix(…), or the same matrix kept from an earlier view."""
        stamp = await store.compliance_stamp(year)
        key = (year, as_of, plan_id)
        now = self.clock()
        kept = self._kept.get(key)
        if kept is not None and kept.stamp == stamp and now - kept.made < self.max_age:
            return kept.matrix
        matrix = await compliance_matrix(store, year, as_of, plans, plan_id)
        self._kept.pop(key, None)
        self._kept[key] = _Kept(stamp, now, matrix)
        while len(self._kept) > self.max_entries:  # the oldest first (insertion order)
            del self._kept[next(iter(self._kept))]
        return matrix


async def compliance(
    settings: Settings, year: int, as_of: date, plan_id: str | None = None
) -> Matrix:
    """The matrix of `year` from the configured records database."""
    from models.records.db import make_engine, make_session_factory
    from models.records.store import RecordStore

    engine = make_engine(settings.resolved_database_url)
    try:
        store = RecordStore(make_session_factory(engine))
        return await compliance_matrix(store, year, as_of, plan_infos(settings), plan_id)
    finally:
        await engine.dispose()
