"""`lov application …` against the real dev server, a real worker, SQLite and a real SMTP server,
with the shipped Sundsvall plan (its skallkrav)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowExecutionStatus

from models.ids import contract_workflow_id
from tests.support.application_cli import EMAIL, SKALLKRAV, ApplicationCli
from tests.support.helpers import eventually, random_org_nr


async def test_submit_assess_approve_from_the_command_line(application_cli: ApplicationCli) -> None:
    org = random_org_nr()
    wid = f"application-{org.replace('-', '')}-1"
    doc = application_cli.tmp / "f-skatt.pdf"
    doc.write_bytes(b"%PDF-1.4 registreringsbevis\n")
    submitted = await application_cli.process(
        "submit",
        org,
        "--name",
        "Omsorg i Norr AB",
        "--email",
        EMAIL,
        "--service",
        "omvårdnad",
        "--service",
        "service",
        "--area",
        "Centrum",
        "--document",
        f"f-skatt={doc}",
        "--actor",
        "Anna Admin",
    )
    assert submitted.exit_code == 0, submitted.stderr
    assert wid in submitted.stdout and f"{len(SKALLKRAV)} skallkrav" in submitted.stdout
    await application_cli.smtp.wait_for(2)
    assert {str(m["X-Lov-Kind"]) for m in application_cli.smtp.messages} == {
        "application-received",
        "application-new",
    }

    status = await application_cli.status(org)
    assert status.application_id == wid and status.service_types == ["omvårdnad", "service"]
    assert [d.sha256 for d in status.documents] and status.documents[0].size == 28
    assert status.decision_due is not None

    for key in SKALLKRAV:
        result = await application_cli.cli(
            "assess", wid, key, "--met", "--note", "Styrkt", "--actor", "Bo"
        )
        assert result.exit_code == 0, result.stderr
    text = await application_cli.process("status", wid)
    assert text.exit_code == 0, text.stderr
    assert "under prövning" in text.stdout and "f-skatt" in text.stdout
    assert text.stdout.count("uppfyllt · Bo") == len(SKALLKRAV)

    start = (datetime.now(ZoneInfo("Europe/Stockholm")).date() + timedelta(days=7)).isoformat()
    decided = await application_cli.cli(
        "decide", wid, "--approve", "--start", start, "--actor", "Chef"
    )
    assert decided.exit_code == 0, decided.stderr
    assert contract_workflow_id(org) in decided.stdout
    contract = application_cli.client.get_workflow_handle(contract_workflow_id(org))
    assert (await contract.describe()).status == WorkflowExecutionStatus.RUNNING
    await application_cli.smtp.wait_for(3)
    assert str(application_cli.smtp.messages[-1]["X-Lov-Kind"]) == "application-approved"

    async def closed() -> None:
        desc = await application_cli.client.get_workflow_handle(wid).describe()
        assert desc.status == WorkflowExecutionStatus.COMPLETED

    await eventually(closed, timeout=20)
    final = await application_cli.status(wid)
    assert final.decision is not None and final.decision.actor == "Chef"
    assert final.decision.contract_start == date.fromisoformat(start)


async def test_refusals_exit_2_naming_the_field_and_change_nothing(
    application_cli: ApplicationCli,
) -> None:
    org = random_org_nr()
    wid = f"application-{org.replace('-', '')}-1"
    cases: list[tuple[tuple[str, ...], str]] = [
        (("submit", "556036-0794", "--name", "X", "--email", EMAIL), "org_nr:"),
        (("submit", org, "--name", "X", "--email", "nope", "--service", "s"), "--email:"),
        (("submit", org, "--name", "X", "--email", EMAIL, "--area", "C"), "--service:"),
        (("submit", org, "--name", "X", "--email", EMAIL, "--service", "s"), "--area:"),
    ]
    for args, field in cases:
        result = await application_cli.cli(*args)
        assert result.exit_code == 2, (args, result)
        assert result.error_line().startswith(f"lov: {field}") or field in result.error_line()
    assert application_cli.smtp.messages == []

    assert (await application_cli.submit(org)).exit_code == 0
    await application_cli.smtp.wait_for(2)
    second = await application_cli.submit(org)
    assert second.exit_code == 2
    assert f"org_nr: {org} already has an open application: {wid}" in second.error_line()

    await eventually(lambda: _registered(application_cli, wid), timeout=20)
    refusals: list[tuple[tuple[str, ...], str]] = [
        (("assess", wid, "no-such-req", "--met"), "skallkrav: 'no-such-req' is not a skallkrav"),
        (("assess", wid, "insurance", "--not-met"), "note (why the requirement is not met)"),
        (("assess", wid, "insurance"), "--met/--not-met"),
        (("decide", wid, "--approve", "--start", "2099-01-01"), "skallkrav: not yet assessed"),
        (("decide", wid, "--approve"), "--start: krävs"),
        (("decide", wid, "--reject"), "--reason: krävs"),
        (("complete", wid, "--note", "x"), "status: no komplettering has been requested"),
        (("request-completion", wid), "--item: minst en krävs"),
        (("status", "application-5560360793-x"), "application: not an application id"),
        (("status", "212000-2312"), "application: no application from 212000-2312"),
    ]
    for args, message in refusals:
        result = await application_cli.cli(*args)
        assert result.exit_code == 2, (args, result)
        assert message in result.error_line(), (args, result.stderr)
    await asyncio.sleep(0.5)
    assert len(application_cli.smtp.messages) == 2
    status = await application_cli.status(wid)
    assert status.unassessed == status.checklist and status.history == [status.history[0]]


async def _registered(application_cli: ApplicationCli, wid: str) -> None:
    status = await application_cli.status(wid)
    assert status.checklist, "plan not loaded yet"
