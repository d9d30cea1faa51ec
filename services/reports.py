"""Reports for managers and auditors: the compliance matrix and the overdue list. Read only.

The compliance matrix is read from the records database (the obligation workflows write every
outcome there), so a report over all providers and years is a few queries, not a walk through
workflow histories. The overdue list is read from Temporal's visibility (models.domain.overdue):
what the running workflows themselves say; only a sole trader's rows, named by the opaque key,
cost a records query for the org nr.

SQLAlchemy and the record store are imported inside the functions that read the records: `lov
overdue` mostly never opens the database, and importing them costs its start-up
(docs/PERFORMANCE.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from temporalio.client import Client

from models.domain.compliance import Matrix, build_matrix, placement_stats
from models.domain.overdue import QUERY, OverdueList, item_of, keyed, with_org_nrs
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


# --- overdue -----------------------------------------------------------------------------------


async def records_org_nrs(settings: Settings, workflow_ids: list[str]) -> dict[str, str]:
    """Workflow id → org nr from the records database."""
    from models.records.db import make_engine, make_session_factory
    from models.records.store import RecordStore

    engine = make_engine(settings.resolved_database_url)
    try:
        return await RecordStore(make_session_factory(engine)).workflow_org_nrs(workflow_ids)
    finally:
        await engine.dispose()


async def overdue_items(
    client: Client, settings: Settings, now: datetime | None = None
) -> OverdueList:
    """Every running workflow that is overdue, most days first, with org nrs for sole traders
    when the records can say them (otherwise their key, and `records_error` says why)."""
    now = now or datetime.now(UTC)
    items = [
        item_of(wf.id, wf.typed_search_attributes, now) async for wf in client.list_workflows(QUERY)
    ]
    wanted = keyed(items)
    if not wanted:
        return OverdueList(with_org_nrs(items, {}))
    from sqlalchemy.exc import SQLAlchemyError

    try:
        known = await records_org_nrs(settings, wanted)
    except (SQLAlchemyError, OSError) as err:
        # The list is still worth having: the keyed rows keep their key, and the line says why.
        # The driver's own error (SQLAlchemy's text adds the whole statement).
        cause = getattr(err, "orig", None) or err
        reason = " ".join(str(cause).split())[:200]
        return OverdueList(with_org_nrs(items, {}), f"{type(cause).__name__}: {reason}")
    return OverdueList(with_org_nrs(items, known))
