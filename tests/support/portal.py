"""The provider portal in tests: a worker whose test plan asks only for fields (the portal takes
no documents yet), and a provider's visit opened through its personal link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from models.domain.provider_id import ProviderIds
from models.runtime.settings import Settings, get_settings
from models.runtime.web_secret import web_secret
from services import portal, recoveries
from tests.support.cli_runner import cli_worker
from tests.support.contract_cli import Lov
from tests.support.desk import csrf_of
from tests.support.helpers import ReceivedMail, eventually
from tests.support.plans import PLAN_ID, due_soon, local_today, plan_toml
from tests.support.recovery_lines import LINES

_DOCUMENT = 'title = "Analys av avvikelser"\n'


def fields_only(plan: str) -> str:
    """The test plan with its annual report's one required document made optional."""
    assert _DOCUMENT in plan
    return plan.replace(_DOCUMENT, _DOCUMENT + "required = false\n")


def write_plan(tmp_path: Path, text: str) -> Path:
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir(exist_ok=True)
    (plans_dir / f"{PLAN_ID}.toml").write_text(text, encoding="utf-8")
    return plans_dir


@pytest_asyncio.fixture
async def portal_lov(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Lov]:
    """`lov` (tests.support.contract_cli) on the fields-only plan, the CLI reading the worker's
    records database."""
    due = due_soon(local_today())
    plans_dir = write_plan(tmp_path, fields_only(plan_toml(PLAN_ID, due)))
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="portal",
        default_plan=PLAN_ID,
        plans_dir=plans_dir,
    ) as env:
        url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
        env["LOV_DATABASE_URL"] = url
        monkeypatch.setenv("LOV_DATABASE_URL", url)
        get_settings.cache_clear()
        yield Lov(
            client=dev_env.client,
            smtp=smtp_server,
            env=env,
            tmp=tmp_path,
            due=due,
            contract_start=local_today() - timedelta(days=30),
        )


def portal_settings(lov: Lov) -> Settings:
    """The web app's settings: the worker's var/ (so both sign with the same web secret) and
    SMTP server (for the links it sends on request)."""
    return get_settings().model_copy(
        update={"var_dir": lov.tmp / "var", "smtp_host": lov.smtp.host, "smtp_port": lov.smtp.port}
    )


def link_token(settings: Settings, org_nr: str, email: str, now: datetime | None = None) -> str:
    """A provider's link token, as the mail activity makes it."""
    link = portal.link_for(
        settings,
        ProviderIds.from_settings(settings),
        web_secret(settings),
        org_nr,
        email,
        now or datetime.now(UTC),
    )
    assert link is not None
    return link.rsplit("/", 1)[1]


async def open_visit(client: httpx.AsyncClient, token: str) -> httpx.Response:
    """Follow the personal link and press its button: a visit cookie and a redirect to the
    portal's start page."""
    page = await client.get(f"/portal/{token}")
    assert page.status_code == 200, page.text
    response = await client.post(
        "/portal/oppna", data={"csrf_token": csrf_of(page.text), "token": token}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/portal"
    return response


async def open_recovery_case(lov: Lov, org_nr: str) -> str:
    """An återkrav case for the provider (tests.support.recovery_lines' lines), started as the
    desk starts one; its id once the records list it."""
    settings = portal_settings(lov)
    opened = await recoveries.open_case(lov.client, settings, org_nr, LINES, "administrator")

    async def listed() -> None:
        cases = await recoveries.list_cases(settings, org_nr=org_nr)
        assert [c.case.recovery_id for c in cases] == [opened.case_id]

    await eventually(listed, timeout=20)
    return opened.case_id
