"""Worker topologies for the simulation: everything in one process, or split.

"split" runs the workflows in the benchmark's process and the activities in a worker process
of their own (lovflow's `python worker.py` with LOV_WORKER_ROLE=activities; the baseline's no-op
activities likewise), as docs/DEPLOYMENT.md recommends beyond the smallest municipalities. Both
lovflow and the baseline always run with the same topology, so the ratio compares like with
like.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Literal

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from bench.baseline import BareStarter, bare_noop
from bench.common import PROJECT_ROOT
from models.runtime.settings import Settings
from worker import run

Topology = Literal["single", "split"]
TOPOLOGIES: tuple[Topology, ...] = ("split", "single")
READY = "ready"
READY_TIMEOUT = 120.0  # seconds; a worker imports everything first


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path, ready: str) -> Iterator[None]:
    """A worker process, running until the block ends; waits for `ready` in its log. All its
    output goes to `log`, so it can never block on a full pipe."""
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while ready not in log.read_text(errors="replace"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"activity worker did not start; see {log}")
                time.sleep(0.05)
            yield
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def lovflow_activity_worker(
    client: Client, settings: Settings, log: Path
) -> AbstractContextManager[None]:
    """`python worker.py` with LOV_WORKER_ROLE=activities, against the benchmark's server."""
    env = os.environ | {
        "LOV_TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "LOV_TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
        "LOV_DATABASE_URL": settings.resolved_database_url,
        "LOV_SMTP_HOST": settings.smtp_host or "127.0.0.1",
        "LOV_SMTP_PORT": str(settings.smtp_port),
        "LOV_SEARCH_ATTRIBUTES": "false",
        "LOV_VAR_DIR": str(settings.var_dir),
        "LOV_PLANS_DIR": str(settings.plans_dir),
        "LOV_WORKER_ROLE": "activities",
        "PYTHONUNBUFFERED": "1",
    }
    # worker.py logs its start to stderr; readiness is read from there, merged into stdout.
    return _process([sys.executable, "-c", _LOV_WORKER], env, log, ready="Worker startad (started)")


# worker.main() with its log on stdout, so the parent sees when it has started.
_LOV_WORKER = (
    "import logging, sys, worker; "
    "logging.basicConfig(stream=sys.stdout, level=logging.INFO); "
    "from models.runtime.settings import get_settings; "
    "worker.run(worker.run_worker(get_settings()))"
)


def bare_activity_worker(
    client: Client, task_queue: str, log: Path
) -> AbstractContextManager[None]:
    args = [
        sys.executable,
        "-m",
        "bench.workers",
        client.service_client.config.target_host,
        task_queue,
    ]
    return _process(args, os.environ | {"PYTHONUNBUFFERED": "1"}, log, ready=READY)


async def _serve_bare(address: str, task_queue: str) -> None:
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    starter = BareStarter(client, task_queue)
    async with Worker(
        client, task_queue=task_queue, activities=[bare_noop, starter.bare_start_children]
    ):
        print(READY, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    # The same event loop as lovflow's worker.py, so the two activity workers differ only in
    # what their activities do.
    run(_serve_bare(sys.argv[1], sys.argv[2]))
