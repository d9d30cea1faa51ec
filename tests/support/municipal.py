"""Helpers for the municipal duties tests (issue 19): providers under a plan in the records
(the workflow reads them there; no contract workflow is needed) and the task list."""

from __future__ import annotations

from datetime import date, datetime

from models.ids import contract_workflow_id
from models.messages.common import Provider
from models.messages.municipal import MunicipalTasksStatus, TaskView
from models.records.store import RecordStore
from services import municipal_tasks as tasks
from tests.support.harness import Stack
from tests.support.helpers import eventually

NORRSKOG = Provider(org_nr="556036-0793", name="Omsorg i Norr AB", email="kontakt@omsorg.example")
SOLROS = Provider(org_nr="556677-8899", name="Solros Hemtjänst AB", email="info@solros.example")


async def under_plan(
    store: RecordStore, provider: Provider, plan_id: str, start: date, at: datetime
) -> str:
    """The provider and a contract under `plan_id` in the records; the provider's id part."""
    await store.upsert_provider(provider.org_nr, provider.name, provider.email, at)
    wid = contract_workflow_id(provider.org_nr)
    await store.record_contract(wid, provider.org_nr, plan_id, start, at)
    return wid.removeprefix("contract-")


async def start(stack: Stack, plan_id: str) -> str:
    """Start the plan's workflow (idempotently) and wait until it has dated its year."""
    await tasks.ensure_started(stack.client, stack.settings.temporal_task_queue, plan_id)
    wid = f"municipal-duties-{plan_id}"

    async def loaded() -> None:
        status = await stack.client.get_workflow_handle(wid).query(
            "status", result_type=MunicipalTasksStatus
        )
        assert status.today is not None

    await eventually(loaded)
    return wid


async def task_list(stack: Stack, plan_id: str) -> dict[str, TaskView]:
    status = await stack.client.get_workflow_handle(f"municipal-duties-{plan_id}").query(
        "status", result_type=MunicipalTasksStatus
    )
    return {t.task_id: t for t in status.tasks}
