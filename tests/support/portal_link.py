"""A provider under a contract in the records, as the portal's "send me a new link" e-mail needs
it (services/portal_mail.py): recorded directly, so no contract workflow runs beside it."""

from __future__ import annotations

from datetime import date, datetime

from models.ids import contract_workflow_id
from models.records.store import RecordStore
from tests.support.harness import PROVIDER


async def recorded_provider(store: RecordStore, at: datetime, plan_id: str = "sundsvall") -> str:
    """The harness's provider with a contract under `plan_id`; its org nr."""
    org = PROVIDER.org_nr
    await store.upsert_provider(org, PROVIDER.name, PROVIDER.email, at)
    await store.record_contract(contract_workflow_id(org), org, plan_id, date(2031, 1, 1), at)
    return org
