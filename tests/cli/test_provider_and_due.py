"""`lov provider list/show`, `lov due` and `lov contract requirements` against the dev server.

Contracts are started with `lov contract start`, a real worker runs them and writes the records
database (SQLite); the read commands then show what the workflows wrote. Bad input exits 2 with
one exact line; a missing records database exits 1 and is not created.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from models.records.db import upgrade
from models.records.obligations import OccurrenceEvent
from models.runtime.settings import get_settings
from tests.support.cli_runner import Result, cli_env, cli_worker, run_lov, run_lov_process
from tests.support.desk import records
from tests.support.helpers import ReceivedMail, eventually, random_org_nr
from tests.support.past_due import open_past_due

ZONE = ZoneInfo("Europe/Stockholm")
PLAN_ID = "duekommun"
PROVIDER_EMAIL = "kontakt@omsorg.example"
NAMES = ("Omsorg i Norr AB", "Ängsbacka Vård AB")


def plan_toml(due: date) -> str:
    """One annual duty due on `due` (no holiday calendar, so it is not moved)."""
    return f"""
id = "{PLAN_ID}"
name = "Duekommun – Vård och omsorg"
version = "due-1"
time_zone = "Europe/Stockholm"
holiday_calendar = "none"
reminder_offsets_days = [3]
administrator_role = "lov-admin"

[office_hours]
start = 00:00:00
end = 23:59:59
send_at = 09:00:00

[first_occurrence]
rule = "due-after-start"

[prepare_next_year_on]
month = 12
day = 31

[roles.lov-admin]
title = "LOV-administratör"
email = "lov-admin@duekommun.example"

[[escalation]]
level = 1
after_days = 1
kind = "overdue"
title = "Redovisningen har inte kommit in i tid"
notify = ["lov-admin"]

[[obligations]]
key = "annual-report"
title = "Årlig redovisning"
recipient = "lov-admin"

[obligations.schedule]
kind = "annual"
due = {{ month = {due.month}, day = {due.day} }}

[[obligations.fields]]
key = "customers"
title = "Antal kunder"

[[obligations.fields]]
key = "staff_share"
title = "Andel undersköterskor (%)"
type = "percent"
required = false
"""


def local_today() -> date:
    return datetime.now(ZONE).date()


def due_soon(today: date) -> date:
    """Within days, in the follow-up year a contract started today owes (the plan prepares
    the next year on 31 December)."""
    if (today.month, today.day) == (12, 31):
        return today + timedelta(days=10)
    return min(today + timedelta(days=10), date(today.year, 12, 30))


@dataclass
class Desk:
    env: dict[str, str]
    client: Any
    plans_dir: Path
    tmp: Path
    due: date
    start: date

    async def lov(self, *args: str) -> Result:
        return await run_lov(self.env, *args)

    async def json(self, *args: str) -> Any:
        result = await self.lov(*args, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest_asyncio.fixture
async def desk(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Desk]:
    today = local_today()
    due = due_soon(today)
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    (plans_dir / f"{PLAN_ID}.toml").write_text(plan_toml(due), encoding="utf-8")
    async with cli_worker(
        dev_env.client,
        smtp_server,
        tmp_path,
        monkeypatch,
        name="provider-cli",
        default_plan=PLAN_ID,
        plans_dir=plans_dir,
    ) as env:
        # The read commands open the worker's records database (cli_worker makes it here).
        records = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
        monkeypatch.setenv("LOV_DATABASE_URL", records)
        get_settings.cache_clear()
        env = env | {"LOV_DATABASE_URL": records}
        yield Desk(env, dev_env.client, plans_dir, tmp_path, due, today - timedelta(days=30))


@pytest_asyncio.fixture
async def quiet_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[dict[str, str]]:
    """The plan and an empty records database, no server or worker: for refusals."""
    plans_dir = tmp_path / "plans"
    plans_dir.mkdir()
    (plans_dir / f"{PLAN_ID}.toml").write_text(plan_toml(date(2027, 4, 30)), encoding="utf-8")
    records = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(records)
    env = cli_env(
        tmp_path, LOV_PLANS_DIR=str(plans_dir), LOV_DEFAULT_PLAN=PLAN_ID, LOV_DATABASE_URL=records
    )
    for key in [k for k in os.environ if k.startswith("LOV_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("LOV_"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        yield env
    finally:
        get_settings.cache_clear()


async def test_providers_and_due_dates_from_started_contracts(desk: Desk) -> None:
    orgs = [random_org_nr(), random_org_nr()]
    for org, name in zip(orgs, NAMES, strict=True):
        started = await desk.lov(
            "contract", "start", org, "--name", name, "--email", PROVIDER_EMAIL,
            "--start", desk.start.isoformat(),
        )  # fmt: skip
        assert started.exit_code == 0, started.stderr
    month = desk.due.strftime("%Y-%m")
    year = str(desk.due.year)

    async def both_due() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = await desk.json("due", "--month", month)
        assert len(items) == 2, items
        return items

    items = await eventually(both_due, timeout=30)
    # By due date, then provider name.
    assert [(i["org_nr"], i["provider_name"]) for i in items] == list(zip(orgs, NAMES, strict=True))
    assert set(items[0]) == {
        "due", "org_nr", "provider_name", "obligation", "period", "state", "overdue",
        "escalation_level", "nominal_due",
    }  # fmt: skip
    assert items[0]["due"] == desk.due.isoformat() and items[0]["period"] == year
    assert {i["state"] for i in items} <= {"upcoming", "open"}

    text = await desk.lov("due", "--month", month)
    assert text.exit_code == 0, text.stderr
    header, first, second, footer = text.stdout.splitlines()
    assert header.split() == ["Förfallodag", "Utförare", "Orgnr", "Skyldighet", "Period",
                              "Status", "Försenad"]  # fmt: skip
    assert NAMES[0] in first and NAMES[1] in second and "annual-report" in first
    assert footer == f"2 förfaller {desk.due.replace(day=1).isoformat()}–" + footer.split("–")[1]

    # One submission: it is the only one awaiting review, and its provider's page says so.
    submitted = await desk.lov(
        "contract", "submit", orgs[0], "annual-report", year, "--field", "customers=12",
        "--actor", "Anna Admin",
    )  # fmt: skip
    assert submitted.exit_code == 0, submitted.stderr

    async def awaiting() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await desk.json("due", "--month", month, "--awaiting-review")
        assert [(i["org_nr"], i["state"]) for i in found] == [(orgs[0], "submitted")], found
        return found

    await eventually(awaiting, timeout=20)

    listed = await desk.json("provider", "list")
    assert [(p["org_nr"], p["name"], p["plan_id"], p["status"]) for p in listed] == [
        (orgs[0], NAMES[0], PLAN_ID, "active"),
        (orgs[1], NAMES[1], PLAN_ID, "active"),
    ]
    assert set(listed[0]) == {
        "org_nr", "name", "email", "plan_id", "contract_start", "status", "end_date",
    }  # fmt: skip
    assert listed[0]["contract_start"] == desk.start.isoformat()
    assert [p["org_nr"] for p in await desk.json("provider", "list", "--search", "ÄNGS")] == [
        orgs[1]
    ]
    digits = orgs[0].replace("-", "")[2:8]
    assert [p["org_nr"] for p in await desk.json("provider", "list", "--search", digits)] == [
        orgs[0]
    ]
    none = await desk.lov("provider", "list", "--status", "terminated")
    assert (
        none.exit_code == 0
        and none.stdout.strip() == "Inga utförare hittades (no providers found)."
    )
    table = await desk.lov("provider", "list", "--plan", PLAN_ID)
    assert table.exit_code == 0 and table.stdout.splitlines()[-1] == "2 utförare"

    page = await desk.json("provider", "show", orgs[0])
    assert (page["org_nr"], page["name"], page["email"]) == (orgs[0], NAMES[0], PROVIDER_EMAIL)
    assert page["contract"]["plan_id"] == PLAN_ID and page["contract"]["status"] == "active"
    # As recorded for the year: the version and a digest of the plan file.
    assert list(page["contract"]["plan_versions"]) == [year]
    assert page["contract"]["plan_versions"][year].startswith("due-1")
    assert [(d["obligation"], d["title"], d["state"]) for d in page["duties"]] == [
        ("annual-report", "Årlig redovisning", "submitted")
    ]
    assert page["open_escalations"] == [] and page["notes"] == []
    assert page["placements"] == {
        "current": 0, "active": 0, "granted_hours": "0.00", "care_plans_current": 0,
    }  # fmt: skip
    shown = await run_lov_process(desk.env, "provider", "show", orgs[0])  # the real entry point
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith(f"{NAMES[0]} ({orgs[0]}) · kontakt {PROVIDER_EMAIL}")
    for words in ("plan duekommun", "Årlig redovisning", "inlämnad, väntar på granskning"):
        assert words in shown.stdout, shown.stdout


async def test_overdue_shows_only_what_is_late(desk: Desk) -> None:
    org = random_org_nr()
    started = await desk.lov(
        "contract", "start", org, "--name", NAMES[1], "--email", PROVIDER_EMAIL,
        "--start", desk.start.isoformat(),
    )  # fmt: skip
    assert started.exit_code == 0, started.stderr
    # An occurrence that fell due two days ago: it goes overdue as soon as it starts.
    await open_past_due(
        desk.client,
        desk.env["LOV_TEMPORAL_TASK_QUEUE"],
        desk.plans_dir,
        plan_id=PLAN_ID,
        org_nr=org,
        contract_start=desk.start,
        year=desk.due.year,
        days_ago=2,
    )
    window = (
        "--from",
        (local_today() - timedelta(days=5)).isoformat(),
        "--to",
        desk.due.isoformat(),
    )

    async def late() -> list[dict[str, Any]]:
        everything = await desk.json("due", *window)
        assert len(everything) == 2, everything
        found: list[dict[str, Any]] = await desk.json("due", *window, "--overdue")
        assert [(i["org_nr"], i["overdue"]) for i in found] == [(org, True)], found
        return found

    (item,) = await eventually(late, timeout=30)
    assert item["period"].endswith("-X") and item["state"] == "open"

    page = await desk.json("provider", "show", org)
    assert [d["overdue"] for d in page["duties"]] == [True, False]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("due", "--month", "2027-13"),
            "fel: --month: inte en månad ÅÅÅÅ-MM (not a month), fick '2027-13'",
        ),
        (
            ("due", "--month", "2027-04", "--from", "2027-04-01"),
            "fel: --from: kan inte kombineras med --month (give --month or --from/--to)",
        ),
        (
            ("due", "--from", "2027-04-05", "--to", "2027-04-01"),
            "fel: --from: 2027-04-05 är efter --to 2027-04-01 (--from is after --to)",
        ),
        (
            ("due", "--from", "2027-02-30", "--to", "2027-03-01"),
            "fel: --from: inte ett datum ÅÅÅÅ-MM-DD (not a date), fick '2027-02-30'",
        ),
        (
            ("due", "--to", "2027-03-01"),
            "fel: --from: krävs tillsammans med --from/--to (both are required)",
        ),
        (
            ("due", "--overdue", "--awaiting-review"),
            "fel: --awaiting-review: kan inte kombineras med --overdue (an item awaiting review "
            "is not overdue)",
        ),
        (("provider", "show", "556677-8890"), "fel: org_nr: '556677-8890' has a wrong check digit"),
        (
            ("provider", "show", "556036-0793"),
            "fel: org_nr: ingen utförare 556036-0793 i registret (no such provider in the records)",
        ),
        (
            ("provider", "list", "--status", "open"),
            "fel: --status: okänd status 'open' (unknown); välj active, terminating, terminated",
        ),
        (
            ("contract", "requirements", "annual-reprot"),
            "fel: obligation: 'annual-reprot' är ingen skyldighet i planen duekommun (not an "
            "obligation of the plan); finns: annual-report",
        ),
    ],
)
async def test_bad_input_exits_2_with_one_line(
    quiet_desk: dict[str, str], args: tuple[str, ...], line: str
) -> None:
    result = await run_lov(quiet_desk, *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.error_line() == line
    assert result.stdout == ""


async def test_requirements_lists_fields_and_units(desk: Desk) -> None:
    needs = await desk.json("contract", "requirements", "annual-report")
    assert (needs["plan_id"], needs["plan_version"], needs["title"]) == (
        PLAN_ID, "due-1", "Årlig redovisning",
    )  # fmt: skip
    assert [(f["key"], f["type"], f["unit"], f["required"]) for f in needs["fields"]] == [
        ("customers", "count", "antal", True),
        ("staff_share", "percent", "procent", False),
    ]
    assert needs["documents"] == []
    text = await desk.lov("contract", "requirements", "annual-report")
    assert text.exit_code == 0, text.stderr
    assert "customers" in text.stdout and "tal från 0 till 100" in text.stdout


async def test_a_missing_records_database_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "records.db"
    env = cli_env(tmp_path, LOV_DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    result = await run_lov_process(env, "due", "--month", "2027-04")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.error_line().startswith(f"fel: LOV_DATABASE_URL: ingen databas {missing}")
    assert not missing.exists() and not missing.parent.exists()


async def test_show_lists_each_submission_s_documents_with_their_sha256(
    quiet_desk: dict[str, str],
) -> None:
    """A submission sent in the portal (a provider contact as the actor, an uploaded PDF) is
    shown like any other, each document by its file name and SHA-256 (the document store's
    key), in the text and in --json."""
    org, at = random_org_nr(), datetime.now(ZONE)
    today = at.date()
    wid = f"obligation-{org}-annual-report-{today.year}"
    digest = hashlib.sha256(b"%PDF-1.7 avvikelser").hexdigest()
    documents = [
        {"name": "deviation-analysis", "path": "avvikelser.pdf", "sha256": digest, "size": 19}
    ]
    async with records(quiet_desk["LOV_DATABASE_URL"]) as store:
        await store.upsert_provider(org, NAMES[0], PROVIDER_EMAIL, at)
        await store.record_contract(f"contract-{org}", org, PLAN_ID, today, at)
        await store.upsert_occurrence(
            wid, org, "annual-report", str(today.year), today, today, "lov-admin", "submitted",
            False, 0, at,
        )  # fmt: skip
        event = OccurrenceEvent("portal-1", wid, org, "annual-report", str(today.year))
        await store.record_submission(event, {"customers": 12}, documents, PROVIDER_EMAIL, at)
    page = await run_lov(quiet_desk, "provider", "show", org)
    assert page.exit_code == 0, page.stderr
    assert f"Årlig redovisning {today.year} · " in page.stdout
    assert f"av {PROVIDER_EMAIL}" in page.stdout
    assert f"deviation-analysis: avvikelser.pdf · 19 byte · sha256 {digest}" in page.stdout
    shown = await run_lov(quiet_desk, "provider", "show", org, "--json")
    assert shown.exit_code == 0, shown.stderr
    (duty,) = json.loads(shown.stdout)["duties"]
    (submission,) = duty["submissions"]
    assert submission["actor"] == PROVIDER_EMAIL
    assert submission["documents"] == [
        {
            "key": "deviation-analysis",
            "title": "deviation-analysis",
            "filename": "avvikelser.pdf",
            "size": 19,
            "sha256": digest,
        }
    ]
