"""The worker image's command, run outside Docker exactly as the Dockerfile and docker-compose.yml
say: the Dockerfile's CMD as a subprocess, with the compose worker's environment whose service
names (temporal, postgresql, mailpit) are rewritten to the local dev server, a fresh PostgreSQL
database and a real SMTP server. One worker refuses an unmigrated database; one works and stops
cleanly on SIGTERM; two side by side share the work without sending any e-mail twice.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.ids import obligation_workflow_id
from models.messages.common import Provider
from models.records.db import upgrade
from models.runtime.settings import Settings
from models.runtime.temporal import data_converter
from services import contracts as contract_service
from tests.support.deployment import (
    COMPOSE_SECRETS,
    PROJECT_ROOT,
    services,
)
from tests.support.helpers import ReceivedMail, eventually, random_org_nr
from tests.support.plans import ZONE, due_soon, local_today, plan_toml
from tests.support.worker_process import (
    LEAD,
    PLAN_ID,
    PROVIDER_EMAIL,
    STARTED_LINE,
    WorkerProcess,
    image_command,
    reminder_plan,
    worker_env,
)

pytestmark = pytest.mark.slow

STOPPED_LINE = "Worker stoppad (stopped)"


# --- the compose worker, outside Docker -----------------------------------------------------------


def keyed_client(client: Client, env: dict[str, str]) -> Client:
    """`client` with the compose workers' payload keys: the workers encrypt every payload, so
    reading a query result (as `lov` does) needs the same keys."""
    settings = Settings(codec_keys=json.loads(env["LOV_CODEC_KEYS"]))
    return Client(**{**client.config(), "data_converter": data_converter(settings)})


async def pg_rows(database_url: str, query: str, *args: object) -> list[asyncpg.Record]:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


@contextmanager
def listener() -> Iterator[tuple[str, list[str]]]:
    """A TCP port that records whoever connects: proof that nothing dialled Temporal."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(str(peer))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


# --- an unmigrated records database -------------------------------------------------------------


@pytest.mark.parametrize("state", ["empty", "outdated"])
async def test_worker_refuses_an_unmigrated_postgresql_database(
    state: str, postgres_url: str, tmp_path: Path
) -> None:
    if state == "outdated":
        # The first revision only: what a database looks like when `lov db upgrade` was skipped
        # after an upgrade of lovflow.
        from alembic import command
        from models.records.db import alembic_config

        await asyncio.to_thread(command.upgrade, alembic_config(postgres_url), "0001")
    before = await pg_rows(
        postgres_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    with listener() as (address, connections):
        env = worker_env(tmp_path, temporal=address, database_url=postgres_url)
        result = subprocess.run(
            image_command(),
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        await asyncio.sleep(0.3)
        assert connections == [], "the worker must not connect to Temporal first"
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    expected = "ingen (tom databas)" if state == "empty" else "revision 0001"
    assert "kör `lov db upgrade`" in lines[0] and expected in lines[0], lines[0]
    assert COMPOSE_SECRETS["LOVFLOW_DB_PASSWORD"] not in result.stderr
    assert STARTED_LINE not in result.stdout + result.stderr
    after = await pg_rows(
        postgres_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    assert after == before, "the check must not create or change anything"


# --- one worker, as the image runs it -----------------------------------------------------------


async def migrate_as_compose_does(env: dict[str, str]) -> str:
    """The lovflow-migrate service's command (`lov db upgrade`) with the worker's settings."""
    command = services()["lovflow-migrate"]["command"]
    assert command[0] == "lov"
    lov = Path(sys.executable).parent / "lov"
    proc = await asyncio.create_subprocess_exec(
        str(lov),
        *command[1:],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def test_image_command_runs_a_worker_that_records_in_postgresql_and_stops_on_sigterm(
    dev_env: WorkflowEnvironment, postgres_url: str, smtp_server: ReceivedMail, tmp_path: Path
) -> None:
    due = due_soon(local_today())
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / f"{PLAN_ID}.toml").write_text(plan_toml(PLAN_ID, due), encoding="utf-8")
    task_queue = f"deploy-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        tmp_path,
        temporal=dev_env.client.service_client.config.target_host,
        database_url=postgres_url,
        # The contract's welcome goes out at its start (issue 16): a relay to send it to.
        smtp=smtp_server,
        LOV_TEMPORAL_TASK_QUEUE=task_queue,
        LOV_DEFAULT_PLAN=PLAN_ID,
    )
    client = keyed_client(dev_env.client, env)
    out = await migrate_as_compose_does(env)
    assert "(senaste / head)" in out

    worker = WorkerProcess(tmp_path, env, "worker")
    try:
        await worker.wait_started()
        org = random_org_nr()
        wid = await contract_service.start_contract(
            client,
            task_queue,
            Provider(org_nr=org, name="Drift Omsorg AB", email=PROVIDER_EMAIL),
            local_today() - timedelta(days=30),
            PLAN_ID,
            search_attributes=True,
        )

        async def recorded() -> None:
            contracts = await pg_rows(
                postgres_url, "SELECT status FROM contracts WHERE workflow_id = $1", wid
            )
            assert [r["status"] for r in contracts] == ["active"]
            occurrences = await pg_rows(
                postgres_url,
                "SELECT obligation, period FROM obligation_occurrences WHERE org_nr = $1",
                org,
            )
            assert sorted((r["obligation"], r["period"]) for r in occurrences) == [
                ("annual-accounts", str(due.year)),
                ("annual-report", str(due.year)),
            ]

        await eventually(recorded, timeout=30)
        status = await contract_service.contract_status(client, org)
        assert set(status.obligations) == {"annual-report", "annual-accounts"}

        assert await worker.stop() == 0, worker.text()
        assert STOPPED_LINE in worker.text()
        assert "Traceback" not in worker.text()
    finally:
        worker.kill()


# --- two workers side by side -------------------------------------------------------------------

CONTRACTS = 4


async def test_two_workers_share_the_work_without_duplicate_mail(
    dev_env: WorkflowEnvironment, postgres_url: str, smtp_server: ReceivedMail, tmp_path: Path
) -> None:
    reminder_plan(datetime.now(ZONE))  # skip before starting anything near midnight
    (tmp_path / "plans").mkdir()
    task_queue = f"deploy-pair-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        tmp_path,
        temporal=dev_env.client.service_client.config.target_host,
        database_url=postgres_url,
        smtp=smtp_server,
        LOV_TEMPORAL_TASK_QUEUE=task_queue,
        LOV_DEFAULT_PLAN=PLAN_ID,
    )
    client = keyed_client(dev_env.client, env)
    await upgrade(postgres_url)
    workers = [WorkerProcess(tmp_path, env, f"worker-{n}") for n in (1, 2)]
    try:
        await asyncio.gather(*(w.wait_started() for w in workers))
        pids = {str(w.pid) for w in workers}
        # Which workers poll is not asserted through DescribeTaskQueue: it reports the root
        # partition's pollers only, and an idle poller may sit on another partition for a minute.
        # The histories below show who did the work.

        due, text = reminder_plan(datetime.now(ZONE))
        (tmp_path / "plans" / f"{PLAN_ID}.toml").write_text(text, encoding="utf-8")
        orgs = [random_org_nr() for _ in range(CONTRACTS)]
        await asyncio.gather(
            *(
                contract_service.start_contract(
                    client,
                    task_queue,
                    Provider(org_nr=org, name=f"Omsorg {n} AB", email=PROVIDER_EMAIL),
                    local_today() - timedelta(days=1),
                    PLAN_ID,
                    search_attributes=True,
                )
                for n, org in enumerate(orgs)
            )
        )

        expected = {
            (org, obligation, str(due.year), "reminder")
            for org in orgs
            for obligation in ("annual-report", "annual-accounts")
        } | {(org, "None", "None", "welcome") for org in orgs}
        await smtp_server.wait_for(len(expected), timeout=LEAD.total_seconds() + 20)
        await asyncio.sleep(2)  # a duplicate would arrive right behind the original
        messages = list(smtp_server.messages)

        ids = Counter(str(m["Message-ID"]) for m in messages)
        assert all(n == 1 for n in ids.values()), f"duplicate Message-IDs: {ids}"
        sent = Counter(
            (
                str(m["X-Lov-Org-Nr"]),
                str(m["X-Lov-Obligation"]),
                str(m["X-Lov-Period"]),
                str(m["X-Lov-Kind"]),
            )
            for m in messages
        )
        assert set(sent) == expected and all(n == 1 for n in sent.values()), sent

        outbox = await pg_rows(postgres_url, "SELECT message_id, status FROM notifications")
        # Every e-mail the outbox holds (the reminders and each contract's welcome) was
        # delivered once, under the outbox's Message-ID.
        assert sorted(r["message_id"] for r in outbox) == sorted(ids)
        assert {r["status"] for r in outbox} == {"sent"}

        # Both workers did some of it: activities completed under each worker's identity.
        completed_by: set[str] = set()
        for org in orgs:
            for obligation in ("annual-report", "annual-accounts"):
                handle = client.get_workflow_handle(
                    obligation_workflow_id(org, obligation, str(due.year))
                )
                async for event in handle.fetch_history_events():
                    if event.HasField("activity_task_started_event_attributes"):
                        identity = event.activity_task_started_event_attributes.identity
                        completed_by.add(identity.split("@")[0])
        assert completed_by == pids, f"activities ran on {completed_by}, workers are {pids}"

        codes = await asyncio.gather(*(w.stop() for w in workers))
        assert codes == [0, 0], [w.text() for w in workers]
    finally:
        for w in workers:
            w.kill()
