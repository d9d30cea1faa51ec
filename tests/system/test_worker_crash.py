"""A worker process killed with SIGKILL while reminders fall due, on the dev server, three times.

The worker runs as `python worker.py` (as in production), mail goes to a real SMTP server in
this process, records to SQLite. The SMTP server itself pulls the trigger, so each kill lands at
a known point of a send:
1. mid-session: a recipient has been given, the message is not complete;
2. the server has the whole message and has not answered yet (the window no SMTP client can
   close: a real server delivers it, the client never learns, and the retry sends it again
   under the same Message-ID);
3. later in the same run, after other reminders were accepted *and* recorded.
After each kill a new worker starts; the heartbeat timeout hands the killed activities to it.

What is proved: every reminder is delivered, every acknowledged delivery happened exactly once
per Message-ID, a second delivery exists only for a message whose acknowledgement the crash
swallowed, and every outcome is recorded exactly once in the database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time as clock
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from models.messages.common import Provider
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from services import contracts
from tests.support.helpers import random_org_nr
from tests.support.mail_faults import FaultyMail
from tests.support.plans import ZONE, local_today
from tests.support.worker_process import (
    PLAN_ID,
    PROVIDER_EMAIL,
    WorkerProcess,
    reminder_plan,
    worker_env,
)

pytestmark = pytest.mark.slow

CONTRACTS = 2  # two reminders each, all due at the same second
LEAD = timedelta(seconds=10)  # to start the contracts before their reminders fall due


class Crasher:
    """Kills the current worker from inside the SMTP server's handlers, at scripted points."""

    def __init__(self, db_path: Path) -> None:
        self.worker: WorkerProcess | None = None
        self.kills: list[str] = []
        self.db_path = db_path
        self._accepted_since_restart: list[str] = []

    def kill(self, point: str) -> None:
        assert self.worker is not None
        os.kill(self.worker.pid, signal.SIGKILL)
        self.worker.process.wait(timeout=10)  # its sockets are closed once it is gone
        self.kills.append(point)

    def on_rcpt(self, address: str) -> None:
        if not self.kills:
            self.kill("mid-session")

    async def on_data(self, message: EmailMessage) -> None:
        message_id = str(message["Message-ID"])
        if len(self.kills) == 1:
            self.kill("received-not-answered")
        elif len(self.kills) == 2:
            if not self._accepted_since_restart:
                self._accepted_since_restart.append(message_id)  # this one is answered
                return
            # Kill only once every answered message is recorded as sent: a kill in the
            # milliseconds between "250 OK" and that write is the residual window, which this
            # test does not aim at.
            await self._wait_recorded(self._accepted_since_restart)
            self.kill("after-others-recorded")

    async def _wait_recorded(self, message_ids: list[str], timeout: float = 20.0) -> None:
        # Polls without blocking the SMTP server's loop: the worker still has to QUIT.
        deadline = clock.monotonic() + timeout
        while clock.monotonic() < deadline:
            with sqlite3.connect(self.db_path, timeout=5) as db:
                marks = ",".join("?" * len(message_ids))
                rows = db.execute(
                    f"SELECT count(*) FROM notifications WHERE status = 'sent'"
                    f" AND message_id IN ({marks})",
                    message_ids,
                ).fetchone()
            if rows[0] == len(message_ids):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"not recorded as sent within {timeout}s: {message_ids}")


async def test_sigkilled_workers_lose_no_reminder_and_send_none_twice(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    reminder_plan(datetime.now(ZONE), LEAD)  # skip near midnight before starting anything
    db_path = tmp_path / "records.db"
    db_url = f"sqlite+aiosqlite:///{db_path}"
    await upgrade(db_url)
    crasher = Crasher(db_path)
    mail = FaultyMail(on_rcpt=crasher.on_rcpt, on_data=crasher.on_data)
    mail.start()
    (tmp_path / "plans").mkdir()
    task_queue = f"crash-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        tmp_path,
        temporal=dev_env.client.service_client.config.target_host,
        database_url=db_url,
        smtp=mail,
        LOV_TEMPORAL_TASK_QUEUE=task_queue,
        LOV_DEFAULT_PLAN=PLAN_ID,
    )
    workers: list[WorkerProcess] = []

    async def start_worker() -> None:
        worker = WorkerProcess(tmp_path, env, f"worker-{len(workers) + 1}")
        workers.append(worker)
        crasher.worker = worker
        await worker.wait_started()

    try:
        await start_worker()
        due, text = reminder_plan(datetime.now(ZONE), LEAD)
        (tmp_path / "plans" / f"{PLAN_ID}.toml").write_text(text, encoding="utf-8")
        orgs = [random_org_nr() for _ in range(CONTRACTS)]
        for n, org in enumerate(orgs):
            await contracts.start_contract(
                dev_env.client,
                task_queue,
                Provider(org_nr=org, name=f"Krasch Omsorg {n} AB", email=PROVIDER_EMAIL),
                local_today() - timedelta(days=1),
                PLAN_ID,
                search_attributes=True,
            )
        expected = {
            (org, obligation, str(due.year))
            for org in orgs
            for obligation in ("annual-report", "annual-accounts")
        }

        # Replace each killed worker at once; stop when every reminder is out and recorded.
        store = RecordStore(make_session_factory(make_engine(db_url)))
        deadline = clock.monotonic() + LEAD.total_seconds() + 120
        while True:
            if workers[-1].process.poll() is not None:
                await start_worker()
            notifications = await store.list_notifications()
            outbox = [e for e in notifications if e.kind == "reminder"]
            done = {(e.org_nr, e.obligation, e.period) for e in outbox if e.status == "sent"}
            # Every e-mail out, not only the reminders: a welcome whose answer a kill swallowed
            # is sent again only when its activity's retry comes, which on a busy machine can
            # be after the last reminder.
            all_sent = all(e.status == "sent" for e in notifications)
            if len(crasher.kills) == 3 and done == expected and all_sent:
                break
            if clock.monotonic() > deadline:
                pytest.fail(f"kills {crasher.kills}, sent {sorted(done)}:\n{workers[-1].text()}")
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # a duplicate would arrive right behind
        assert crasher.kills == ["mid-session", "received-not-answered", "after-others-recorded"]

        # Mail: each reminder delivered; every Message-ID acknowledged exactly once; a second
        # copy only where the crash swallowed the acknowledgement.
        deliveries = mail.deliveries()
        unacknowledged = Counter(mail.unacknowledged)
        assert unacknowledged.total() >= 2, unacknowledged  # kill points 2 and 3
        # Every e-mail the contracts sent (the reminders and each contract's welcome).
        everything = await store.list_notifications()
        assert {e.message_id for e in everything} == set(deliveries)
        for message_id, count in deliveries.items():
            assert count - unacknowledged[message_id] == 1, (message_id, count, unacknowledged)
        sent = Counter(
            (str(m["X-Lov-Org-Nr"]), str(m["X-Lov-Obligation"]), str(m["X-Lov-Period"]))
            for m in mail.messages
            if m["X-Lov-Kind"] == "reminder"
        )
        assert set(sent) == expected

        # Records: one outbox row per reminder, all sent; audit events numbered without gaps
        # or repeats per workflow; one occurrence row per obligation.
        assert len(outbox) == len(expected) and {e.status for e in outbox} == {"sent"}
        numbers: dict[str, list[int]] = defaultdict(list)
        for event in await store.list_audit():
            wid, _, n = event.idempotency_key.rpartition(":event:")
            if n.isdigit():
                numbers[wid].append(int(n))
        assert numbers
        for wid, seen in numbers.items():
            assert sorted(seen) == list(range(1, len(seen) + 1)), (wid, seen)
        occurrences = Counter(o.workflow_id for o in await store.list_occurrences())
        assert len(occurrences) == len(expected) and set(occurrences.values()) == {1}

        assert await workers[-1].stop() == 0, workers[-1].text()
    finally:
        for worker in workers:
            worker.kill()
        mail.stop()
