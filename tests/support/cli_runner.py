"""Running `lov` from tests: in-process (typer's CliRunner, in a thread because each command
runs its own event loop) or as a separate `python -m starter` process."""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.client import Client
from typer.testing import CliRunner

from models.records.db import upgrade
from models.runtime.settings import PROJECT_ROOT, Settings, get_settings
from tests.support.helpers import ReceivedMail

# The `worker_for` fixture (conftest.py): cli_worker with the test's server, mail and tmp dir.
WorkerFor = Callable[..., AbstractAsyncContextManager[dict[str, str]]]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def error_line(self) -> str:
        """The single stderr line of a refusal (fails if there is more than one)."""
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {self.stderr!r}"
        return lines[0]


async def run_lov(env: Mapping[str, str] | None, *args: str) -> Result:
    """`lov ARGS…` in-process; an exception other than an exit is re-raised, not hidden."""

    def invoke() -> Result:
        # Imported at use: tests/conftest.py offers the CLI fixtures to every module, and the app
        # and the worker load every workflow, which most tests never need.
        from starter.cli import app

        result = CliRunner().invoke(app, list(args), env=dict(env or {}))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return await asyncio.to_thread(invoke)


async def run_lov_on_records(
    database_url: str, monkeypatch: pytest.MonkeyPatch, *args: str
) -> Result:
    """`lov ARGS…` in-process, reading the records database at `database_url` (a test
    stack's), with the settings read afresh before and after."""
    monkeypatch.setenv("LOV_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        return await run_lov(None, *args)
    finally:
        get_settings.cache_clear()


async def run_lov_process(
    env: Mapping[str, str], *args: str, timeout: float = 60, memory_limit: int | None = None
) -> Result:
    """`python -m starter ARGS…` as its own process, exactly as an administrator runs it.
    `memory_limit` (bytes of address space) keeps a command that reads without bound (the
    bug a test looks for) from eating the machine: it fails with MemoryError instead."""

    def limit_memory() -> None:
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter",
        *args,
        cwd=PROJECT_ROOT,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=limit_memory if memory_limit is not None else None,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    except TimeoutError:
        proc.kill()  # a command that hangs must not outlive its test
        await proc.wait()
        raise
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


def cli_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The process environment without any LOV_* of the developer's, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOV_")}
    env["LOV_CONFIG"] = str(tmp_path / "no-such-lov.toml")
    return env | values


@asynccontextmanager
async def cli_worker(
    client: Client,
    smtp: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    name: str,
    default_plan: str,
    plans_dir: Path | None = None,
    provider_id_key: str | None = None,
) -> AsyncIterator[dict[str, str]]:
    """A worker on its own task queue with a migrated SQLite records database, and the
    environment under which `lov` (in-process or as a process) talks to it; yields that
    environment."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(database_url)
    task_queue = f"{name}-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        var_dir=tmp_path / "var",
        provider_id_key=provider_id_key,
        plans_dir=plans_dir or PROJECT_ROOT / "plans",
        database_url=database_url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        temporal_task_queue=task_queue,
    )
    env = cli_env(
        tmp_path,
        LOV_TEMPORAL_ADDRESS=client.service_client.config.target_host,
        LOV_TEMPORAL_TASK_QUEUE=task_queue,
        LOV_DEFAULT_PLAN=default_plan,
        **({"LOV_PLANS_DIR": str(plans_dir)} if plans_dir else {}),
        **({"LOV_PROVIDER_ID_KEY": provider_id_key} if provider_id_key else {}),
    )
    # The in-process CLI reads the environment through get_settings() (cached): start clean.
    for key in [k for k in os.environ if k.startswith("LOV_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("LOV_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    from worker import create_worker  # at use, as `app` in run_lov

    try:
        async with create_worker(client, settings):
            yield env
    finally:
        get_settings.cache_clear()
