"""Section 4 (visibility part): `lov overdue` against a dev server holding many providers' items.

`lov overdue` reads Temporal's visibility, not the records database, so its data is seeded as
running workflows carrying lovflow's search attributes: for each provider, open items (most
not overdue, some overdue at different escalation levels). They run on a task queue no worker
polls, so they stay exactly as seeded; visibility indexes them like any running obligation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from bench.common import lov_args, org_nrs, run_process
from bench.live import _stop, start_dev_server
from models.domain.overdue import QUERY
from models.ids import obligation_workflow_id
from models.runtime import search_attributes as sa
from models.runtime.settings import Settings
from services.overdue import overdue_items
from starter.ports import free_port
from starter.serve import _wait_for_namespace

IDLE_QUEUE = "bench-nobody-polls-this"


@contextlib.asynccontextmanager
async def dev_server(workdir: Path) -> AsyncIterator[tuple[Client, str]]:
    settings = Settings(
        var_dir=workdir, embedded_temporal_port=free_port(), embedded_ui_port=free_port()
    )
    address = f"127.0.0.1:{settings.embedded_temporal_port}"
    log = (workdir / "temporal-overdue.log").open("wb")
    server = start_dev_server(settings, workdir, log)
    try:
        client = await _wait_for_namespace(settings, address, time.monotonic() + 60)
        yield client, address
    finally:
        _stop(server)
        log.close()


def _attributes(org: str, n: int, overdue: bool, now: datetime) -> TypedSearchAttributes:
    due = now - timedelta(days=3 + 11 * n) if overdue else now + timedelta(days=30 + n)
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.KIND, "obligation"),
            SearchAttributePair(sa.ORG_NR, org),
            SearchAttributePair(sa.OBLIGATION, "self-inspection"),
            SearchAttributePair(sa.PERIOD, f"2036-T{n + 1}"),
            SearchAttributePair(sa.STATUS, "open"),
            SearchAttributePair(sa.OVERDUE, overdue),
            SearchAttributePair(sa.ESCALATION_LEVEL, min(3, n + 1) if overdue else 0),
            SearchAttributePair(sa.DUE, due),
        ]
    )


async def run(
    providers: int, open_per_provider: int, overdue_per_provider: int, repeat: int, workdir: Path
) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with dev_server(workdir) as (client, address):
        sem = asyncio.Semaphore(50)

        async def seed(org: str, n: int) -> None:
            async with sem:
                await client.start_workflow(
                    "ObligationWorkflow",
                    id=obligation_workflow_id(org, "bench", str(n)),
                    task_queue=IDLE_QUEUE,
                    search_attributes=_attributes(org, n, n < overdue_per_provider, now),
                )

        t0 = time.perf_counter()
        await asyncio.gather(
            *(seed(org, n) for org in org_nrs(providers, seed=5) for n in range(open_per_provider))
        )
        seed_s = time.perf_counter() - t0
        expected = providers * overdue_per_provider
        deadline = time.monotonic() + 120
        while (await client.count_workflows(QUERY)).count < expected:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        times = []
        items: list[Any] = []
        for _ in range(repeat):
            t1 = time.perf_counter()
            # Companies only (bench.common.org_nrs): the records database is never opened.
            items = (await overdue_items(client, Settings(var_dir=workdir))).items
            times.append(time.perf_counter() - t1)
        env = {
            **os.environ,
            "LOV_CONFIG": str(workdir / "none.toml"),
            "LOV_TEMPORAL_ADDRESS": address,
        }
        cli = []
        listed = 0
        for _ in range(repeat):
            done = await run_process(lov_args("overdue", "--json"), env)
            cli.append(done.wall)
            if done.code != 0:
                raise RuntimeError(f"lov overdue failed: {done.err.decode()[-500:]}")
            listed = done.out.decode().count('"workflow_id"')
    return {
        "providers": providers,
        "running_items": providers * open_per_provider,
        "overdue_items": expected,
        "seed_seconds": round(seed_s, 1),
        "overdue_items_seconds": round(sorted(times)[len(times) // 2], 3),
        "listed": len(items),
        "cli_overdue_seconds": round(sorted(cli)[len(cli) // 2], 3),
        "cli_listed": listed,
    }
