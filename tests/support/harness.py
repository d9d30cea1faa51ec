"""A lovflow stack on the time-skipping server: real workflows and activities, a real SMTP
server, a migrated SQLite records database. Each test gets its own server, so simulated time
starts at today's date and tests can move to fixed future dates."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.messages.common import Provider
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.runtime.settings import PROJECT_ROOT, Settings
from models.runtime.temporal import connect, data_converter, find_binary, run_chain
from services import calls as actions
from tests.support.helpers import ReceivedMail
from worker import create_worker
from workflows import ALL_WORKFLOWS

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PROVIDER = Provider(org_nr="556036-0793", name="Omsorg i Norr AB", email="kontakt@omsorg.example")


def local(day: date, clock: time = time(10, 0)) -> datetime:
    return datetime.combine(day, clock, STOCKHOLM)


class StoppableWorker:
    """One worker of a split stack (`split_workers=True`), which a test can stop and start
    again: while the activities worker is stopped, activities stay scheduled on the server;
    while the workflows worker is stopped, what happens to a workflow (an update, a timer
    firing) waits to be handled in one workflow task. Races made deterministic."""

    def __init__(self, client: Client, settings: Settings, **kwargs: Any) -> None:
        self._client = client
        self._settings = settings
        self._kwargs = kwargs
        self._worker: Worker | None = None

    async def start(self) -> None:
        assert self._worker is None, "the worker is already running"
        worker = create_worker(self._client, self._settings, **self._kwargs)
        await worker.__aenter__()
        self._worker = worker

    async def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            await worker.__aexit__(None, None, None)


@dataclass
class Stack:
    env: WorkflowEnvironment
    settings: Settings
    mail: ReceivedMail
    store: RecordStore
    # Only with split_workers: the workers by role ("workflows", "activities"), to hold back.
    workers: dict[str, StoppableWorker] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.env.client

    async def sleep_until(self, at: datetime) -> None:
        now = await self.env.get_current_time()
        assert at >= now, f"cannot go back in time to {at} (now {now})"
        await self.env.sleep(at - now)

    async def start_contract(
        self, contract_start: date, plan: str = "sundsvall", provider: Provider = PROVIDER
    ) -> str:
        return await actions.start_contract(
            self.client,
            self.settings.temporal_task_queue,
            provider,
            contract_start,
            plan,
            search_attributes=False,
        )

    async def running(self, workflow_id: str) -> bool:
        """Whether the workflow is still running (not failed, not ended)."""
        description = await self.client.get_workflow_handle(workflow_id).describe()
        return description.status is not None and description.status.name == "RUNNING"

    def mails(self, obligation: str | None = None, period: str | None = None) -> list[Any]:
        """(local time, kind, recipients) of each e-mail received, optionally for one item."""
        found = []
        for m in self.mail.messages:
            if obligation and m["X-Lov-Obligation"] != obligation:
                continue
            if period and m["X-Lov-Period"] != period:
                continue
            at = datetime.strptime(str(m["Date"]), "%a, %d %b %Y %H:%M:%S %z")
            found.append((at.astimezone(STOCKHOLM), str(m["X-Lov-Kind"]), str(m["To"])))
        return found


@asynccontextmanager
async def lovflow_stack(
    tmp_path: Path,
    plans_dir: Path | None = None,
    *,
    mail: ReceivedMail | None = None,
    database_url: str | None = None,
    split_workers: bool = False,
    extra_workflows: Sequence[type] = (),
    **settings: Any,
) -> AsyncIterator[Stack]:
    """`mail`: an SMTP server of the test's own (started here, e.g. one that refuses some
    addresses); `database_url`: another records database; `split_workers`: one worker for the
    workflows and another for the activities (LOV_WORKER_ROLE) instead of one for both;
    `extra_workflows`: test workflows the worker runs besides lovflow's;
    `settings`: further Settings."""
    db_url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(db_url)
    mail = mail or ReceivedMail()
    mail.start()
    config = Settings(
        var_dir=tmp_path,
        plans_dir=plans_dir or PROJECT_ROOT / "plans",
        database_url=db_url,
        smtp_host=mail.host,
        smtp_port=mail.port,
        search_attributes=False,
        temporal_task_queue=f"lovflow-test-{uuid.uuid4().hex[:8]}",
        **settings,
    )
    roles = ["workflows", "activities"] if split_workers else ["all"]
    engine = make_engine(db_url)
    try:
        async with (
            await WorkflowEnvironment.start_time_skipping(
                test_server_existing_path=str(find_binary("temporal-test-server")),
                data_converter=data_converter(config),
            ) as env,
            AsyncExitStack() as workers,
        ):
            target = env.client.service_client.config.target_host
            by_role: dict[str, StoppableWorker] = {}
            for n, role in enumerate(roles):
                role_config = config.model_copy(update={"worker_role": role})
                # A client runs one worker per task queue: the second gets a client of its own,
                # as a worker process of its own would.
                client = env.client if n == 0 else await connect(role_config, address=target)
                extra: dict[str, Any] = (
                    {"workflows": [*ALL_WORKFLOWS, *extra_workflows]} if extra_workflows else {}
                )
                worker = StoppableWorker(client, role_config, **extra)
                await worker.start()
                workers.push_async_callback(worker.stop)
                by_role[role] = worker
            store = RecordStore(make_session_factory(engine))
            yield Stack(env, config, mail, store, by_role if split_workers else {})
    finally:
        await engine.dispose()
        mail.stop()


async def run_histories(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow id, oldest first."""
    return await run_chain(client, workflow_id)
