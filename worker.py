"""The lovflow worker: polls the task queue and runs every workflow and activity.

`python worker.py` runs one worker against the configured (external) Temporal, for production
with several workers side by side; `lov serve` runs the same worker in-process next to the
embedded dev server.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.data_errors import NonRetryableDataErrors
from activities.heartbeat import AutoHeartbeat
from activities.registry import build_activities
from models.domain.provider_id import ProviderIdError, ProviderIds
from models.runtime.settings import Settings, exit_on_invalid_settings, get_settings
from models.runtime.temporal import TemporalSetupError, connect
from services.municipal_tasks import ensure_all as ensure_municipal_duties
from workflows import ALL_WORKFLOWS

log = logging.getLogger("lovflow.worker")

# Long enough for an in-flight e-mail or database write to finish on shutdown, short enough that
# a deploy or Ctrl-C does not hang; unfinished activities are retried by Temporal anyway.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)


def _needs_thread_pool(activities: Sequence[Callable[..., Any]]) -> bool:
    def is_async(fn: Callable[..., Any]) -> bool:
        # Callable instances (activity classes with __call__) count by their __call__.
        if inspect.isfunction(fn) or inspect.ismethod(fn):
            return inspect.iscoroutinefunction(fn)
        return inspect.iscoroutinefunction(type(fn).__call__)

    return any(not is_async(fn) for fn in activities)


def create_worker(client: Client, settings: Settings, **kwargs: Any) -> Worker:
    """A worker for `settings.temporal_task_queue` with lovflow's workflows and activities, or
    only one kind of them (`settings.worker_role`).

    `kwargs` go to `temporalio.worker.Worker` and win over the defaults here (tests pass e.g. a
    different task queue or `workflow_runner`).
    """
    role = settings.worker_role
    activities = list(build_activities(settings, client)) if role != "workflows" else []
    options: dict[str, Any] = {
        "task_queue": settings.temporal_task_queue,
        "workflows": list(ALL_WORKFLOWS) if role != "activities" else [],
        "activities": activities,
        "graceful_shutdown_timeout": GRACEFUL_SHUTDOWN,
        "max_cached_workflows": settings.worker_max_cached_workflows,
        # The workflow modules hold no state of their own (constants, classes): passed through,
        # they are imported once per process instead of once per workflow run, which cost more
        # than anything the workflow then did (docs/PERFORMANCE.md). Replay and the sandbox's
        # runtime restrictions are unchanged.
        "workflow_runner": SandboxedWorkflowRunner(
            restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows")
        ),
        # Heartbeats for every activity: a killed worker's activities are retried in seconds.
        # Data the database refuses fails at once instead of being retried for ever.
        "interceptors": [
            AutoHeartbeat(),
            NonRetryableDataErrors(),
            *kwargs.pop("interceptors", ()),
        ],
    }
    if "activity_executor" not in kwargs and _needs_thread_pool(activities):
        # The SDK refuses synchronous activities without an executor to run them on.
        options["activity_executor"] = ThreadPoolExecutor(max_workers=8)
    options.update(kwargs)
    return Worker(client, **options)


async def start_municipal_duties(client: Client, settings: Settings) -> None:
    """One municipal duties workflow per plan with municipal duties (issue 19), started here if
    it does not run yet: the simplest moment that every deployment passes through, and idempotent
    (the workflow id is the plan's). An activities-only worker leaves it to the workflow one."""
    if settings.worker_role == "activities":
        return
    started = await ensure_municipal_duties(
        client, settings.temporal_task_queue, settings.plans_dir
    )
    if started:
        log.info("Kommunens egna uppgifter (municipal duties): %s", ", ".join(started))


def stop_on_signals(loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so shutdown runs as ordinary code in the loop
    (workers drain, child processes get stopped) instead of as a KeyboardInterrupt anywhere."""
    loop = loop or asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_until(worker: Worker, stop: asyncio.Event) -> None:
    """Run `worker` until `stop` is set, then shut it down gracefully. A fatal worker error
    (e.g. the namespace is gone) cancels the wait and is raised here: `async with` does that."""
    async with worker:
        await stop.wait()


async def check_database(settings: Settings) -> None:
    """Refuse to start on an unmigrated records database: activities would fail one by one
    at run time, far from the cause."""
    from models.records.db import DatabaseNotMigrated, InvalidDatabaseURL, check_current

    try:
        await check_current(settings.resolved_database_url)
    except (DatabaseNotMigrated, InvalidDatabaseURL) as exc:
        raise SystemExit(str(exc)) from exc


async def run_worker(settings: Settings) -> None:
    """Check the database, connect, and run one worker until SIGINT/SIGTERM."""
    if settings.worker_role != "workflows":  # workflow code never touches the database
        await check_database(settings)
        try:
            # The activities name sole traders by a keyed hash (models.domain.provider_id): a
            # damaged key is a setting error now, not a failing activity later.
            ProviderIds.from_settings(settings)
        except ProviderIdError as exc:
            print(exc, file=sys.stderr)
            raise SystemExit(2) from None
    try:
        client = await connect(settings)
    except TemporalSetupError as exc:
        raise SystemExit(str(exc)) from exc
    stop = stop_on_signals()
    worker = create_worker(client, settings)
    await start_municipal_duties(client, settings)
    log.info(
        "Worker startad (started): kö %s, namnrymd %s, roll %s",
        settings.temporal_task_queue,
        settings.temporal_namespace,
        settings.worker_role,
    )
    await run_until(worker, stop)
    log.info("Worker stoppad (stopped)")


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run the worker's event loop: uvloop where it is installed (Linux, macOS). An activity is
    mostly event-loop work (the database driver's thread hand-offs, the SDK's callbacks), and
    uvloop cut the activity worker's CPU by about a sixth (docs/PERFORMANCE.md). Workflow code
    is unaffected: it runs on the SDK's own deterministic loop either way."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The start-up check reads the revision through Alembic, which logs its context at INFO:
    # noise on every start, and it would bury the one line that says the database is not migrated.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with exit_on_invalid_settings():
        settings = get_settings()
    run(run_worker(settings))
    sys.exit(0)


if __name__ == "__main__":
    main()
