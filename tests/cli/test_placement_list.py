"""`lov placement list` against the dev server, a real worker and its SQLite records: the
placements the worker recorded, each filter, `--json` with stable keys, the customer only by
the pseudonymous reference, and bad filters as one line, exit 2."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.service import RPCError, RPCStatusCode

from models.ids import rotation_workflow_id
from tests.support.cli_runner import Result, run_lov
from tests.support.contract_cli import Lov, listed_json
from tests.support.helpers import eventually, random_org_nr
from tests.support.plans import PLAN_ID, plan_toml

KEYS = [
    "placement_id", "customer_ref", "area", "service_type", "granted_hours", "decision_date",
    "state", "org_nr", "pending_org_nr", "provider_start", "care_plan_due", "care_plan_done_on",
    "care_plan_current", "end_date", "registered_at", "updated_at",
]  # fmt: skip


async def placement(lov: Lov, *args: str) -> Result:
    return await run_lov(lov.env, "placement", *args)


async def listed(lov: Lov, *filters: str) -> list[dict[str, object]]:
    return await listed_json(lov, "placement", *filters)


async def own_rotation_list(lov: Lov) -> None:
    """One rotation workflow serves a plan on the shared dev server; one started by an earlier
    test listens on a task queue no worker serves any more. Start from a fresh list."""
    try:
        await lov.client.get_workflow_handle(rotation_workflow_id(PLAN_ID)).terminate()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise


async def start(lov: Lov, customer: str, area: str, *plan: str) -> str:
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    started = await placement(
        lov,
        "start",
        "--customer",
        customer,
        "--area",
        area,
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
        *plan,
    )
    assert started.exit_code == 0, started.stderr
    return started.stdout.split(": ")[1].split(" ")[0]


async def test_list_filters_and_json(records_lov: Lov) -> None:
    lov = records_lov
    await own_rotation_list(lov)
    org = random_org_nr()
    await lov.start(org)
    added = await placement(
        lov, "provider", "add", org, "--area", "Centrum", "--service", "omvårdnad"
    )
    assert added.exit_code == 0, added.stderr
    chosen_id = await start(lov, "DNR-2031-0042", "Centrum")
    chosen = await placement(lov, "choose", chosen_id, "--provider", org, "--actor", "HL")
    assert chosen.exit_code == 0, chosen.stderr
    waiting_id = await start(lov, "DNR-2031-0043", "Östra")

    async def recorded() -> list[dict[str, object]]:
        rows = await listed(lov)
        assert [(r["placement_id"], r["state"]) for r in rows] == [
            (chosen_id, "active"),
            (waiting_id, "awaiting_choice"),
        ], rows
        return rows

    rows = await eventually(recorded, timeout=20)
    assert all(list(r) == KEYS for r in rows)
    assert (rows[0]["customer_ref"], rows[0]["org_nr"], rows[0]["granted_hours"]) == (
        "DNR-2031-0042",
        org,
        "22.50",
    )

    async def ids(*filters: str) -> list[object]:
        return [r["placement_id"] for r in await listed(lov, *filters)]

    assert await ids("--state", "active") == [chosen_id]
    assert await ids("--state", "awaiting_choice") == [waiting_id]
    assert await ids("--area", "östra") == [waiting_id]
    assert await ids("--org-nr", org) == [chosen_id]
    assert await ids("--org-nr", random_org_nr()) == []
    # By the placement's plan: the one still awaiting a choice has no provider, but a plan.
    assert await ids("--plan", PLAN_ID) == [chosen_id, waiting_id]

    text = await placement(lov, "list", "--state", "active")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split()[:3] == ["Placering", "Kund", "Område"]
    assert lines[1].startswith(chosen_id) and "DNR-2031-0042" in lines[1] and "pågår" in lines[1]
    assert lines[-1] == "1 placeringar (placements)"


async def test_a_placement_awaiting_a_choice_is_listed_under_its_plan_and_no_other(
    records_lov: Lov,
) -> None:
    """No provider yet, so no contract to read a plan from: the placement's own plan, recorded
    with it (revision 0012_placement_plan), places it."""
    lov = records_lov
    other = "annanstans"
    plans_dir = Path(lov.env["LOV_PLANS_DIR"])
    (plans_dir / f"{other}.toml").write_text(plan_toml(other, lov.due), encoding="utf-8")
    here = await start(lov, "DNR-2031-0051", "Norra", "--plan", PLAN_ID)
    there = await start(lov, "DNR-2031-0052", "Norra", "--plan", other)

    async def both_waiting() -> None:
        rows = await listed(lov, "--state", "awaiting_choice")
        assert {r["placement_id"] for r in rows} == {here, there}, rows

    await eventually(both_waiting, timeout=20)

    async def ids(*filters: str) -> list[object]:
        return [r["placement_id"] for r in await listed(lov, *filters)]

    assert await ids("--plan", PLAN_ID) == [here]
    assert await ids("--plan", other) == [there]
    text = await placement(lov, "list", "--plan", other)
    assert text.exit_code == 0, text.stderr
    assert there in text.stdout and here not in text.stdout


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--state", "pågår"], "fel: --state: okänt läge (unknown state) 'pågår'; ett av"),
        (
            ["--plan", "sundsvall"],
            f"fel: --plan: okänd plan (unknown plan) 'sundsvall'; kända: {PLAN_ID}",
        ),
        (["--area", " "], "fel: --area: tomt område"),
        (["--org-nr", "556036-0794"], "fel: org_nr:"),
    ],
)
async def test_bad_filters_are_one_line_exit_2(
    records_lov: Lov, args: list[str], start: str
) -> None:
    result = await placement(records_lov, "list", *args, "--json")
    assert result.exit_code == 2
    assert result.error_line().startswith(start), result.stderr
    assert result.stdout == ""
