"""The desk's forms in route tests: the desk on the `lov` fixture's Temporal and records (its
worker, plan and SMTP server), logged in per role, and a form sent as the browser sends it
(with the CSRF token of the page it is on)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from models.runtime.settings import Settings, get_settings
from tests.support.contract_cli import Lov
from tests.support.desk import desk_client, log_in, token


def desk_settings(lov: Lov) -> Settings:
    """The CLI's settings of `records_lov` (Temporal, task queue, plans, records), for the desk."""
    settings = get_settings().model_copy(update={"var_dir": lov.tmp / "desk-var"})
    assert settings.database_url is not None, "use records_lov: the desk needs the records"
    return settings


@asynccontextmanager
async def desk_as(settings: Settings, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """The desk with `username` logged in (tests.support.desk.add_accounts names them)."""
    async with desk_client(settings) as client:
        response = await log_in(client, username)
        assert response.status_code == 303, response.text
        yield client


async def send(
    client: httpx.AsyncClient, action: str, data: dict[str, str], on: str
) -> httpx.Response:
    """The form posting to `action`, filled with `data`, from the page `on`."""
    csrf = await token(client, on)
    return await client.post(action, data={"csrf_token": csrf, **data})


def field_error(html: str, field_id: str) -> str:
    """The message shown next to the field `field_id` (AssertionError if none)."""
    marker = f'<p class="field-error" id="{field_id}-error">'
    assert marker in html, f"no error next to {field_id}"
    return html.split(marker, 1)[1].split("</p>", 1)[0]


def form_error(html: str) -> str:
    marker = '<p class="form-error" role="alert">'
    assert marker in html, "no error above the form"
    return html.split(marker, 1)[1].split("</p>", 1)[0]
