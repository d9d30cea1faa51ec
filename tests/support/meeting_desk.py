"""The desk's meeting pages against the dev server (`meeting_desk`): a worker on the small test
plan with one meeting window spanning the year, one provider's contract started by `lov` (so
its meeting is open and recorded), and the desk on the same records and Temporal, logged in as
the administrator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.messages.meeting import MeetingStatus
from models.runtime.settings import get_settings
from services import meetings
from tests.support.cli_args import contract_start_args
from tests.support.cli_runner import cli_worker, run_lov
from tests.support.desk import add_accounts, desk_client, log_in
from tests.support.helpers import ReceivedMail, eventually, random_org_nr
from tests.support.plans import (
    MEETINGS_PLAN,
    PLAN_ID,
    PROVIDER_EMAIL,
    due_soon,
    local_today,
    plan_toml,
)


@dataclass
class MeetingDesk:
    temporal: Client
    smtp: ReceivedMail
    client: httpx.AsyncClient  # the desk, logged in as the administrator
    env: dict[str, str]
    org: str
    year: int
    wid: str
    path: str  # the meeting page

    async def status(self) -> MeetingStatus:
        return await meetings.meeting_status(self.temporal, self.wid)

    def kinds(self) -> list[str]:
        """The X-Lov-Kind of each e-mail received since the fixture was ready."""
        return [str(m["X-Lov-Kind"]) for m in self.smtp.messages]


def _welcome(org: str) -> Callable[[EmailMessage], bool]:
    digits = org.replace("-", "")

    def match(m: EmailMessage) -> bool:
        return m["X-Lov-Kind"] == "welcome" and str(m["X-Lov-Org-Nr"]).replace("-", "") == digits

    return match


@pytest_asyncio.fixture
async def meeting_desk(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[MeetingDesk]:
    due = due_soon(local_today())
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    plan = plan_toml(PLAN_ID, due) + MEETINGS_PLAN
    (plans_dir / f"{PLAN_ID}.toml").write_text(plan, encoding="utf-8")
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="meeting-desk",
        default_plan=PLAN_ID,
        plans_dir=plans_dir,
    ) as env:
        org = random_org_nr()
        digits = org.replace("-", "")
        wid = f"meeting-{digits}-{due.year}-H1"
        start = contract_start_args(org, local_today() - timedelta(days=30), email=PROVIDER_EMAIL)
        started = await run_lov(env, *start)
        assert started.exit_code == 0, started.stderr

        async def opened() -> MeetingStatus:
            try:
                return await meetings.meeting_status(dev_env.client, wid)
            except Exception as exc:  # not opened yet
                raise AssertionError(str(exc)) from exc

        await eventually(opened, timeout=20)

        async def welcomed() -> object:
            return smtp_server.take(_welcome(org))

        await eventually(welcomed, timeout=20)
        url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
        monkeypatch.setenv("LOV_DATABASE_URL", url)
        get_settings.cache_clear()
        settings = get_settings().model_copy(update={"var_dir": tmp_path / "desk-var"})
        await add_accounts(url, "administrator", "auditor", "manager")
        path = f"/meetings/{digits}/{due.year}-H1"
        async with desk_client(settings) as client:
            await log_in(client, "administrator")

            async def recorded() -> None:
                page = await client.get(path)
                assert page.status_code == 200, page.text

            await eventually(recorded, timeout=20)
            smtp_server.clear()
            yield MeetingDesk(dev_env.client, smtp_server, client, env, org, due.year, wid, path)
