"""Kundval from the command line on the dev server: two providers approved through
`lov application`, then `lov placement start | choose | switch | plan-done | status | stats |
end`, each as an administrator runs it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from models.domain.calendar import next_business_day
from models.ids import rotation_workflow_id
from tests.support.application_cli import SKALLKRAV, ApplicationCli
from tests.support.cli_runner import Result, run_lov
from tests.support.helpers import eventually, random_org_nr


def stockholm_today() -> date:
    # Read at each use, not at import: the suite may run across midnight in Stockholm, and the
    # workflow reads its own clock when it plans a switch.
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


async def placement(cli: ApplicationCli, *args: str) -> Result:
    return await run_lov(cli.env, "placement", *args)


async def approved(cli: ApplicationCli, org: str, today: date) -> None:
    """An application through to approval: the provider gets a contract and joins the lists."""
    wid = f"application-{org.replace('-', '')}-1"
    assert (await cli.submit(org)).exit_code == 0

    async def registered() -> None:
        status = await cli.status(wid)
        assert status.registered

    await eventually(registered, timeout=20)
    for key in SKALLKRAV:
        assert (await cli.cli("assess", wid, key, "--met", "--actor", "Bo")).exit_code == 0
    start = (today + timedelta(days=1)).isoformat()
    decided = await cli.cli("decide", wid, "--approve", "--start", start, "--actor", "Chef")
    assert decided.exit_code == 0, decided.stderr

    async def closed() -> None:
        desc = await cli.client.get_workflow_handle(wid).describe()
        assert desc.status == WorkflowExecutionStatus.COMPLETED

    await eventually(closed, timeout=20)


async def own_rotation_list(cli: ApplicationCli) -> None:
    """The dev server is shared by the session's tests, and one rotation workflow serves a
    whole plan: one started by an earlier test listens on that test's task queue, which no
    worker serves any more. Start from a fresh list on ours."""
    handle = cli.client.get_workflow_handle(rotation_workflow_id("sundsvall"))
    try:
        await handle.terminate(reason="test: a fresh rotation list")
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise


async def test_placement_from_start_to_end(application_cli: ApplicationCli) -> None:
    await own_rotation_list(application_cli)
    first, second = random_org_nr(), random_org_nr()
    today = stockholm_today()
    await approved(application_cli, first, today)
    await approved(application_cli, second, today)

    started = await placement(
        application_cli,
        "start",
        "--customer",
        "DNR-2031-0042",
        "--area",
        "Centrum",
        "--service",
        "omvårdnad",
        "--hours",
        "22,5",
        "--decision-date",
        today.isoformat(),
        "--start",
        (today + timedelta(days=3)).isoformat(),
        "--actor",
        "Handläggare",
    )
    assert started.exit_code == 0, started.stderr
    wid = started.stdout.split(": ")[1].split(" ")[0]
    assert wid.startswith("placement-") and "DNR" not in wid

    # Right after `start` the next command is accepted: start waits until it is registered.
    chosen = await placement(application_cli, "choose", wid, "--rotation", "--actor", "Handläggare")
    assert chosen.exit_code == 0, chosen.stderr
    start = (today + timedelta(days=3)).isoformat()
    # The first approved provider is first on the rotation list.
    assert f"({first}) från {start}" in chosen.stdout

    refused = await placement(application_cli, "switch", wid, "--provider", first)
    assert refused.exit_code == 2
    assert refused.error_line() == f"fel: provider: {first} is already the customer's provider"
    before = stockholm_today()
    switched = await placement(
        application_cli, "switch", wid, "--provider", second, "--actor", "Kund via HL"
    )
    assert switched.exit_code == 0, switched.stderr
    # The earliest switch is seven days after the day the workflow took it; that day is the
    # one before or after the command, should the command have run across midnight.
    candidates = {(day + timedelta(days=7)).isoformat() for day in (before, stockholm_today())}
    [effective] = [
        d for d in candidates if f"till Omsorg i Norr AB ({second}) från {d}" in switched.stdout
    ]

    shown = await placement(application_cli, "status", wid, "--json")
    assert shown.exit_code == 0, shown.stderr
    status = json.loads(shown.stdout)
    assert (status["state"], status["provider"], status["via"]) == ("active", first, "rotation")
    assert status["pending_switch"]["org_nr"] == second
    assert status["pending_switch"]["effective"] == effective
    # Fourteen days after the start, moved to the next business day by the plan's calendar
    # (none: the fixture's plan is open every day, tests.support.application_cli).
    due = next_business_day(today + timedelta(days=17), "none")
    assert status["care_plan"]["due"] == due.isoformat()
    assert status["granted_hours"] == "22.50"
    text = await placement(application_cli, "status", wid)
    assert f"Byte till Omsorg i Norr AB ({second}) från {effective}" in text.stdout

    done = await placement(application_cli, "plan-done", wid, "--actor", "Handläggare")
    assert done.exit_code == 0, done.stderr

    async def counted() -> list[dict[str, object]]:
        stats = await placement(application_cli, "stats", "--json")
        assert stats.exit_code == 0, stats.stderr
        rows: list[dict[str, object]] = json.loads(stats.stdout)
        assert [r["org_nr"] for r in rows] == [first], rows
        return rows

    [row] = await eventually(counted, timeout=20)
    assert (row["decisions"], row["granted_hours"], row["care_plans_current"]) == (1, "22.50", 1)

    ended = await placement(application_cli, "end", wid, "--reason", "Flyttar till särskilt boende")
    assert ended.exit_code == 0, ended.stderr
    unknown = await placement(application_cli, "status", "placement-000000000000")
    assert unknown.exit_code == 2
    assert unknown.error_line() == "fel: placement: no placement placement-000000000000"
    bad = await placement(application_cli, "status", "19400101-1234")
    assert bad.exit_code == 2 and "19400101" not in bad.stderr

    kinds = [str(m["X-Lov-Kind"]) for m in application_cli.smtp.messages]
    for kind in ("placement-new", "placement-switch-in", "placement-switch-out", "placement-ended"):
        assert kind in kinds, kinds
    for m in application_cli.smtp.messages:
        assert "DNR-2031-0042" not in str(m["Subject"])
