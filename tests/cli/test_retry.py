"""A CLI command whose connection to Temporal is lost after its request went out cannot know
whether it happened: it says so in one line, with how to check and the exact command to retry;
the retry, with the same --request-id, is recognised as the same request (services/request_ids.py)
instead of refused ("already has an open application") or done twice.

Against the real dev server, a real worker and SMTP server; the CLI runs as its own process
through a TCP proxy that is cut right after the request has reached the server."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.ids import application_workflow_id
from services.lookup import describe_or_none
from tests.support.cli_args import application_submit_args, contract_start_args
from tests.support.cli_runner import WorkerFor, run_lov, run_lov_process
from tests.support.helpers import ReceivedMail, eventually, random_org_nr
from tests.support.plans import always_open_plans
from tests.support.tcp_proxy import TcpProxy

RETRY_MARK = "utförs inte två gånger): "


@pytest_asyncio.fixture
async def lov_env(worker_for: WorkerFor, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    # Open every hour (tests.support.plans): a komplettering request is not held till morning.
    plans_dir = always_open_plans(tmp_path / "plans")
    async with worker_for(name="cli-retry", default_plan="sundsvall", plans_dir=plans_dir) as env:
        yield env


async def _exists(client: Client, workflow_id: str) -> bool:
    return await describe_or_none(client.get_workflow_handle(workflow_id)) is not None


async def _sent_once(smtp: ReceivedMail, org_nr: str, kind: str, settle: float = 0) -> None:
    """Exactly one e-mail of `kind` about `org_nr` arrives, and after `settle` seconds still
    one (a retry that was done twice would send a second)."""

    def sent() -> list[str]:
        return [
            str(m["Message-ID"])
            for m in smtp.messages
            if m["X-Lov-Org-Nr"] == org_nr and m["X-Lov-Kind"] == kind
        ]

    async def one() -> None:
        assert len(sent()) == 1, sent()

    await eventually(one)
    if settle:
        await asyncio.sleep(settle)
        assert len(sent()) == 1, sent()


async def _same_twice_then_another(
    env: dict[str, str], command: list[str], request_id: str, other_id: str
) -> str:
    """`command` with `request_id` twice: both succeed with the same output (a retry after
    "outcome unknown" gets the first outcome, not a refusal). Then with `other_id`, a new
    request that the usual checks refuse (exit 2): returns its error line."""
    first = await run_lov(env, *command, "--request-id", request_id)
    assert first.exit_code == 0, first.stderr
    again = await run_lov(env, *command, "--request-id", request_id)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == first.stdout
    other = await run_lov(env, *command, "--request-id", other_id)
    assert other.exit_code == 2, (other.stdout, other.stderr)
    return other.error_line()


async def test_submit_cut_off_mid_command_says_outcome_unknown_and_retry_is_the_same(
    dev_env: WorkflowEnvironment, smtp_server: ReceivedMail, lov_env: dict[str, str]
) -> None:
    client = dev_env.client
    host, _, port = lov_env["LOV_TEMPORAL_ADDRESS"].rpartition(":")
    proxy = TcpProxy(host, int(port))
    await proxy.start()
    through_proxy = lov_env | {"LOV_TEMPORAL_ADDRESS": f"{proxy.host}:{proxy.port}"}
    org_nr = random_org_nr()
    first_id = application_workflow_id(org_nr, 1)
    try:
        # The start request names the workflow type; nothing the CLI sends before it does.
        proxy.cut_after(b"ApplicationWorkflow")
        cut = await run_lov_process(through_proxy, *application_submit_args(org_nr), timeout=120)
        assert proxy.cut_done.is_set(), ("the proxy never saw the start request", cut)

        # The server did register the application; the CLI could not know.
        assert await _exists(client, first_id)
        assert cut.exit_code == 1, (cut.stdout, cut.stderr)
        line = cut.error_line()
        assert "utfallet är okänt" in line, line
        assert f"lov application status {org_nr}" in line, line
        retry = shlex.split(line.partition(RETRY_MARK)[2])
        assert retry[:3] == ["lov", "application", "submit"], line
        assert retry[retry.index("--request-id") + 1], line

        # The retry, once Temporal can be reached again, is the same submission.
        await proxy.start()
        again = await run_lov_process(through_proxy, *retry[1:])
        assert again.exit_code == 0, again.stderr
        assert f"Ansökan registrerad (submitted): {first_id}" in again.stdout
        assert "already has an open application" not in again.stderr
        assert not await _exists(client, application_workflow_id(org_nr, 2))

        # A different submission is still refused while the first is open.
        other = await run_lov_process(through_proxy, *application_submit_args(org_nr))
        assert other.exit_code == 2
        assert f"already has an open application: {first_id}" in other.error_line()

        # One acknowledgement to the applicant, not two.
        await _sent_once(smtp_server, org_nr, "application-received", settle=2)
    finally:
        await proxy.cut()


async def test_update_retried_with_same_request_id_is_not_done_twice(
    dev_env: WorkflowEnvironment, smtp_server: ReceivedMail, lov_env: dict[str, str]
) -> None:
    org_nr = random_org_nr()
    submitted = await run_lov(lov_env, *application_submit_args(org_nr))
    assert submitted.exit_code == 0, submitted.stderr
    ask = ["application", "request-completion", org_nr, "--item", "Försäkringsbrev"]

    # Another request is still checked: one komplettering at a time.
    refused = await _same_twice_then_another(lov_env, ask, "req-42", "req-43")
    assert "already outstanding" in refused

    await _sent_once(smtp_server, org_nr, "application-completion-request")


async def test_bad_request_id_is_refused_naming_the_option(lov_env: dict[str, str]) -> None:
    result = await run_lov(
        lov_env, *application_submit_args(random_org_nr()), "--request-id", "två ord"
    )
    assert result.exit_code == 2
    assert result.error_line().startswith("fel: --request-id:")


async def test_start_retried_with_same_request_id_is_the_same_start(
    lov_env: dict[str, str],
) -> None:
    org_nr = random_org_nr()
    start = contract_start_args(org_nr, date(2027, 2, 1))
    refused = await _same_twice_then_another(lov_env, start, "start-1", "start-2")
    assert "already has a running contract" in refused
