"""End to end: `lov serve` as a real process with the real dev server, SMTP sink and database."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import socket
import stat
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest
from google.protobuf import json_format
from temporalio import workflow
from temporalio.api.common.v1 import Payloads
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from models.domain.provider_id import KEY_FILE
from models.runtime.codec import EncryptionCodec, new_key
from models.runtime.temporal import SEARCH_ATTRIBUTES
from tests.support.helpers import eventually, free_port, leave_time_wait, tcp_states
from tests.support.serve import Service, _ppid_and_state, descendants

pytestmark = pytest.mark.slow


@workflow.defn(sandboxed=False)
class Ping:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"pong {name}"


# --- process helpers ----------------------------------------------------------------------------


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
        "LOV_WEB_PORT": str(free_port()),
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
        await _desk_logs_in_the_first_administrator(first, serve_env["LOV_WEB_PORT"])
        # The Web UI is read-only; without keys there is nothing to decode.
        ui = f"http://127.0.0.1:{serve_env['LOV_EMBEDDED_UI_PORT']}"
        status, body, _ = await asyncio.to_thread(http, f"{ui}/api/v1/settings")
        assert status == 200 and json.loads(body)["DisableWriteActions"] is True
        assert not json.loads(body)["Codec"]["Endpoint"]
        assert (var_dir / "lovflow.db").is_file(), "records database migrated under var/"
        # The sole traders' id key (models.domain.provider_id): made once, owner-only, never
        # printed.
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
        assert "Första administratören" not in second.text()  # made once, shown once
        children = descendants(second.process.pid)
        assert await second.stop(signal.SIGTERM) == 0, second.text()
        assert not any(alive(pid) for pid in children)
    finally:
        second.kill()


async def _desk_logs_in_the_first_administrator(service: Service, port: str) -> None:
    """The desk answers on LOV_WEB_PORT over plain HTTP, and the printed one-time password of
    the first administrator logs in."""
    desk = f"http://127.0.0.1:{port}"
    assert f"Webbdesk:  {desk}" in service.text()
    (line,) = [x for x in service.text().splitlines() if "Första administratören: admin" in x]
    password = line.split("lösenord ", 1)[1].split(" ", 1)[0]
    async with httpx.AsyncClient(base_url=desk) as browser:
        page = await browser.get("/login")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {"username": "admin", "password": password, "csrf_token": csrf.group(1)}
        assert (await browser.post("/login", data=form)).status_code == 303
        # The password is one-time: the desk asks for a new one before anything else.
        assert (await browser.get("/")).headers["location"] == "/password"
        new = "administratorns-eget-lösen"
        csrf = re.search(
            r'name="csrf_token" value="([^"]+)"', (await browser.get("/password")).text
        )
        assert csrf is not None
        form = {"password": new, "repeated": new, "csrf_token": csrf.group(1)}
        assert (await browser.post("/password", data=form)).status_code == 303
        assert "<h1>Att göra</h1>" in (await browser.get("/")).text
        # The provider portal answers on the address the e-mails' links use.
        assert f"Utförarportal: {desk}/portal" in service.text()
        portal = await browser.get("/portal")
        assert portal.status_code == 200 and "Ny länk till utförarportalen" in portal.text


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


# --- exposure: var/ permissions, the codec token, the read-only Web UI, restart after a crash --


@workflow.defn(sandboxed=False)
class Waiter:
    """Runs until signalled; a query shows it is alive."""

    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.signal
    def finish(self) -> None:
        self.done = True

    @workflow.query
    def state(self) -> str:
        return "waiting"


def http(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, Message]:
    """One request without following redirects; (status, body, headers) for every status."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


async def test_serve_keeps_var_private_and_its_web_ui_read_only_and_decoding_with_a_token(
    serve_env: dict[str, str],
) -> None:
    var_dir = Path(serve_env["LOV_VAR_DIR"])
    keys = {"k1": base64.b64encode(base64.b64decode(new_key())).decode()}
    codec_port = free_port()
    env = serve_env | {
        "LOV_CODEC_KEYS": json.dumps(keys),
        "LOV_CODEC_SERVER_PORT": str(codec_port),
    }
    ui = f"http://127.0.0.1:{env['LOV_EMBEDDED_UI_PORT']}"
    # What an older version left: world-readable folders and mail.
    old_mail = var_dir / "mail" / "20270101T000000.000000Z-old.eml"
    old_mail.parent.mkdir(parents=True)
    old_mail.write_bytes(b"Subject: old\r\nTo: kontakt@omsorg.example\r\n\r\nHej\r\n")
    for path, old_mode in ((var_dir, 0o755), (old_mail.parent, 0o755), (old_mail, 0o644)):
        path.chmod(old_mode)
    # A crashed or just stopped server leaves its port in TIME_WAIT for a minute; nothing
    # listens, so `lov serve` must start at once.
    leave_time_wait(int(env["LOV_EMBEDDED_TEMPORAL_PORT"]))
    assert "TIME_WAIT" in tcp_states(int(env["LOV_EMBEDDED_TEMPORAL_PORT"]))

    service = Service(var_dir, env, "exposure")
    try:
        await service.wait_ready()

        # The token: made on first start, 0600, never printed.
        token = (var_dir / "codec-token").read_text().strip()
        assert len(token) >= 32 and token not in service.text()
        assert f"{ui}/lov/login" in service.text()

        message = EmailMessage()
        message["From"] = "lov@kommun.example"
        message["To"] = "kontakt@omsorg.example"
        message["Subject"] = "Påminnelse"
        message["Message-ID"] = "<exposure-1@lovflow.invalid>"
        message.set_content("Hej!")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=int(env["LOV_SMTP_PORT"]))

        async def stored() -> Path:
            (eml,) = (var_dir / "mail").glob("*exposure-1*.eml")
            return eml

        eml = await eventually(stored)
        for path in (var_dir, var_dir / "mail"):
            assert mode(path) == 0o700, path
        for name in ("lovflow.db", "temporal.db", "temporal.log", "codec-token"):
            assert mode(var_dir / name) == 0o600, name
        assert mode(eml) == 0o600 and mode(old_mail) == 0o600
        assert all(mode(p) == 0o600 for p in var_dir.iterdir() if p.is_file())

        # The Web UI: write actions off, the codec on its own origin.
        status, body, _ = await asyncio.to_thread(http, f"{ui}/api/v1/settings")
        assert status == 200, body
        settings = json.loads(body)
        assert settings["DisableWriteActions"] is True
        for switch in (
            "WorkflowTerminateDisabled",
            "WorkflowResetDisabled",
            "StartWorkflowDisabled",
        ):
            assert settings[switch] is True, switch
        assert settings["Codec"]["Endpoint"] == f"{ui}/codec"
        # A page under another name (DNS rebinding to 127.0.0.1) gets nothing.
        host = {"Host": f"evil.example:{env['LOV_EMBEDDED_UI_PORT']}"}
        status, body, _ = await asyncio.to_thread(http, f"{ui}/api/v1/settings", "GET", None, host)
        assert status == 421 and b"Codec" not in body
        status, body, headers = await asyncio.to_thread(http, f"{ui}/")
        assert status == 200 and b"<html" in body.lower(), "the UI itself is served"
        # The UI's own CSRF token, as the browser sends it with every POST.
        csrf = next(
            c.split(";", 1)[0]
            for c in headers.get_all("Set-Cookie") or []
            if c.startswith("_csrf=")
        )
        as_the_ui = {
            "Content-Type": "application/json",
            "Cookie": csrf,
            "X-CSRF-TOKEN": csrf.removeprefix("_csrf="),
        }

        # A running workflow: the UI reads it, and cannot terminate, signal or reset it.
        address = f"127.0.0.1:{env['LOV_EMBEDDED_TEMPORAL_PORT']}"
        client = await Client.connect(address, data_converter=pydantic_data_converter)
        queue = f"exposure-{uuid.uuid4().hex[:8]}"
        workflow_id = f"exposure-{uuid.uuid4().hex[:8]}"
        async with Worker(client, task_queue=queue, workflows=[Waiter]):
            handle = await client.start_workflow(Waiter.run, id=workflow_id, task_queue=queue)
            assert await handle.query(Waiter.state) == "waiting"
            base = f"{ui}/api/v1/namespaces/default/workflows/{workflow_id}"
            status, body, _ = await asyncio.to_thread(http, base)
            assert status == 200 and workflow_id.encode() in body, body
            for action in ("terminate", "signal/finish", "reset", "cancel", "update/x"):
                status, body, _ = await asyncio.to_thread(
                    http, f"{base}/{action}", "POST", b"{}", as_the_ui
                )
                assert status == 405, (action, status, body)
            status, _, _ = await asyncio.to_thread(
                http, f"{ui}/api/v1/namespaces/default/workflows/new-one", "POST", b"{}", as_the_ui
            )
            assert status == 405
            status, body, _ = await asyncio.to_thread(
                http, f"{base}/query/state", "POST", b"{}", as_the_ui
            )
            assert status == 200 and b"waiting" in base64.b64decode(
                json.loads(body)["queryResult"]["payloads"][0]["data"]
            ), (status, body)
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
            await handle.signal(Waiter.finish)
            await handle.result()

        # Decoding needs the token: the codec server itself, and through the UI with a cookie.
        codec = EncryptionCodec({k: base64.b64decode(v) for k, v in keys.items()}, "k1")
        plain = pydantic_data_converter.payload_converter.to_payloads(["Omsorg i Norr AB"])[0]
        sealed = json_format.MessageToJson(Payloads(payloads=[codec.encrypt(plain)])).encode()
        json_type = {"Content-Type": "application/json"}
        for url in (f"http://127.0.0.1:{codec_port}/decode", f"{ui}/codec/decode"):
            status, body, _ = await asyncio.to_thread(http, url, "POST", sealed, json_type)
            assert status == 401 and b"Omsorg" not in body, (url, status)
        status, body, _ = await asyncio.to_thread(
            http,
            f"http://127.0.0.1:{codec_port}/decode",
            "POST",
            sealed,
            json_type | {"Authorization": f"Bearer {token}"},
        )
        assert status == 200 and b"Omsorg" in base64.b64decode(
            json.loads(body)["payloads"][0]["data"]
        )
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, headers = await asyncio.to_thread(
            http, f"{ui}/lov/login", "POST", b"token=wrong", form
        )
        assert status == 401 and headers["Set-Cookie"] is None
        status, _, headers = await asyncio.to_thread(
            http, f"{ui}/lov/login", "POST", f"token={token}".encode(), form
        )
        assert status == 303
        cookie = headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        status, body, _ = await asyncio.to_thread(
            http,
            f"{ui}/codec/decode",
            "POST",
            sealed,
            json_type | {"Cookie": cookie.split(";", 1)[0]},
        )
        assert status == 200, body
        assert b"Omsorg" in base64.b64decode(json.loads(body)["payloads"][0]["data"])

        assert await service.stop(signal.SIGINT) == 0, service.text()
        assert mode(var_dir / "temporal.db") == 0o600
    finally:
        service.kill()
