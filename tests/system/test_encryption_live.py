"""No personal or business data readable in Temporal's database (issue 7.5).

A real dev server keeps its state in a SQLite file of the test's own; a real worker runs a
contract (provider name and e-mail in the workflow input), a report submission (an Update whose
fields and note are report data) and an application (another provider's e-mail). Then the raw
bytes of the server's database files are searched. With LOV_CODEC_KEYS set none of those values
may appear; the control run without keys must find them all, so the test proves that it is the
encryption that hides them (and that the search would see them otherwise).

Workflow ids and search attributes are not encrypted: they are checked to hold only org numbers,
obligation keys, periods and states.
"""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models.messages.application import ApplicationInput
from models.messages.common import Provider
from models.messages.obligation import SubmitRequest
from models.records.db import upgrade
from models.runtime.codec import ENCODING, new_key
from models.runtime.settings import PROJECT_ROOT, Settings
from models.runtime.temporal import (
    DEV_SERVER_BINARY,
    data_converter,
    find_binary,
    local_env_search_attributes,
)
from services import applications as application_actions
from services import calls as actions
from tests.support.helpers import ReceivedMail, eventually, random_org_nr
from tests.support.plans import PLAN_ID, due_soon, local_today, plan_toml
from worker import create_worker

NAME = "Hemliga Omsorgsbolaget Zeta AB"
EMAIL = "zeta.kontakt@hemlig-omsorg.example"
APPLICANT_NAME = "Ansökande Omsorg Theta AB"
APPLICANT_EMAIL = "theta.ansokan@hemlig-omsorg.example"
NOTE = "Avvikelserapport-Kappa-7c1e: tre fall av utebliven insats"
CUSTOMERS = 918273  # a report field value
SECRETS = {
    "provider e-mail": EMAIL.encode(),
    "provider name": NAME.encode(),
    "applicant e-mail": APPLICANT_EMAIL.encode(),
    "report note": NOTE.encode(),
    "report field": f'"customers":{CUSTOMERS}'.encode(),
}
ID_SHAPE = re.compile(r"^(contract|obligation|application)-\d{10}(-[a-z0-9-]+)?$")


async def _run(tmp_path: Path, smtp: ReceivedMail, *, encrypted: bool) -> tuple[bytes, Client]:
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    due = due_soon(local_today())
    (plans_dir / f"{PLAN_ID}.toml").write_text(plan_toml(PLAN_ID, due), encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "plans" / "sundsvall.toml", plans_dir / "sundsvall.toml")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(database_url)
    keys = {"2027-01": SecretStr(new_key())} if encrypted else {}
    settings = Settings(
        var_dir=tmp_path / "var",
        plans_dir=plans_dir,
        database_url=database_url,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        temporal_task_queue=f"encryption-{uuid.uuid4().hex[:8]}",
        codec_keys=keys,
    )
    temporal_dir = tmp_path / "temporal"
    temporal_dir.mkdir()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(find_binary(DEV_SERVER_BINARY)),
        search_attributes=local_env_search_attributes(),
        data_converter=data_converter(settings),
        dev_server_extra_args=[
            "--db-filename",
            str(temporal_dir / "temporal.db"),
            "--dynamic-config-value",
            "system.forceSearchAttributesCacheRefreshOnRead=true",
        ],
    )
    org = random_org_nr()
    applicant = random_org_nr()
    try:
        client = env.client
        async with create_worker(client, settings):
            await actions.start_contract(
                client,
                settings.temporal_task_queue,
                Provider(org_nr=org, name=NAME, email=EMAIL),
                local_today() - timedelta(days=30),
                PLAN_ID,
                search_attributes=True,
            )

            async def opened() -> None:
                try:
                    status = await actions.contract_status(client, org)
                except Exception as exc:  # not answering yet
                    raise AssertionError(str(exc)) from exc
                report = status.obligations.get("annual-report")
                assert report is not None and len(report.open) == 1, status
                # The obligation workflow has reported itself opened: it exists.
                assert report.open[0].changed_at is not None, status

            await eventually(opened, timeout=30)
            document = tmp_path / "avvikelser.pdf"
            document.write_bytes(b"%PDF-1.4 rapport\n")
            await actions.submit(
                client,
                org,
                "annual-report",
                str(due.year),
                SubmitRequest(
                    fields={"customers": CUSTOMERS, "permit_current": True},
                    documents=[actions.document_ref("deviation-analysis", document)],
                    note=NOTE,
                    actor="Anna Admin",
                ),
            )
            await application_actions.submit_application(
                client,
                settings.temporal_task_queue,
                ApplicationInput(
                    provider=Provider(org_nr=applicant, name=APPLICANT_NAME, email=APPLICANT_EMAIL),
                    service_types=["omvårdnad"],
                    areas=["Centrum"],
                    plan_id="sundsvall",
                    actor="Anna Admin",
                ),
            )
            # The receipt and the acknowledgement have gone out: their activity inputs and
            # results (addresses, fields) are in history too.
            await eventually(
                lambda: _mail_kinds(smtp, {"receipt", "application-received"}), timeout=30
            )
            await _check_ids_and_search_attributes(client)
            if encrypted:
                raw = await client.workflow_service.get_workflow_execution_history(
                    _history_request(client, f"contract-{org.replace('-', '')}")
                )
                started = raw.history.events[0].workflow_execution_started_event_attributes
                assert started.input.payloads[0].metadata["encoding"] == ENCODING
    finally:
        await env.shutdown()
    # Everything the server wrote: the database and its write-ahead log, if any.
    data = b"".join(p.read_bytes() for p in sorted(temporal_dir.iterdir()) if p.is_file())
    return data, client


def _history_request(client: Client, workflow_id: str) -> object:
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.workflowservice.v1 import GetWorkflowExecutionHistoryRequest

    return GetWorkflowExecutionHistoryRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
    )


async def _mail_kinds(smtp: ReceivedMail, wanted: set[str]) -> None:
    assert wanted <= {str(m["X-Lov-Kind"]) for m in smtp.messages}


async def _check_ids_and_search_attributes(client: Client) -> None:
    seen = 0
    async for execution in client.list_workflows():
        seen += 1
        assert ID_SHAPE.match(execution.id), execution.id
        values = " ".join(
            str(pair.value) for pair in execution.typed_search_attributes.search_attributes
        )
        for secret in (NAME, EMAIL, APPLICANT_NAME, APPLICANT_EMAIL, NOTE, str(CUSTOMERS)):
            assert secret not in execution.id and secret not in values, (execution.id, values)
    assert seen >= 3  # contract, its two obligations, the application


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "control-plain"])
async def test_temporal_database_holds_no_readable_personal_data(
    tmp_path: Path, smtp_server: ReceivedMail, encrypted: bool
) -> None:
    data, _ = await _run(tmp_path, smtp_server, encrypted=encrypted)
    assert len(data) > 100_000, "the dev server wrote no database file"
    found = {what for what, needle in SECRETS.items() if needle in data}
    if encrypted:
        assert found == set(), f"readable in Temporal's database: {sorted(found)}"
    else:
        # Without the codec every value is there in plain text: the search does see them.
        assert found == set(SECRETS), f"control run lacks {sorted(set(SECRETS) - found)}"
