"""`lov contract …` against the dev server: the `lov` fixture (a worker on its own task queue
with the small test plan of tests.support.plans, the session's SMTP server) and its helpers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.messages.contract import ContractStatus
from models.messages.obligation import ObligationStatus
from models.runtime.settings import get_settings
from services import contracts, obligations
from tests.support.cli_runner import Result, cli_worker, run_lov, run_lov_process
from tests.support.helpers import ReceivedMail, eventually
from tests.support.plans import (
    PLAN_ID,
    PROVIDER_EMAIL,
    due_soon,
    local_today,
    plan_toml,
)


@dataclass
class Lov:
    client: Client
    smtp: ReceivedMail
    env: dict[str, str]
    tmp: Path
    due: date
    contract_start: date

    @property
    def year(self) -> str:
        return str(self.due.year)

    async def process(self, *args: str) -> Result:
        """`python -m starter contract …` as a separate process."""
        return await run_lov_process(self.env, "contract", *args)

    async def cli(self, *args: str) -> Result:
        """The same command in-process."""
        return await run_lov(self.env, "contract", *args)

    async def start(self, org_nr: str, *extra: str) -> None:
        result = await self.cli(
            "start",
            org_nr,
            "--name",
            "Omsorg i Norr AB",
            "--email",
            PROVIDER_EMAIL,
            "--start",
            self.contract_start.isoformat(),
            *extra,
        )
        assert result.exit_code == 0, result.stderr
        await eventually(lambda: self._has_items(org_nr), timeout=20)
        await self.take_welcome(org_nr)

    async def take_welcome(self, org_nr: str) -> None:
        """A contract started directly welcomes the provider (issue 16): wait for that e-mail
        and take it out of what the test sees next, so tests count only their own e-mails."""
        digits = org_nr.replace("-", "")

        def welcome(m: EmailMessage) -> bool:
            org = str(m["X-Lov-Org-Nr"]).replace("-", "")
            return m["X-Lov-Kind"] == "welcome" and org == digits

        async def taken() -> tuple[EmailMessage, list[str]]:
            return self.smtp.take(welcome)

        message, rcpt = await eventually(taken, timeout=20)
        assert rcpt == [PROVIDER_EMAIL] and "Välkommen" in str(message["Subject"])

    async def _has_items(self, org_nr: str) -> None:
        try:
            status = await contracts.contract_status(self.client, org_nr)
        except Exception as exc:  # not started yet / query not answered yet
            raise AssertionError(str(exc)) from exc
        assert set(status.obligations) == {"annual-report", "annual-accounts"}, status
        # Each obligation workflow has reported itself opened (the contract's view is settled).
        items = [i for s in status.obligations.values() for i in s.open]
        assert len(items) == 2 and all(i.changed_at is not None for i in items), status

    async def contract(self, org_nr: str) -> ContractStatus:
        return await contracts.contract_status(self.client, org_nr)

    async def item(self, org_nr: str, key: str) -> ObligationStatus:
        return await obligations.obligation_status(self.client, org_nr, key, self.year)

    def document(self, name: str, content: bytes = b"%PDF-1.4 rapport\n") -> Path:
        path = self.tmp / "docs" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        return path

    def submit_args(self, org_nr: str, *fields: str) -> list[str]:
        doc = self.document("avvikelser.pdf")
        args = ["submit", org_nr, "annual-report", self.year]
        for f in fields or ("customers=12", "permit_current=true"):
            args += ["--field", f]
        return [*args, "--document", f"deviation-analysis={doc}", "--actor", "Anna Admin"]


@pytest_asyncio.fixture
async def lov(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Lov]:
    due = due_soon(local_today())
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    (plans_dir / f"{PLAN_ID}.toml").write_text(plan_toml(PLAN_ID, due), encoding="utf-8")
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="contract-cli",
        default_plan=PLAN_ID,
        plans_dir=plans_dir,
    ) as env:
        yield Lov(
            client=dev_env.client,
            smtp=smtp_server,
            env=env,
            tmp=tmp_path,
            due=due,
            contract_start=local_today() - timedelta(days=30),
        )


@pytest.fixture
def records_lov(lov: Lov, monkeypatch: pytest.MonkeyPatch) -> Lov:
    """`lov`, with the CLI reading the worker's records database (the list commands)."""
    url = f"sqlite+aiosqlite:///{lov.tmp / 'records.db'}"
    lov.env["LOV_DATABASE_URL"] = url
    monkeypatch.setenv("LOV_DATABASE_URL", url)
    get_settings.cache_clear()
    return lov


async def listed_json(lov: Lov, group: str, *filters: str) -> list[dict[str, object]]:
    """`lov <group> list <filters> --json`, which must succeed, parsed."""
    result = await run_lov(lov.env, group, "list", *filters, "--json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows
