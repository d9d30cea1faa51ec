"""What `lov overdue` lists: who is late, right now, across all providers.

Read from Temporal's visibility (the search attributes each workflow keeps current), so the list
is what the running workflows themselves say, and on a cluster it scales with the visibility
store, not with the number of workflows fetched.

A sole trader's workflows carry only its opaque key (`ef-…`, models/domain/provider_id.py) in
LovOrgNr;
the administrator needs the org nr, which the records database maps from the workflow id. Only
those rows cost a query: a list of companies never opens the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from models.domain.provider_id import is_ref
from models.runtime import search_attributes as sa
from models.runtime.settings import Settings

QUERY = "LovOverdue = true AND ExecutionStatus = 'Running'"
LOCAL_DAY_ENDS = timedelta(days=1)
# Deadlines are local (the plans' time zone); Europe/Stockholm and Copenhagen share offsets.
LOCAL = ZoneInfo("Europe/Stockholm")


class OverdueItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    workflow_id: str
    kind: str
    org_nr: str
    obligation: str | None
    period: str | None
    due: date | None
    days_overdue: int | None
    escalation_level: int
    status: str | None


@dataclass(frozen=True)
class OverdueList:
    items: list[OverdueItem]
    # Set when sole traders' org nrs could not be read from the records (they show their key).
    records_error: str | None = None


def _item(workflow_id: str, attrs: object, now: datetime) -> OverdueItem:
    get = attrs.get  # type: ignore[attr-defined]
    deadline: datetime | None = get(sa.DUE)
    # LovDue is the instant the due day ends; the due date is the day before it, and the first
    # day overdue is day 1, as in the reminders' "N dagar sedan".
    due = (deadline.astimezone(LOCAL) - LOCAL_DAY_ENDS).date() if deadline else None
    days = max(0, (now - deadline).days + 1) if deadline else None
    return OverdueItem(
        workflow_id=workflow_id,
        kind=get(sa.KIND) or "",
        org_nr=get(sa.ORG_NR) or "",
        obligation=get(sa.OBLIGATION),
        period=get(sa.PERIOD),
        due=due,
        days_overdue=days,
        escalation_level=get(sa.ESCALATION_LEVEL) or 0,
        status=get(sa.STATUS),
    )


def keyed(items: list[OverdueItem]) -> list[str]:
    """The workflow ids of the items named by a sole trader's key rather than an org nr."""
    return [i.workflow_id for i in items if is_ref(i.org_nr)]


def with_org_nrs(items: list[OverdueItem], org_nrs: Mapping[str, str]) -> list[OverdueItem]:
    """Each keyed item named by the org nr the records hold for its workflow; an item the
    records do not know keeps its key (still a handle: the Web UI and the workflow id find it).
    Sorted most overdue first, then by provider."""
    named = [
        i.model_copy(update={"org_nr": org_nrs[i.workflow_id]})
        if is_ref(i.org_nr) and i.workflow_id in org_nrs
        else i
        for i in items
    ]
    return sorted(named, key=lambda i: (-(i.days_overdue or 0), i.org_nr, i.workflow_id))


async def records_org_nrs(settings: Settings, workflow_ids: list[str]) -> dict[str, str]:
    """Workflow id → org nr from the records database."""
    # Imported here: SQLAlchemy adds to the start-up of every `lov overdue` otherwise, and a
    # list without sole traders never needs it (docs/PERFORMANCE.md).
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
    now = now or datetime.now(UTC)
    items = [
        _item(wf.id, wf.typed_search_attributes, now) async for wf in client.list_workflows(QUERY)
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
