"""Helpers for the municipal duties tests (issue 19): providers under a plan in the records
(the workflow reads them there; no contract workflow is needed) and the task list."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

from models.ids import contract_workflow_id
from models.messages.common import Provider
from models.messages.municipal import MunicipalTasksStatus, TaskView
from models.records.store import RecordStore
from models.runtime.settings import PROJECT_ROOT
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


def early_survey_plans(directory: Path) -> Path:
    """The project's plans copied under `directory`, with Nordanstig's kundundersökning due on
    20 January (reminded 30 days before: in December of the year before)."""
    plans = directory / "plans"
    shutil.copytree(PROJECT_ROOT / "plans", plans)
    path = plans / "nordanstig.toml"
    text = path.read_text()
    survey = "opens = { month = 9, day = 1 }\ndue = { month = 11, day = 30 }"
    assert survey in text
    path.write_text(text.replace(survey, "due = { month = 1, day = 20 }"))
    return plans
