"""`lov finding …` against the dev server: the `finding_lov` fixture (the `lov` fixture's small
test plan with a `[findings]` section, a worker on its own task queue, the CLI reading the
worker's records database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from models.runtime.settings import get_settings
from tests.support.cli_runner import cli_worker
from tests.support.contract_cli import Lov
from tests.support.helpers import ReceivedMail
from tests.support.plans import PLAN_ID, due_soon, local_today, plan_toml

# Requirements of kind avtal and lag: the test plan has no skallkrav.
FINDINGS_TOML = """
[findings]
response_days = 14
action_plan_min_days = 14
action_plan_max_days = 60
reminder_days = [7]

[[findings.requirements]]
key = "care-plans"
kind = "avtal"
title = "Genomförandeplan inom två veckor"
reference = "Avtalet punkt 5.2"

[[findings.requirements]]
key = "sol-quality"
kind = "lag"
title = "Insatser av god kvalitet"

[[findings.sanctions]]
kind = "pafpekande"
title = "Påpekande"

[[findings.sanctions]]
kind = "vite"
title = "Vite"
amount = 5000
"""


@pytest_asyncio.fixture
async def finding_lov(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Lov]:
    due = due_soon(local_today())
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    (plans_dir / f"{PLAN_ID}.toml").write_text(
        plan_toml(PLAN_ID, due) + FINDINGS_TOML, encoding="utf-8"
    )
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="finding-cli",
        default_plan=PLAN_ID,
        plans_dir=plans_dir,
    ) as env:
        url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
        env["LOV_DATABASE_URL"] = url
        monkeypatch.setenv("LOV_DATABASE_URL", url)
        get_settings.cache_clear()
        yield Lov(
            client=dev_env.client,
            smtp=smtp_server,
            env=env,
            tmp=tmp_path,
            due=due,
            contract_start=local_today() - timedelta(days=30),
        )
