"""`lov application …` against the dev server: the `application_cli` fixture (a worker with the
shipped Sundsvall plan, open every hour, and the session's SMTP server) and the plan's
skallkrav."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.messages.application import ApplicationStatus
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from tests.support.cli_args import application_submit_args
from tests.support.cli_runner import Result, WorkerFor, run_lov, run_lov_process
from tests.support.helpers import ReceivedMail
from tests.support.plans import always_open_plans

PLAN = load_plan("sundsvall", PROJECT_ROOT / "plans")


SKALLKRAV = [k.key for k in PLAN.skallkrav]


EMAIL = "ansokan@omsorg.example"


@dataclass
class ApplicationCli:
    client: Client
    smtp: ReceivedMail
    env: dict[str, str]
    tmp: Path

    async def process(self, *args: str) -> Result:
        return await run_lov_process(self.env, "application", *args)

    async def cli(self, *args: str) -> Result:
        return await run_lov(self.env, "application", *args)

    async def submit(self, org_nr: str, *extra: str) -> Result:
        return await run_lov(self.env, *application_submit_args(org_nr, email=EMAIL), *extra)

    async def status(self, ref: str) -> ApplicationStatus:
        result = await self.cli("status", ref, "--json")
        assert result.exit_code == 0, result.stderr
        return ApplicationStatus.model_validate_json(result.stdout)


@pytest_asyncio.fixture
async def application_cli(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    worker_for: WorkerFor,
) -> AsyncIterator[ApplicationCli]:
    # The shipped plan, open every hour: the dev server runs on the real clock, and mail that
    # waits for office hours must not wait for the morning when the tests run at night.
    plans_dir = always_open_plans(tmp_path / "plans")
    async with worker_for(
        name="application-cli", default_plan="sundsvall", plans_dir=plans_dir
    ) as env:
        yield ApplicationCli(client=dev_env.client, smtp=smtp_server, env=env, tmp=tmp_path)
