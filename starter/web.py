"""`lov web`: the desk in the browser (web/), served by uvicorn.

Production runs it behind the municipality's reverse proxy (TLS there, LOV_WEB_SECURE_COOKIES on,
the same LOV_WEB_SECRET_KEY in every process); `lov serve` starts one itself on 127.0.0.1. The
records database must exist and be migrated (`lov db upgrade`); Temporal is connected at the
first action.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

import typer

from models.runtime.settings import InvalidSetting, Settings, get_settings
from starter.errors import fail, fail_bad_input
from starter.ports import port_in_use
from starter.records_db import records_url

if TYPE_CHECKING:
    import uvicorn


def desk_url(settings: Settings) -> str:
    host = settings.web_host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.web_port}"


def _server(settings: Settings) -> uvicorn.Server:
    """A uvicorn server for the desk; the forwarded client address (X-Forwarded-For) is trusted
    only from the proxies in FORWARDED_ALLOW_IPS (uvicorn's default: 127.0.0.1)."""
    import uvicorn

    from web.app import create_app

    try:
        app = create_app(settings)
    except InvalidSetting as err:
        fail_bad_input(str(err))
    config = uvicorn.Config(
        app,
        host=settings.web_host,
        port=settings.web_port,
        proxy_headers=True,
        server_header=False,
        log_level="warning",
    )
    return uvicorn.Server(config)


@contextlib.asynccontextmanager
async def running_desk(settings: Settings) -> AsyncIterator[str]:
    """For `lov serve`: the desk in this event loop while the block runs; yields its address.
    RuntimeError if its port is taken."""
    if port_in_use(settings.web_port, settings.web_host):
        raise RuntimeError(
            f"Porten {settings.web_port} används redan (port in use): välj en annan med "
            "LOV_WEB_PORT"
        )
    server = _server(settings)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # its error, if it failed to start
                raise RuntimeError("webbdesken startade inte (the web desk did not start)")
            await asyncio.sleep(0.05)
        yield desk_url(settings)
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await task


def web(
    host: Annotated[
        str | None,
        typer.Option("--host", metavar="ADRESS", help="Lyssna på (listen on); LOV_WEB_HOST."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", metavar="PORT", help="Port; LOV_WEB_PORT.", min=1, max=65535),
    ] = None,
) -> None:
    """Kör webbdesken (run the web desk) bakom kommunens omvända proxy."""
    settings = get_settings()
    updates: dict[str, object] = {}
    if host is not None:
        updates["web_host"] = host
    if port is not None:
        updates["web_port"] = port
    settings = settings.model_copy(update=updates)
    records_url(settings)  # exit 2 naming the setting when there is no records database
    if port_in_use(settings.web_port, settings.web_host):
        fail_bad_input(
            f"--port: porten {settings.web_port} används redan (port in use); "
            "välj en annan med --port eller LOV_WEB_PORT"
        )
    server = _server(settings)
    typer.echo(f"lov web: {desk_url(settings)} (Ctrl-C stoppar)")
    try:
        asyncio.run(server.serve())
    except RuntimeError as err:  # the lifespan's: the records are not migrated
        fail(str(err))
