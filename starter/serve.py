"""`lov serve`: the whole service on one machine, with nothing but Python installed.

Starts, in this order: the Temporal dev server (state in var/temporal.db) with its Web UI behind
a read-only gate (starter/ui_gate.py), the SMTP sink (mail under var/mail), the records database
migration, the worker and the web desk (`lov web`'s app on LOV_WEB_PORT, with a first
administrator account made when there is none). Each part is skipped when settings point at an
external service (LOV_TEMPORAL_ADDRESS, LOV_SMTP_HOST, LOV_DATABASE_URL). SIGINT/SIGTERM stop
them in reverse order: desk, worker, sink, dev server. Everything under var/ is readable by its
owner only.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import typer
from pydantic import SecretStr
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from models.domain.provider_id import ProviderIdError, ensure_key_file
from models.records.db import InvalidDatabaseURL, display_url, upgrade
from models.runtime.settings import Settings, get_settings
from models.runtime.temporal import (
    DEV_SERVER_BINARY,
    TemporalSetupError,
    codec,
    connect,
    embedded_address,
    find_binary,
    search_attribute_cli_args,
)
from starter import codec_server, ui_gate
from starter.mailsink import MailSink
from starter.ports import free_port, port_in_use
from starter.private_files import (
    TOKEN_FILE,
    make_private_dir,
    private_umask,
    read_or_create_token,
    restrict,
)

log = logging.getLogger("lovflow.serve")

READY_LINE = "lov serve: redo (ready) — Ctrl-C stoppar (stops)"
STARTUP_TIMEOUT_S = 60.0
UI_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0


class ServeError(RuntimeError):
    """A part of the service could not start; the message says which and why."""


# --- Temporal dev server ------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Runs in the forked child before exec: ask Linux to SIGTERM the dev server if `lov serve`
    dies without cleaning up (SIGKILL, crash), so no orphan keeps the port and the db file."""
    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@contextlib.contextmanager
def embedded_resident(var_dir: Path) -> Iterator[None]:
    """The resident CLI process (`lov resident`) while `lov serve` runs, so `lov` commands on
    this machine start in a tenth of a second (starter/resident.py). Not needed for anything
    else: if it cannot start, `lov` runs each command in its own process as before."""
    import os
    import subprocess

    env = {**os.environ, "LOV_VAR_DIR": str(var_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "starter", "resident"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def embedded_codec_server(settings: Settings, var_dir: Path) -> Iterator[tuple[str, str] | None]:
    """The codec server for the embedded Web UI while `lov serve` runs: (URL, token), or None
    without keys. The token is LOV_CODEC_SERVER_TOKEN or, unset, var/codec-token (made on first
    start, 0600): a codec server without one would decrypt for anyone."""
    if codec(settings) is None:
        yield None
        return
    configured = settings.codec_server_token
    token = (
        configured.get_secret_value().strip()
        if configured and configured.get_secret_value().strip()
        else read_or_create_token(var_dir / TOKEN_FILE)
    )
    with_token = settings.model_copy(update={"codec_server_token": SecretStr(token)})
    try:
        context = codec_server.running(with_token, "127.0.0.1", settings.codec_server_port)
        url = context.__enter__()
    except OSError as exc:
        raise ServeError(
            f"Codec-servern kan inte lyssna på 127.0.0.1:{settings.codec_server_port} "
            f"(cannot listen): {exc}; välj en annan port med LOV_CODEC_SERVER_PORT"
        ) from exc
    try:
        yield url, token
    finally:
        context.__exit__(None, None, None)


@contextlib.contextmanager
def embedded_ui_gate(
    settings: Settings, upstream_port: int, codec_access: tuple[str, str] | None
) -> Iterator[str]:
    """The read-only gate on LOV_EMBEDDED_UI_PORT in front of the dev server's UI."""
    port = settings.embedded_ui_port
    url, token = codec_access or (None, None)
    try:
        context = ui_gate.running(port, upstream_port, url, token)
        address = context.__enter__()
    except OSError as exc:
        raise ServeError(
            f"Porten {port} används redan (port in use): välj en annan med LOV_EMBEDDED_UI_PORT"
        ) from exc
    try:
        yield address
    finally:
        context.__exit__(None, None, None)


def dev_server_command(settings: Settings, var_dir: Path, ui_port: int) -> list[str]:
    """`ui_port` is the UI server's internal port, behind the gate (`embedded_ui_gate`)."""
    command = [
        str(find_binary(DEV_SERVER_BINARY)),
        "server",
        "start-dev",
        "--db-filename",
        str(var_dir / "temporal.db"),
        "--port",
        str(settings.embedded_temporal_port),
        "--ui-port",
        str(ui_port),
        "--ip",
        "127.0.0.1",
        "--ui-ip",
        "127.0.0.1",
        "--namespace",
        settings.temporal_namespace,
        "--log-level",
        "warn",
        # The dev server's default journal syncs the file on every write: with one history
        # write per workflow task, that made disk latency the limit of the embedded default
        # (docs/PERFORMANCE.md). WAL with synchronous=normal still survives a crash of the
        # process; only a power cut can lose the last moments, which Temporal's retries and
        # the idempotent activities (outbox, keyed records) make good again.
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
    ]
    # Registered on every start (idempotent), so a db file from an older version gains new ones.
    return command + search_attribute_cli_args()


async def _wait_for_namespace(settings: Settings, address: str, deadline: float) -> Client:
    """Connect once the server accepts the connection and knows the namespace."""
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            client = await connect(settings, address=address)
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=settings.temporal_namespace)
            )
            return client
        except Exception as exc:  # not up yet: connection refused, namespace not yet created
            last_error = exc
            await asyncio.sleep(0.25)
    raise ServeError(f"Temporal svarade inte på {address} (did not start): {last_error}")


@contextlib.asynccontextmanager
async def embedded_temporal(settings: Settings, var_dir: Path, ui_port: int) -> AsyncIterator[str]:
    """Run the dev server (its UI on the internal `ui_port`) for the duration of the block;
    yields its address."""
    port = settings.embedded_temporal_port
    if port_in_use(port):
        # Connecting to whatever holds the port would silently use someone else's state.
        raise ServeError(
            f"Porten {port} används redan (port in use): välj en annan med "
            "LOV_EMBEDDED_TEMPORAL_PORT"
        )
    try:
        command = dev_server_command(settings, var_dir, ui_port)
    except TemporalSetupError as exc:
        raise ServeError(str(exc)) from exc
    log_path = var_dir / "temporal.log"
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
            # Own session: a terminal's Ctrl-C reaches only us, and we stop the server last,
            # after the worker has drained.
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    try:
        address = embedded_address(settings)
        ready = asyncio.create_task(
            _wait_for_namespace(settings, address, time.monotonic() + STARTUP_TIMEOUT_S)
        )
        exited = asyncio.create_task(process.wait())
        await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            raise ServeError(
                f"Temporal-servern avslutades med kod {process.returncode} (exited); se {log_path}"
            )
        exited.cancel()
        ready.result()  # raises ServeError on timeout
        await _wait_for_ui(ui_port, settings.temporal_namespace, time.monotonic() + UI_TIMEOUT_S)
        yield address
    finally:
        await _stop_process(process)


def _ui_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


async def _wait_for_ui(ui_port: int, namespace: str, deadline: float) -> None:
    """Until the UI server reaches the frontend. Its gRPC channel may have tried before the
    frontend listened and then backs off for seconds, answering 503 meanwhile; asking makes it
    reconnect, so the ready line is printed only when the UI shows workflows. Not fatal: the
    UI is a window on the work, not part of it."""
    url = f"http://127.0.0.1:{ui_port}/api/v1/namespaces/{namespace}"
    while time.monotonic() < deadline:
        if await asyncio.to_thread(_ui_answers, url):
            return
        await asyncio.sleep(0.25)
    log.warning("Webb-UI:t når inte Temporal-servern än (the Web UI is not ready yet)")


async def _stop_process(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
    except TimeoutError:
        log.warning("Temporal-servern stannade inte; dödar den (killing)")
        process.kill()
        await process.wait()


# --- SMTP sink ----------------------------------------------------------------------------------


@contextlib.contextmanager
def mail_sink(directory: Path, port: int) -> Iterator[MailSink]:
    sink = MailSink(directory, "127.0.0.1", port)
    try:
        sink.start()
    except OSError as exc:
        raise ServeError(
            f"SMTP-sänkan kan inte lyssna på 127.0.0.1:{port} (cannot listen): {exc}; "
            "välj en annan port med LOV_SMTP_PORT"
        ) from exc
    try:
        yield sink
    finally:
        sink.stop()


# --- the whole service --------------------------------------------------------------------------


def _banner(settings: Settings, embedded: bool, sink: MailSink | None) -> str:
    address = settings.temporal_address or ""
    ui = f"http://127.0.0.1:{settings.embedded_ui_port}" if embedded else "(extern Temporal)"
    mail = (
        f"SMTP-sänka 127.0.0.1:{sink.port} → {sink.directory}"
        if sink
        else f"{settings.smtp_host}:{settings.smtp_port} (extern)"
    )
    lines = [
        f"  Temporal:  {address}  namnrymd {settings.temporal_namespace}, "
        f"kö {settings.temporal_task_queue}",
        f"  Webb-UI:   {ui}",
        f"  E-post:    {mail}",
        f"  Databas:   {display_url(settings.resolved_database_url)}",
    ]
    if embedded:
        lines.append(f"  Loggar:    {settings.var_dir / 'temporal.log'}")
    return "\n".join(lines)


def _desk_settings(settings: Settings, effective: Settings) -> Settings:
    """The desk of `lov serve` listens on LOV_WEB_HOST (127.0.0.1) over plain HTTP: its cookie
    cannot be Secure there unless LOV_WEB_SECURE_COOKIES says so (a TLS proxy in front)."""
    loopback = settings.web_host in ("127.0.0.1", "localhost", "::1")
    secure = settings.web_secure_cookies
    if "web_secure_cookies" not in settings.model_fields_set and loopback:
        secure = False
    return effective.model_copy(update={"web_secure_cookies": secure})


@contextlib.asynccontextmanager
async def embedded_desk(
    settings: Settings, effective: Settings
) -> AsyncIterator[tuple[str, tuple[str, str] | None]]:
    """The web desk in this process for the duration of the block, and the first administrator
    when there is no account yet (its one-time password is printed once, stored only as a
    hash)."""
    from services import users
    from starter.web import running_desk

    first = await users.on_records(effective, users.ensure_first_administrator)
    async with contextlib.AsyncExitStack() as stack:
        try:
            address = await stack.enter_async_context(
                running_desk(_desk_settings(settings, effective))
            )
        except (RuntimeError, OSError) as exc:
            raise ServeError(str(exc)) from exc
        yield address, first


async def run_service(settings: Settings) -> None:
    # Imported here so `lov --help` and the other commands do not load every workflow.
    from worker import create_worker, start_municipal_duties, stop_on_signals

    stop = stop_on_signals()
    try:
        # Unusable encryption keys are a setting error: say so now, not as a connect timeout.
        codec(settings)
    except TemporalSetupError as exc:
        raise ServeError(str(exc)) from exc
    # Before anything is created: the records, Temporal's database and log, the mail and the
    # token hold personal data (names, e-mail addresses), for the owner's eyes only.
    private_umask()
    var_dir = settings.var_dir.resolve()
    make_private_dir(var_dir)
    restrict(var_dir)  # what an older version left readable
    # The worker's activities see the same settings as an external deployment would: concrete
    # addresses instead of "start it for me".
    effective = settings.model_copy(update={"var_dir": var_dir})
    try:
        # Sole traders' opaque ids need a secret; made once under var/ when none is configured
        # (models.domain.provider_id), so the CLI finds it there too. Never printed.
        ensure_key_file(effective)
    except ProviderIdError as exc:
        raise ServeError(str(exc)) from exc

    if port_in_use(settings.web_port, settings.web_host):
        # Before anything starts, as for the other ports.
        raise ServeError(
            f"Porten {settings.web_port} används redan (port in use): välj en annan med "
            "LOV_WEB_PORT"
        )
    async with contextlib.AsyncExitStack() as stack:
        # Unwinds in reverse: desk, worker, then sink, then dev server.
        embedded = settings.temporal_address is None
        codec_access = (
            stack.enter_context(embedded_codec_server(settings, var_dir)) if embedded else None
        )
        if embedded:
            # Taken first, so a taken UI port stops us before the dev server starts.
            ui_internal = free_port()
            stack.enter_context(embedded_ui_gate(settings, ui_internal, codec_access))
            address = await stack.enter_async_context(
                embedded_temporal(settings, var_dir, ui_internal)
            )
            effective = effective.model_copy(update={"temporal_address": address})
            client = await connect(effective, address=address)
        else:
            try:
                client = await connect(effective)
            except TemporalSetupError as exc:
                raise ServeError(str(exc)) from exc

        sink: MailSink | None = None
        if settings.smtp_host is None:
            sink = stack.enter_context(mail_sink(effective.mail_dir, settings.smtp_port))
            effective = effective.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_starttls": False, "smtp_use_tls": False}
            )

        database_url = effective.resolved_database_url
        try:
            await upgrade(database_url)
        except InvalidDatabaseURL as exc:
            raise ServeError(str(exc)) from exc
        effective = effective.model_copy(update={"database_url": database_url})

        stack.enter_context(embedded_resident(var_dir))
        worker = create_worker(client, effective)
        await start_municipal_duties(client, effective)
        async with worker, embedded_desk(settings, effective) as (desk, first_admin):
            print("lovflow kör (running):", flush=True)
            print(_banner(effective, embedded, sink), flush=True)
            print(f"  Webbdesk:  {desk}", flush=True)
            # The address the e-mails' portal links use (LOV_PORTAL_URL, else the desk's).
            print(f"  Utförarportal: {effective.portal_base}", flush=True)
            if first_admin is not None:
                print(
                    f"  Första administratören: {first_admin[0]}, lösenord {first_admin[1]} "
                    "(engångslösenord, visas bara nu: webbdesken ber om ett nytt vid första "
                    "inloggningen)",
                    flush=True,
                )
            if codec_access:
                token_from = (
                    "LOV_CODEC_SERVER_TOKEN"
                    if settings.codec_server_token
                    and settings.codec_server_token.get_secret_value().strip()
                    else str(var_dir / TOKEN_FILE)
                )
                print(
                    f"  Codec:     {codec_access[0]} (krypterade payloads); Webb-UI avkodar efter "
                    f"inloggning på http://127.0.0.1:{settings.embedded_ui_port}"
                    f"{ui_gate.LOGIN_PATH} med token i {token_from}",
                    flush=True,
                )
            print(READY_LINE, flush=True)
            await stop.wait()
            print("lov serve: stoppar (stopping) …", flush=True)
    print("lov serve: stoppad (stopped)", flush=True)


def serve() -> None:
    """Kör tjänsten: Temporal, SMTP-sänka, databas och worker (run the service)."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    # aiosmtpd logs every connection at INFO; the sink logs one line per message instead.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    settings = get_settings()
    try:
        asyncio.run(run_service(settings))
    except ServeError as exc:
        typer.echo(f"lov serve: {exc}", err=True)
        raise typer.Exit(1) from None
    except Exception:
        # Unexpected: the traceback is what a developer needs (it shows no settings values).
        log.exception("lov serve: oväntat fel (unexpected error)")
        raise typer.Exit(1) from None
