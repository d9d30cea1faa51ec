"""Reports for managers and auditors: the compliance matrix (`lov report compliance`). Read only.

Read from the records database (the obligation workflows write every outcome there), so a
report over all providers and years is a few queries, not a walk through workflow histories.
The overdue list is services.overdue.

SQLAlchemy and the record store are imported inside `compliance`: an option refused costs no
database import (docs/PERFORMANCE.md).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from models.domain.compliance import Matrix, build_matrix, placement_stats
from models.plans.loader import PlanError, list_plans, load_plan
from models.runtime.settings import Settings

if TYPE_CHECKING:
    from models.records.store import RecordStore

# Obligations that no plan lists: opened from a follow-up meeting's action items.
EXTRA_TITLES = {"meeting-action": "Åtgärd från uppföljningsmöte"}


# --- compliance --------------------------------------------------------------------------------


def obligation_titles(settings: Settings) -> dict[str, str]:
    """Obligation key → its title in the plans (the first plan that names it)."""
    titles = dict(EXTRA_TITLES)
    try:
        plan_ids = list_plans(settings.plans_dir)
    except (OSError, PlanError):
        plan_ids = []
    for plan_id in plan_ids:
        try:
            plan = load_plan(plan_id, settings.plans_dir)
        except PlanError:
            continue
        for ob in plan.obligations:
            titles.setdefault(ob.key, ob.title)
    return titles


async def compliance_matrix(
    store: RecordStore, year: int, as_of: date, titles: dict[str, str]
) -> Matrix:
    """Providers × the obligation occurrences of `year`, as of `as_of`, with the seed 003 §2.2
    statistics (the provider's own report and kundval's placements)."""
    facts = await store.compliance_facts(year)
    names = await store.provider_names()
    fields = await store.latest_report_fields(year, "customers")
    placements = {
        p.org_nr: placement_stats(p.decisions, p.granted_hours, p.care_plans_current)
        for p in await store.placement_statistics()
    }
    return build_matrix(year, as_of, facts, names, titles, fields, placements)


async def compliance(settings: Settings, year: int, as_of: date) -> Matrix:
    """The matrix of `year` from the configured records database."""
    from models.records.db import make_engine, make_session_factory
    from models.records.store import RecordStore

    engine = make_engine(settings.resolved_database_url)
    try:
        store = RecordStore(make_session_factory(engine))
        return await compliance_matrix(store, year, as_of, obligation_titles(settings))
    finally:
        await engine.dispose()
