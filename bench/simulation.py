"""Sections 1 and 2: simulation throughput against a bare baseline, and history sizes.

Section 1 runs N contracts of the Sundsvall plan for Y years on the time-skipping server, with
the real worker, a real SMTP server and a SQLite records database, and a provider that never
answers: every reminder, overdue notice and escalation step fires, the heaviest case. Its
histories are then counted (timers, activities, workflows) and a bare baseline with the same
shape runs on a fresh server of the same kind; the ratio of the two throughputs is lovflow's
cost over the engine's own.

Section 2 follows one diligent provider (every duty submitted and accepted) for 20 follow-up
years. The time-skipping server ends every workflow chain after ten simulated years, so the 20
years run as two chains: the second starts on a fresh server from the state the first carried
into its last continue-as-new (the contract's own input, decoded from its history), which is
exactly what a real server would hand the next run.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.baseline import (
    BareChildWorkflow,
    BareContractInput,
    BareContractWorkflow,
    BareShape,
    BareStarter,
    bare_noop,
    children_in_year,
)
from bench.common import PROJECT_ROOT, org_nrs
from bench.smtp_sink import SinkProcess
from bench.workers import (
    TOPOLOGIES,
    Topology,
    bare_activity_worker,
    lovflow_activity_worker,
)
from models.domain.calendar import occurrences
from models.ids import contract_workflow_id
from models.messages.common import Provider
from models.messages.contract import ContractInput
from models.messages.obligation import DocumentRef, ReviewRequest, SubmitRequest
from models.plans.loader import load_plan
from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from models.records.tables import Meeting, ObligationOccurrence
from models.runtime.settings import Settings
from models.runtime.temporal import TEST_SERVER_BINARY, find_binary, run_chain
from services import contracts as contract_service
from services import obligations as obligation_service
from worker import create_worker

ZONE = ZoneInfo("Europe/Stockholm")
STEP = timedelta(days=15)  # time skips in steps, so the server never has to jump years at once


def local(day: date, at: clock = clock(10, 0)) -> datetime:
    return datetime.combine(day, at, ZONE)


@dataclass
class LovStack:
    env: WorkflowEnvironment
    settings: Settings
    emails: int = 0  # accepted by the SMTP server; counted when the stack has stopped

    @property
    def client(self) -> Client:
        return self.env.client

    async def sleep_until(self, at: datetime) -> None:
        while True:
            now = await self.env.get_current_time()
            if now >= at:
                return
            await self.env.sleep(min(at - now, STEP))


async def _time_skipping() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(find_binary(TEST_SERVER_BINARY)),
        data_converter=pydantic_data_converter,
    )


@asynccontextmanager
async def lov_stack(workdir: Path, topology: Topology = "single") -> AsyncIterator[LovStack]:
    db_url = f"sqlite+aiosqlite:///{workdir / 'records.db'}"
    await upgrade(db_url)
    sink = SinkProcess()
    port = sink.start()
    settings = Settings(
        var_dir=workdir,
        plans_dir=PROJECT_ROOT / "plans",
        database_url=db_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        search_attributes=False,
        temporal_task_queue=f"bench-{uuid.uuid4().hex[:8]}",
    )
    stack: LovStack | None = None
    split = topology == "split"
    try:
        async with await _time_skipping() as env:
            with (
                lovflow_activity_worker(env.client, settings, workdir / "activity-worker.log")
                if split
                else nullcontext()
            ):
                role = "workflows" if split else "all"
                own = settings.model_copy(update={"worker_role": role})
                async with create_worker(env.client, own):
                    stack = LovStack(env, settings)
                    yield stack
    finally:
        emails = sink.stop()
        if stack is not None:
            stack.emails = emails


# --- histories --------------------------------------------------------------------------------


def history_bytes(history: WorkflowHistory) -> int:
    return sum(e.ByteSize() for e in history.events)


async def run_histories(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow id, oldest first."""
    return await run_chain(client, workflow_id)


async def _child_ids(db_url: str) -> tuple[list[str], list[str]]:
    engine = make_engine(db_url)
    try:
        async with make_session_factory(engine)() as session:
            obligations = (await session.execute(select(ObligationOccurrence.workflow_id))).all()
            meetings = (await session.execute(select(Meeting.meeting_id))).all()
    finally:
        await engine.dispose()
    return [r[0] for r in obligations], [r[0] for r in meetings]


async def _fetch_all(client: Client, ids: list[str]) -> list[WorkflowHistory]:
    sem = asyncio.Semaphore(16)

    async def one(wid: str) -> WorkflowHistory:
        async with sem:
            return await client.get_workflow_handle(wid).fetch_history()

    return list(await asyncio.gather(*(one(w) for w in ids)))


def _counts(histories: list[WorkflowHistory]) -> Counter[str]:
    c: Counter[str] = Counter()
    for h in histories:
        c["runs"] += 1
        for e in h.events:
            if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
                c["timers"] += 1
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                c["activities"] += 1
            elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                c["workflow_tasks"] += 1
            elif e.event_type == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
                c["signals"] += 1
        c["events"] += len(h.events)
    return c


def _size_stats(histories: list[WorkflowHistory]) -> dict[str, Any]:
    events = [len(h.events) for h in histories]
    sizes = [history_bytes(h) for h in histories]
    if not events:
        return {"count": 0}
    return {
        "count": len(events),
        "events_median": statistics.median(events),
        "events_max": max(events),
        "bytes_median": int(statistics.median(sizes)),
        "bytes_max": max(sizes),
    }


# --- section 1 --------------------------------------------------------------------------------

FIRST_YEAR = 2030


async def simulate_unanswered(
    contracts: int, years: int, workdir: Path, topology: Topology = "single"
) -> dict[str, Any]:
    providers = [
        Provider(org_nr=org, name=f"Omsorg {n:04d} AB", email=f"kontakt{n}@omsorg.example")
        for n, org in enumerate(org_nrs(contracts, seed=1))
    ]
    async with lov_stack(workdir, topology) as stack:
        await stack.sleep_until(local(date(FIRST_YEAR, 1, 1), clock(0, 0)))
        t0 = time.perf_counter()
        await asyncio.gather(
            *(
                contract_service.start_contract(
                    stack.client,
                    stack.settings.temporal_task_queue,
                    p,
                    date(FIRST_YEAR - 1, 1, 1),
                    "sundsvall",
                    search_attributes=False,
                )
                for p in providers
            )
        )
        # Stop before 1 December of the last year, when the next year would be prepared.
        await stack.sleep_until(local(date(FIRST_YEAR + years - 1, 11, 30), clock(23, 0)))
        wall = time.perf_counter() - t0
        obligation_ids, meeting_ids = await _child_ids(stack.settings.resolved_database_url)
        contract_runs: list[list[WorkflowHistory]] = [
            await run_histories(stack.client, contract_workflow_id(p.org_nr)) for p in providers
        ]
        obligations = await _fetch_all(stack.client, obligation_ids)
        meetings = await _fetch_all(stack.client, meeting_ids)
        records_bytes = sum(f.stat().st_size for f in workdir.glob("records.db*") if f.is_file())
    mails = stack.emails
    contract_histories = [h for runs in contract_runs for h in runs]
    cy = contracts * years
    own = _counts(contract_histories)
    kids = _counts(obligations + meetings)
    per_run_events = [[len(h.events) for h in runs] for runs in contract_runs]
    per_run_bytes = [[history_bytes(h) for h in runs] for runs in contract_runs]
    return {
        "contracts": contracts,
        "years": years,
        "contract_years": cy,
        "wall_seconds": round(wall, 2),
        "contract_years_per_second": round(cy / wall, 3),
        "emails": mails,
        "per_contract_year": {
            "workflows": round((own["runs"] + kids["runs"]) / cy, 2),
            "timers": round((own["timers"] + kids["timers"]) / cy, 2),
            "activities": round((own["activities"] + kids["activities"]) / cy, 2),
            "workflow_tasks": round((own["workflow_tasks"] + kids["workflow_tasks"]) / cy, 2),
            "signals": round((own["signals"] + kids["signals"]) / cy, 2),
            "events": round((own["events"] + kids["events"]) / cy, 1),
            "emails": round(mails / cy, 2),
            "history_bytes": int(
                sum(history_bytes(h) for h in contract_histories + obligations + meetings) / cy
            ),
            "records_db_bytes": int(records_bytes / cy),
        },
        "shape": BareShape(
            contract_activities=own["activities"] / cy,
            contract_timers=own["timers"] / cy,
            children=kids["runs"] / cy,
            child_timers=kids["timers"] / max(1, kids["runs"]),
            child_activities=kids["activities"] / max(1, kids["runs"]),
            child_signals=kids["signals"] / max(1, kids["runs"]),
        ).__dict__,
        "contract_run_events_by_year": per_run_events[0],
        "contract_run_bytes_by_year": per_run_bytes[0],
        "obligation_histories": _size_stats(obligations),
        "meeting_histories": _size_stats(meetings),
    }


async def _run_bare(
    env: WorkflowEnvironment, bare: BareShape, task_queue: str, contracts: int, years: int
) -> float:
    """Wall seconds for `contracts` bare contracts over the lovflow run's simulated span."""
    t0 = time.perf_counter()
    await asyncio.gather(
        *(
            env.client.start_workflow(
                BareContractWorkflow.run,
                BareContractInput(bare, years, f"bare-{n}"),
                id=f"bare-contract-{n}",
                task_queue=task_queue,
            )
            for n in range(contracts)
        )
    )
    # Same simulated span as the lovflow run (11 months short of the last year's end).
    span = timedelta(days=365 * years - 31)
    start = await env.get_current_time()
    while (now := await env.get_current_time()) < start + span:
        await env.sleep(min(start + span - now, STEP))
    return time.perf_counter() - t0


async def simulate_baseline(
    shape: dict[str, Any],
    contracts: int,
    years: int,
    workdir: Path,
    topology: Topology = "single",
) -> dict[str, Any]:
    bare = BareShape(**shape)
    task_queue = f"bare-{uuid.uuid4().hex[:8]}"
    split = topology == "split"
    async with await _time_skipping() as env:
        starter = BareStarter(env.client, task_queue)
        own: list[Callable[..., Any]] = [] if split else [bare_noop, starter.bare_start_children]
        with (
            bare_activity_worker(env.client, task_queue, workdir / "bare-activity-worker.log")
            if split
            else nullcontext()
        ):
            async with Worker(
                env.client,
                task_queue=task_queue,
                workflows=[BareContractWorkflow, BareChildWorkflow],
                activities=own,
            ):
                wall = await _run_bare(env, bare, task_queue, contracts, years)
        # Counted from its histories, as the lovflow run is, so the two shapes can be compared
        # figure by figure.
        runs = [
            h for n in range(contracts) for h in await run_chain(env.client, f"bare-contract-{n}")
        ]
        children = await _fetch_all(
            env.client,
            [
                f"bare-{n}-{year}-{i}"
                for n in range(contracts)
                for year in range(years)
                for i in range(children_in_year(bare, year))
            ],
        )
    cy = contracts * years
    counts = _counts(runs + children)
    return {
        "contract_years": cy,
        "wall_seconds": round(wall, 2),
        "contract_years_per_second": round(cy / wall, 3),
        "per_contract_year": {
            key: round(counts[key] / cy, 2)
            for key in ("runs", "timers", "activities", "workflow_tasks", "signals", "events")
        },
        "history_bytes_per_contract_year": int(sum(history_bytes(h) for h in runs + children) / cy),
    }


async def throughput(contracts: int, years: int) -> dict[str, Any]:
    """Both topologies (bench/workers.py), lovflow and its baseline in each; the headline
    figures are the split one's, as production runs."""
    by_topology: dict[str, Any] = {}
    for topology in TOPOLOGIES:
        with tempfile.TemporaryDirectory(prefix="lov-bench-") as tmp:
            lov = await simulate_unanswered(contracts, years, Path(tmp), topology)
            base = await simulate_baseline(lov["shape"], contracts, years, Path(tmp), topology)
        by_topology[topology] = {
            "lovflow": lov,
            "baseline": base,
            "ratio_to_baseline": round(
                lov["contract_years_per_second"] / base["contract_years_per_second"], 3
            ),
        }
    headline = by_topology[TOPOLOGIES[0]]
    return {
        **headline,
        "topology": TOPOLOGIES[0],
        "topologies": {
            name: {
                "lovflow_contract_years_per_second": r["lovflow"]["contract_years_per_second"],
                "baseline_contract_years_per_second": r["baseline"]["contract_years_per_second"],
                "ratio_to_baseline": r["ratio_to_baseline"],
                "lovflow_wall_seconds": r["lovflow"]["wall_seconds"],
                "baseline_wall_seconds": r["baseline"]["wall_seconds"],
            }
            for name, r in by_topology.items()
        },
    }


# --- section 2 --------------------------------------------------------------------------------

SUBMIT_DAYS_BEFORE = 5


def _submission(obligation: Any, due: date) -> SubmitRequest:
    values = {"count": 3, "percent": 87.5, "bool": True, "date": due.isoformat()}
    fields = {f.key: values.get(f.type, "ok") for f in obligation.fields}
    docs = [
        DocumentRef(key=d.key, filename=f"/arkiv/{d.key}.pdf", sha256="0" * 64, size=1)
        for d in obligation.documents
    ]
    return SubmitRequest(fields=fields, documents=docs, actor="bench")


async def _diligent_chain(
    workdir: Path, provider: Provider, years: range, carried: ContractInput | None
) -> tuple[list[WorkflowHistory], list[WorkflowHistory], ContractInput]:
    plan = load_plan("sundsvall", PROJECT_ROOT / "plans")
    obligations = {ob.key: ob for ob in plan.obligations}
    wid = contract_workflow_id(provider.org_nr)
    contract_start = date(years.start, 1, 1) if carried is None else carried.contract_start
    async with lov_stack(workdir) as stack:
        if carried is None:
            await stack.sleep_until(local(date(years.start, 1, 1), clock(0, 0)))
            await contract_service.start_contract(
                stack.client,
                stack.settings.temporal_task_queue,
                provider,
                contract_start,
                "sundsvall",
                search_attributes=False,
            )
        else:
            # Hand-over: a few days after the first chain prepared this year. The records
            # database is the system of record and outlives any server: give the fresh one
            # the provider (its e-mail address) and the contract, as the first run wrote them.
            store = RecordStore(
                make_session_factory(make_engine(stack.settings.resolved_database_url))
            )
            at = local(date(years.start - 1, 12, 5))
            await store.upsert_provider(provider.org_nr, provider.name, provider.email, at)
            await store.record_contract(wid, provider.org_nr, "sundsvall", contract_start, at)
            await stack.sleep_until(local(date(years.start - 1, 12, 5)))
            await stack.client.start_workflow(
                "ContractWorkflow",
                carried,
                id=wid,
                task_queue=stack.settings.temporal_task_queue,
            )
        for year in years:
            for occ in occurrences(plan, contract_start, year):
                await stack.sleep_until(local(occ.due - timedelta(days=SUBMIT_DAYS_BEFORE)))
                request = _submission(obligations[occ.obligation], occ.due)
                await obligation_service.submit(
                    stack.client, provider.org_nr, occ.obligation, occ.period, request
                )
                await obligation_service.review(
                    stack.client,
                    provider.org_nr,
                    occ.obligation,
                    occ.period,
                    ReviewRequest(outcome="accept", actor="bench"),
                )
        # Past 1 December: the next year's run has started and carries the state on.
        await stack.sleep_until(local(date(years.stop - 1, 12, 5)))
        runs = await run_histories(stack.client, wid)
        obligation_ids, meeting_ids = await _child_ids(stack.settings.resolved_database_url)
        children = await _fetch_all(stack.client, obligation_ids + meeting_ids)
    started = runs[-1].events[0].workflow_execution_started_event_attributes
    [next_input] = pydantic_data_converter.payload_converter.from_payloads(
        list(started.input.payloads), [ContractInput]
    )
    return runs, children, next_input


async def history_bound(years: int, workdir: Path, chain_years: int = 9) -> dict[str, Any]:
    """One diligent provider for `years` follow-up years, in chains of at most nine."""
    provider = Provider(org_nr=org_nrs(1, seed=2)[0], name="Flitig Omsorg AB", email="k@f.example")
    first = FIRST_YEAR
    # A chain starts 1 January and must end before its tenth anniversary: nine years at most.
    runs: list[WorkflowHistory] = []
    children: list[WorkflowHistory] = []
    carried: ContractInput | None = None
    chains = 0
    year = first
    t0 = time.perf_counter()
    while year < first + years:
        span = range(year, min(first + years, year + chain_years))
        chain_dir = workdir / f"chain-{chains}"
        chain_dir.mkdir()
        # The first run of a later chain repeats the previous chain's last (prepared) run.
        chain_runs, chain_children, carried = await _diligent_chain(
            chain_dir, provider, span, carried
        )
        runs += chain_runs
        children += chain_children
        chains += 1
        year = span.stop
    wall = time.perf_counter() - t0
    events = [len(h.events) for h in runs]
    sizes = [history_bytes(h) for h in runs]
    return {
        "years": years,
        "chains": chains,
        "wall_seconds": round(wall, 1),
        "contract_runs": len(runs),
        "contract_run_events": events,
        "contract_run_bytes": sizes,
        "contract_run_events_max": max(events),
        "contract_run_bytes_max": max(sizes),
        "carried_input_bytes_at_end": len(carried.model_dump_json()) if carried else 0,
        "obligation_and_meeting_histories": _size_stats(children),
    }
