"""End to end: `lov serve` as a real process with the real dev server, SMTP sink and database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from models.provider_id import KEY_FILE
from models.temporal import SEARCH_ATTRIBUTES
from starter.serve import READY_LINE
from tests.helpers import eventually, free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@workflow.defn(sandboxed=False)
class Ping:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"pong {name}"


# --- process helpers ----------------------------------------------------------------------------


def _ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def descendants(pid: int) -> set[int]:
    """All live processes below `pid` (children, grandchildren, …), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _ppid_and_state(int(entry.name))):
            parents[int(entry.name)] = info[0]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def processes_mentioning(text: str) -> list[int]:
    """Pids whose command line contains `text` (finds orphans that left our process tree)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if entry.name.isdigit() and text in cmdline and alive(int(entry.name)):
            pids.append(int(entry.name))
    return pids


def alive(pid: int) -> bool:
    info = _ppid_and_state(pid)
    return info is not None and info[1] != "Z"


class Service:
    """One `lov serve` process; output goes to a file so a full pipe can never block it."""

    def __init__(self, var_dir: Path, env: dict[str, str], name: str) -> None:
        self.output = var_dir.parent / f"{name}.out"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "starter", "serve"],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    async def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.text():
            if self.process.poll() is not None:
                pytest.fail(f"lov serve exited with {self.process.returncode}:\n{self.text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"lov serve not ready after {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.2)

    async def stop(self, sig: signal.Signals, timeout: float = 60.0) -> int:
        self.process.send_signal(sig)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"lov serve did not stop within {timeout}s:\n{self.text()}")
            await asyncio.sleep(0.1)
        return self.process.returncode

    def kill(self) -> None:
        for pid in descendants(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # External services would bypass everything this test is about.
        if k not in {"LOV_TEMPORAL_ADDRESS", "LOV_SMTP_HOST", "LOV_DATABASE_URL"}
    }
    env |= {
        "LOV_CONFIG": str(tmp_path / "no-such-lov.toml"),
        "LOV_VAR_DIR": str(tmp_path / "var"),
        "LOV_EMBEDDED_TEMPORAL_PORT": str(free_port()),
        "LOV_EMBEDDED_UI_PORT": str(free_port()),
        "LOV_SMTP_PORT": str(free_port()),
        "LOV_TEMPORAL_TASK_QUEUE": f"lovflow-e2e-{uuid.uuid4().hex[:8]}",
    }
    return env


async def _has_poller(client: Client, task_queue: str) -> None:
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    assert response.pollers, f"no worker polls {task_queue}"


def _port_open(port: int) -> bool:

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- tests --------------------------------------------------------------------------------------


async def test_serve_runs_keeps_mail_stops_cleanly_and_restarts_with_state(
    tmp_path: Path, serve_env: dict[str, str]
) -> None:
    var_dir = Path(serve_env["LOV_VAR_DIR"])
    port = int(serve_env["LOV_EMBEDDED_TEMPORAL_PORT"])
    address = f"127.0.0.1:{port}"
    workflow_id = f"e2e-ping-{uuid.uuid4().hex[:8]}"
    test_queue = f"e2e-test-{uuid.uuid4().hex[:8]}"

    first = Service(var_dir, serve_env, "first")
    try:
        await first.wait_ready()
        children = descendants(first.process.pid)
        assert children, "the embedded Temporal dev server should run as a child process"
        assert f"http://127.0.0.1:{serve_env['LOV_EMBEDDED_UI_PORT']}" in first.text()
        assert (var_dir / "lovflow.db").is_file(), "records database migrated under var/"
        # The sole traders' id key (models.provider_id): made once, owner-only, never printed.
        key_file = var_dir / KEY_FILE
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        provider_key = key_file.read_text().strip()
        assert provider_key and provider_key not in first.text()

        client = await Client.connect(address, data_converter=pydantic_data_converter)
        # lov serve's own worker polls the configured queue.
        await eventually(lambda: _has_poller(client, serve_env["LOV_TEMPORAL_TASK_QUEUE"]))
        # Our search attributes are registered on the embedded server.
        registered = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
        assert {key.name for key in SEARCH_ATTRIBUTES} <= set(registered.custom_attributes)

        async with Worker(client, task_queue=test_queue, workflows=[Ping]):
            result = await client.execute_workflow(
                Ping.run, "hej", id=workflow_id, task_queue=test_queue
            )
        assert result == "pong hej"

        message = EmailMessage()
        message["From"] = "lov@kommun.example"
        message["To"] = "kontakt@omsorg.example"
        message["Subject"] = "Påminnelse: egenkontroll 2027-T1"
        message["Message-ID"] = "<e2e-1/../x@lovflow.invalid>"
        message.set_content("Hej!")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=int(serve_env["LOV_SMTP_PORT"]))

        async def stored() -> list[Path]:
            files = list((var_dir / "mail").glob("*.eml"))
            assert len(files) == 1, files
            return files

        (eml,) = await eventually(stored)
        assert "e2e-1" in eml.name and "/" not in eml.name.removesuffix(".eml")
        assert b"Message-ID: <e2e-1/../x@lovflow.invalid>" in eml.read_bytes()
        # One log line per message, with the subject.
        await eventually(_assert_in(first, "Påminnelse: egenkontroll 2027-T1"))

        assert await first.stop(signal.SIGINT) == 0, first.text()
        for pid in children:
            assert not alive(pid), f"child {pid} survived lov serve:\n{first.text()}"
        assert not _port_open(port)
        assert not processes_mentioning(f"--port {port} "), "dev server orphaned"
        assert "lov serve: stoppad (stopped)" in first.text()
    finally:
        first.kill()

    second = Service(var_dir, serve_env, "second")
    try:
        await second.wait_ready()
        client = await Client.connect(address, data_converter=pydantic_data_converter)
        description = await client.get_workflow_handle(workflow_id).describe()
        assert description.status == WorkflowExecutionStatus.COMPLETED
        assert key_file.read_text().strip() == provider_key  # kept, not regenerated
        children = descendants(second.process.pid)
        assert await second.stop(signal.SIGTERM) == 0, second.text()
        assert not any(alive(pid) for pid in children)
    finally:
        second.kill()


def _assert_in(service: Service, text: str) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        assert text in service.text()

    return check


async def test_serve_refuses_a_taken_port_and_leaves_nothing_running(
    serve_env: dict[str, str],
) -> None:

    var_dir = Path(serve_env["LOV_VAR_DIR"])
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", int(serve_env["LOV_EMBEDDED_TEMPORAL_PORT"])))
        blocker.listen()
        service = Service(var_dir, serve_env, "blocked")
        try:
            returncode = service.process.wait(timeout=60)
            assert returncode == 1
            assert "LOV_EMBEDDED_TEMPORAL_PORT" in service.text()
            port = serve_env["LOV_EMBEDDED_TEMPORAL_PORT"]
            assert not processes_mentioning(f"--port {port} "), "dev server started anyway"
        finally:
            service.kill()


async def test_dev_server_dies_with_a_killed_serve(serve_env: dict[str, str]) -> None:
    """Even SIGKILL (no cleanup possible) must not leave the dev server holding port and db."""
    var_dir = Path(serve_env["LOV_VAR_DIR"])
    service = Service(var_dir, serve_env, "killed")
    try:
        await service.wait_ready()
        children = descendants(service.process.pid)
        assert children
        service.process.kill()
        service.process.wait()

        async def gone() -> None:
            assert not any(alive(pid) for pid in children)

        await eventually(gone, timeout=20)
    finally:
        service.kill()
