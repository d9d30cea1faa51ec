"""`lov overdue`'s list: who is late, right now, across all providers. Read only.

Read from Temporal's visibility (the search attributes each workflow keeps current; the rows and
their order are models.domain.overdue's), so the list is what the running workflows themselves
say. A sole trader's rows carry only its opaque key; only they cost a records query for the org
nr, so SQLAlchemy is imported only then (docs/PERFORMANCE.md).
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.client import Client

from models.domain.overdue import QUERY, OverdueList, item_of, keyed, with_org_nrs
from models.runtime.settings import Settings


async def records_org_nrs(settings: Settings, workflow_ids: list[str]) -> dict[str, str]:
    """Workflow id → org nr from the records database."""
    from models.records.db import make_engine, make_session_factory
    from models.records.store import RecordStore

    # A missing database is reported (records_error), not created empty where `lov` was started.
    engine = make_engine(settings.require_records())
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

    from models.runtime.settings import DatabaseMissing

    try:
        known = await records_org_nrs(settings, wanted)
    except DatabaseMissing as err:
        return OverdueList(with_org_nrs(items, {}), str(err))
    except (SQLAlchemyError, OSError) as err:
        # The list is still worth having: the keyed rows keep their key, and the line says why.
        # The driver's own error (SQLAlchemy's text adds the whole statement).
        cause = getattr(err, "orig", None) or err
        reason = " ".join(str(cause).split())[:200]
        return OverdueList(with_org_nrs(items, {}), f"{type(cause).__name__}: {reason}")
    return OverdueList(with_org_nrs(items, known))
