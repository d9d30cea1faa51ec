"""`lov meeting list` on a real records database: the table, --json, filters, refusals."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.support.cli_args import contract_start_args
from tests.support.cli_runner import Result, cli_worker, run_lov, run_lov_on_records
from tests.support.helpers import ReceivedMail, eventually, random_org_nr
from tests.support.listings import BY_START, seed_records
from tests.support.plans import PROVIDER_EMAIL, due_soon, local_today, plan_toml

ZONE = ZoneInfo("Europe/Stockholm")


@pytest.fixture
async def records(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_records(url)
    return url


async def lov(records: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    return await run_lov_on_records(records, monkeypatch, "meeting", "list", *args)


async def test_table_and_json(records: str, monkeypatch: pytest.MonkeyPatch) -> None:
    table = await lov(records, monkeypatch)
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["Tid", "Möte", "Org", "nr", "Period", "Läge", "Plats"]
    assert [next(w for w in line.split() if w.startswith("meeting-")) for line in lines[1:]] == (
        BY_START
    )
    # Local time, as the organizer booked it.
    assert lines[2].startswith("2027-04-30 23:30") and "bokat" in lines[2]
    assert lines[4].startswith("–") and "inte bokat" in lines[4]

    found = json.loads((await lov(records, monkeypatch, "--json")).stdout)
    assert [m["meeting_id"] for m in found] == BY_START
    assert found[1]["starts_at"] == "2027-04-30T21:30:00+00:00"


async def test_filters(records: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def ids(*args: str) -> list[str]:
        result = await lov(records, monkeypatch, *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [m["meeting_id"] for m in json.loads(result.stdout)]

    assert await ids("--org-nr", "556036-0793", "--state", "scheduled") == [
        "meeting-5560360793-2027-H1"
    ]
    assert await ids("--from", "2027-04-01", "--to", "2027-04-30") == ["meeting-5560360793-2027-H1"]
    assert await ids("--plan", "herning", "--from", "2027-01-01") == ["meeting-5590010004-2027-H1"]
    empty = await lov(records, monkeypatch, "--plan", "nordanstig")
    assert empty.exit_code == 0 and "Inga möten" in empty.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--state", "bokat"), "--state"),
        (("--org-nr", "556036-079"), "--org-nr"),
        (("--from", "2027-02-30"), "--from"),
        (("--from", "2027-05-01", "--to", "2027-04-30"), "--to"),
        (("--plan", "no-such-plan"), "--plan"),
    ],
)
async def test_bad_filters(
    records: str, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], field: str
) -> None:
    bad = await lov(records, monkeypatch, *args)
    assert bad.exit_code == 2 and bad.error_line().startswith(f"fel: {field}: "), bad.stderr
    assert bad.stdout == ""


async def test_missing_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "none.db"
    result = await run_lov_on_records(
        f"sqlite+aiosqlite:///{missing}", monkeypatch, "meeting", "list"
    )
    # Exit 2 naming the setting (docs/CLI.md): the setting points nowhere.
    assert result.exit_code == 2 and result.error_line().startswith("fel: LOV_DATABASE_URL: ")
    assert not missing.exists()


MEETINGS_PLAN = """
[meetings]
per_year = 1
organizer = "lov-admin"

[[meetings.windows]]
label = "H1"
start = { month = 1, day = 1 }
end = { month = 12, day = 31 }
due = { month = 12, day = 31 }
"""


async def test_a_booked_meeting_is_listed(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """End to end: the contract opens the meeting, `lov meeting schedule` books it, and the
    list shows what the workflow wrote to the records."""
    due = due_soon(local_today())
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    plan = "motesplan"
    (plans_dir / f"{plan}.toml").write_text(plan_toml(plan, due) + MEETINGS_PLAN, "utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="meeting-list",
        default_plan=plan,
        plans_dir=plans_dir,
    ) as env:
        org = random_org_nr()
        wid = f"meeting-{org.replace('-', '')}-{due.year}-H1"
        start = contract_start_args(org, local_today() - timedelta(days=30), email=PROVIDER_EMAIL)
        assert (await run_lov(env, *start)).exit_code == 0

        async def listed(*args: str) -> list[dict[str, Any]]:
            result = await run_lov_on_records(
                url, monkeypatch, "meeting", "list", "--org-nr", org, *args, "--json"
            )
            assert result.exit_code == 0, result.stderr
            found: list[dict[str, Any]] = json.loads(result.stdout)
            return found

        async def opened() -> None:
            assert [m["state"] for m in await listed()] == ["unscheduled"]

        await eventually(opened, timeout=30)
        when = datetime.combine(local_today() + timedelta(days=1), time(10), ZONE)
        extra = [] if when.year == due.year else ["--reason", "Årsskiftet"]
        booked = await run_lov(
            env,
            "meeting",
            "schedule",
            wid,
            "--at",
            when.strftime("%Y-%m-%d %H:%M"),
            "--place",
            "Stadshuset",
            *extra,
        )
        assert booked.exit_code == 0, booked.stderr

        async def scheduled() -> None:
            found = await listed("--plan", plan, "--state", "scheduled")
            assert [(m["meeting_id"], m["place"]) for m in found] == [(wid, "Stadshuset")]
            assert datetime.fromisoformat(found[0]["starts_at"]) == when

        await eventually(scheduled, timeout=30)
        day = when.date().isoformat()
        assert [m["meeting_id"] for m in await listed("--from", day, "--to", day)] == [wid]
