"""Sole traders (enskild firma), whose org nr is the owner's personnummer, are named in workflow
ids and the LovOrgNr search attribute by an opaque keyed hash, never by the personnummer; a
company keeps its org nr there exactly as before (models.domain.provider_id, docs/IDENTIFIERS.md).

Against the real dev server (visibility, search attributes), a real worker, SQLite and a real
SMTP server."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from models.domain.provider_id import (
    KEY_FILE,
    SETTING,
    ProviderIdError,
    ProviderIds,
    ensure_key_file,
    is_personal,
    is_ref,
    new_key,
    parse_key,
)
from models.ids import (
    application_workflow_id,
    case_id_for,
    contract_workflow_id,
    meeting_workflow_id,
    obligation_workflow_id,
    parse_application_id,
    parse_case_id,
    rotation_workflow_id,
)
from models.plans.loader import load_plan
from models.records.db import upgrade
from models.runtime import search_attributes as sa
from models.runtime.settings import PROJECT_ROOT, Settings, get_settings
from tests.support.cli_args import (
    application_submit_args,
    contract_start_args,
    placement_start_args,
)
from tests.support.cli_runner import Result, WorkerFor, cli_env, run_lov, run_lov_process
from tests.support.helpers import ReceivedMail, eventually, personal_org_nr, random_org_nr
from tests.support.past_due import open_past_due
from tests.support.plans import always_open_plans

ZONE = ZoneInfo("Europe/Stockholm")
KEY = new_key()
EMAIL = "kontakt@enskild.example"
NAME = "Hemtjänst Svensson"
SKALLKRAV = [k.key for k in load_plan("sundsvall", PROJECT_ROOT / "plans").skallkrav]


def leaks(text: str, org_nr: str) -> list[str]:
    """The parts of a personnummer found in `text`: all ten digits, or the birth date."""
    digits = org_nr.replace("-", "")
    return [part for part in (digits, org_nr, digits[:6]) if part in text]


# --- the rule itself ----------------------------------------------------------------------------


def test_which_org_nrs_are_personnummer_shaped() -> None:
    assert is_personal(personal_org_nr()) and is_personal(personal_org_nr(coordination=True))
    assert is_personal("121212-1212")
    for company in ("556036-0793", "802474-1892", "212000-1355", random_org_nr()):
        assert not is_personal(company), company


def test_a_sole_traders_key_is_opaque_stable_and_needs_the_secret() -> None:
    org = personal_org_nr()
    ids = ProviderIds(parse_key(KEY))
    ref = ids.ref(org)
    assert ref is not None and is_ref(ref) and not leaks(ref, org)
    assert ids.ref(org.replace("-", "")) == ref  # the normalised org nr: same key either way
    assert ProviderIds(parse_key(new_key())).ref(org) != ref  # not a plain hash
    assert ids.ref("556036-0793") is None  # a company keeps its org nr
    assert KEY not in repr(ids)
    with pytest.raises(ProviderIdError, match=f"^{SETTING}: "):
        ProviderIds().ref(org)
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ProviderIdError, match=f"^{SETTING}: ") as err:
            parse_key(bad)
        assert bad not in str(err.value)


def test_company_ids_are_exactly_as_before() -> None:
    assert contract_workflow_id("556036-0793") == "contract-5560360793"
    assert obligation_workflow_id("556036-0793", "self-inspection", "2027-T1") == (
        "obligation-5560360793-self-inspection-2027-T1"
    )
    assert meeting_workflow_id("556036-0793", "2027-H1") == "meeting-5560360793-2027-H1"
    assert application_workflow_id("556036-0793", 3) == "application-5560360793-3"
    assert case_id_for("556036-0793", 2027, 1) == "5560360793-2027-001"


def test_a_sole_traders_application_and_case_ids_parse() -> None:
    ref = ProviderIds(parse_key(KEY)).ref(personal_org_nr())
    assert ref is not None
    wid = application_workflow_id("121212-1212", 2, ref)
    assert wid == f"application-{ref}-2" and parse_application_id(wid) == (ref, 2)
    case = case_id_for("121212-1212", 2027, 1, ref)
    assert parse_case_id(f"recovery-{case}") == case == f"{ref}-2027-001"


def test_serve_makes_the_key_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    assert ProviderIds.from_settings(settings).key is None
    path = ensure_key_file(settings)
    assert path == tmp_path / "var" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert ensure_key_file(settings) == path and path.read_text() == first
    assert ProviderIds.from_settings(settings).key == parse_key(first)
    # A configured key wins; no file is made for it.
    configured = Settings(var_dir=tmp_path / "other", provider_id_key=KEY)
    assert ensure_key_file(configured) is None and not (tmp_path / "other").exists()
    assert ProviderIds.from_settings(configured).key == parse_key(KEY)


# --- on the dev server --------------------------------------------------------------------------


@dataclass
class Lov:
    client: Client
    smtp: ReceivedMail
    env: dict[str, str]
    tmp: Path
    outputs: list[Result]

    async def cli(self, *args: str) -> Result:
        result = await run_lov(self.env, *args)
        self.outputs.append(result)
        return result

    async def process(self, env: dict[str, str], *args: str) -> Result:
        result = await run_lov_process(env, *args)
        self.outputs.append(result)
        return result


@pytest_asyncio.fixture
async def lov(
    dev_env: WorkflowEnvironment,
    smtp_server: ReceivedMail,
    tmp_path: Path,
    worker_for: WorkerFor,
) -> AsyncIterator[Lov]:
    # Open every hour (tests.support.plans): mail is not held for the morning at night.
    plans_dir = always_open_plans(tmp_path / "plans")
    async with worker_for(
        name="provider-ids", default_plan="sundsvall", provider_id_key=KEY, plans_dir=plans_dir
    ) as env:
        yield Lov(dev_env.client, smtp_server, env, tmp_path, [])


async def _engine_metadata(client: Client, task_queue: str) -> dict[str, Any]:
    """Workflow id → LovOrgNr of every workflow on the worker's task queue."""
    return {
        wf.id: wf.typed_search_attributes.get(sa.ORG_NR)
        async for wf in client.list_workflows(f"TaskQueue = '{task_queue}'")
    }


def _start_args(org: str) -> list[str]:
    # Next year: its obligations (and meetings) are opened at once.
    start = date(datetime.now(ZONE).year + 1, 1, 1)
    return contract_start_args(org, start, name=NAME, email=EMAIL)


async def _submit(lov: Lov, org: str) -> Result:
    return await lov.cli(*application_submit_args(org, name=NAME, email=EMAIL))


async def test_a_sole_trader_is_named_by_its_key_and_a_company_by_its_org_nr(lov: Lov) -> None:
    person, company = personal_org_nr(), random_org_nr()
    ref = ProviderIds(parse_key(KEY)).ref(person)
    assert ref is not None

    started = await lov.cli(*_start_args(person))
    assert started.exit_code == 0, started.stderr
    assert f"contract-{ref}" in started.stdout
    assert (await lov.cli(*_start_args(company))).exit_code == 0

    queue = lov.env["LOV_TEMPORAL_TASK_QUEUE"]

    async def opened() -> dict[str, Any]:
        found = await _engine_metadata(lov.client, queue)
        # Both contracts and each one's year of obligations, with their search attributes.
        for part in (ref, company.replace("-", "")):
            assert f"contract-{part}" in found, found
            assert any(w.startswith(f"obligation-{part}-") for w in found), found
        assert f"meeting-{ref}-{datetime.now(ZONE).year + 1}-H1" in found, found
        assert None not in found.values(), found
        return found

    found = await eventually(opened, timeout=30)
    for wid, value in found.items():
        assert not leaks(wid, person) and not leaks(str(value), person), (wid, value)
    digits = company.replace("-", "")
    assert found[f"contract-{digits}"] == company  # exactly as before
    assert found[f"contract-{ref}"] == ref
    next_year = datetime.now(ZONE).year + 1
    assert found[f"meeting-{ref}-{next_year}-H1"] == ref
    meeting = await lov.cli("meeting", "status", person, "--year", str(next_year), "--window", "H1")
    assert meeting.exit_code == 0, meeting.stderr
    theirs = {w: v for w, v in found.items() if ref in w}
    assert any(w.startswith(f"obligation-{ref}-") for w in theirs)
    assert set(theirs.values()) == {ref}
    assert all(v == company for w, v in found.items() if w.startswith(f"obligation-{digits}-"))

    # The org nr still finds the contract, and names it in what the administrator sees.
    status = await lov.cli("contract", "status", person, "--json")
    assert status.exit_code == 0, status.stderr
    assert f'"workflow_id": "contract-{ref}"' in status.stdout and person in status.stdout

    # Through the key `lov serve` keeps under var/ when none is configured.
    var_dir = lov.tmp / "served-var"
    var_dir.mkdir()
    (var_dir / KEY_FILE).write_text(KEY + "\n")
    env = {k: v for k, v in lov.env.items() if k != SETTING} | {"LOV_VAR_DIR": str(var_dir)}
    by_file = await lov.process(env, "contract", "status", person)
    assert by_file.exit_code == 0, by_file.stderr
    assert f"contract-{ref}" in by_file.stdout

    # A recovery case (återkrav) is numbered under the key too, and its notice's subject (which
    # names the case) carries no personnummer.
    recovery = await lov.cli(
        "recovery", "start", person, "--line", "2027-03,K-1042,12.5,10,385.50", "--actor", "A"
    )
    assert recovery.exit_code == 0, recovery.stderr
    case_id = recovery.stdout.splitlines()[0].split(": ")[1].split(" ")[0]
    assert case_id.startswith(f"{ref}-") and case_id.endswith("-001"), case_id
    shown = await lov.cli("recovery", "status", case_id)
    assert shown.exit_code == 0, shown.stderr

    async def noticed() -> dict[str, Any]:
        found = await _engine_metadata(lov.client, queue)
        assert found.get(f"recovery-{case_id}") == ref, found
        return found

    for wid, value in (await eventually(noticed)).items():
        assert not leaks(wid, person) and not leaks(str(value), person), (wid, value)
    await lov.smtp.wait_for(1)
    for message in lov.smtp.messages:
        assert not leaks(str(message["Subject"]), person), message["Subject"]

    for result in lov.outputs:
        assert KEY not in result.stdout + result.stderr


async def test_a_sole_traders_application_and_its_mail_carry_no_personnummer(lov: Lov) -> None:
    person = personal_org_nr(coordination=True)
    ref = ProviderIds(parse_key(KEY)).ref(person)
    submitted = await _submit(lov, person)
    assert submitted.exit_code == 0, submitted.stderr
    wid = f"application-{ref}-1"
    assert wid in submitted.stdout

    async def listed() -> Any:
        found = await _engine_metadata(lov.client, lov.env["LOV_TEMPORAL_TASK_QUEUE"])
        assert found.get(wid) == ref, found
        return found

    found = await eventually(listed)
    assert not any(leaks(w, person) or leaks(str(v), person) for w, v in found.items())
    status = await lov.cli("application", "status", person, "--json")
    assert status.exit_code == 0 and wid in status.stdout, status.stderr

    await lov.smtp.wait_for(2)
    for message in lov.smtp.messages:
        for header in ("Subject", "Message-ID"):
            assert not leaks(str(message[header]), person), (header, message[header])
    for result in lov.outputs:
        assert KEY not in result.stdout + result.stderr


async def test_without_the_key_a_sole_trader_is_refused_and_nothing_starts(
    lov: Lov, tmp_path: Path
) -> None:
    person = personal_org_nr()
    env = {k: v for k, v in lov.env.items() if k != SETTING}
    env["LOV_VAR_DIR"] = str(tmp_path / "empty-var")
    for args in (
        _start_args(person),
        ["contract", "status", person],
        ["application", "submit", person, "--name", "X", "--email", EMAIL]
        + ["--service", "omvårdnad", "--area", "Centrum", "--actor", "A"],
    ):
        refused = await lov.process(env, *args)
        assert refused.exit_code == 2, (args, refused.stdout, refused.stderr)
        assert SETTING in refused.error_line(), refused.stderr
    digits = person.replace("-", "")
    for wid in (f"contract-{digits}", f"application-{digits}-1"):
        with pytest.raises(RPCError):
            await lov.client.get_workflow_handle(wid).describe()
    assert not await _engine_metadata_for(lov, digits)
    # A company needs no key.
    company = await lov.process(env, *_start_args(random_org_nr()))
    assert company.exit_code == 0, company.stderr


async def _engine_metadata_for(lov: Lov, digits: str) -> list[str]:
    found = await _engine_metadata(lov.client, lov.env["LOV_TEMPORAL_TASK_QUEUE"])
    return [w for w in found if digits in w]


async def test_an_approved_sole_trader_gets_its_contract_and_placements_by_key(
    lov: Lov,
) -> None:
    """Approval starts the contract from an activity (the worker's key), and a placement with
    the sole trader names it by that key in LovOrgNr (the assign activity adds it)."""
    person = personal_org_nr()
    ref = ProviderIds(parse_key(KEY)).ref(person)
    wid = f"application-{ref}-1"
    # One rotation workflow per plan on the shared dev server: approval puts the provider on a
    # fresh one, served by this test's worker.
    rotation = lov.client.get_workflow_handle(rotation_workflow_id("sundsvall"))
    try:
        await rotation.terminate(reason="test: a fresh rotation list")
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    assert (await _submit(lov, person)).exit_code == 0
    today = datetime.now(ZONE).date()

    async def registered() -> None:
        shown = await lov.cli("application", "status", wid, "--json")
        assert shown.exit_code == 0 and '"registered": true' in shown.stdout, shown.stderr

    await eventually(registered, timeout=20)
    for key in SKALLKRAV:
        assessed = await lov.cli("application", "assess", wid, key, "--met", "--actor", "Bo")
        assert assessed.exit_code == 0, assessed.stderr
    start = (today + timedelta(days=1)).isoformat()
    decided = await lov.cli(
        "application", "decide", wid, "--approve", "--start", start, "--actor", "Chef"
    )
    assert decided.exit_code == 0, decided.stderr
    assert f"contract-{ref}" in decided.stdout and not leaks(decided.stdout, person)
    status = await lov.cli("contract", "status", person, "--json")
    assert status.exit_code == 0, status.stderr

    started = await lov.cli(
        *placement_start_args(
            "DNR-2031-0077",
            **{
                "--hours": "10",
                "--decision-date": today.isoformat(),
                "--start": (today + timedelta(days=3)).isoformat(),
            },
        )
    )
    assert started.exit_code == 0, started.stderr
    placement = started.stdout.split(": ")[1].split(" ")[0]
    chosen = await lov.cli("placement", "choose", placement, "--rotation", "--actor", "HL")
    assert chosen.exit_code == 0, chosen.stderr

    async def assigned() -> None:
        desc = await lov.client.get_workflow_handle(placement).describe()
        assert desc.typed_search_attributes.get(sa.ORG_NR) == ref

    await eventually(assigned, timeout=20)
    found = await _engine_metadata(lov.client, lov.env["LOV_TEMPORAL_TASK_QUEUE"])
    assert not any(leaks(w, person) or leaks(str(v), person) for w, v in found.items())
    for message in lov.smtp.messages:
        assert not leaks(str(message["Subject"]), person), message["Subject"]


async def test_a_worker_with_a_damaged_key_refuses_to_start(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(db)
    damaged = "bm90IGEga2V5"  # base64 of 9 bytes: not a key
    env = cli_env(tmp_path, LOV_DATABASE_URL=db, LOV_PROVIDER_ID_KEY=damaged)
    # Nothing listens here: the key is checked before Temporal is contacted.
    env["LOV_TEMPORAL_ADDRESS"] = "127.0.0.1:9"
    done = subprocess.run(
        [sys.executable, "worker.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{SETTING}: "), done.stderr
    assert damaged not in done.stdout + done.stderr


def test_simulate_runs_a_sole_trader_with_a_throw_away_key(tmp_path: Path) -> None:
    person = "121212-1212"
    scenario = tmp_path / "sole-trader.toml"
    scenario.write_text(
        f"""
plan = "sundsvall"
start = 2031-01-01
until = 2031-04-30

[[providers]]
org_nr = "{person}"
name = "Hemtjänst Svensson"
email = "{EMAIL}"
contract_start = 2031-01-01

[[events]]
on = 2031-04-15
provider = "{person}"
action = "submit"
obligation = "self-inspection"
period = "2031-T1"
documents = ["self-inspection-report"]
fields = {{ customers = 4, current_care_plans = 4, customer_participation = 4, \
plans_within_14_days = 4 }}

[[events]]
on = 2031-04-17
provider = "{person}"
action = "accept"
obligation = "self-inspection"
period = "2031-T1"
"""
    )
    env = cli_env(tmp_path, LOV_VAR_DIR=str(tmp_path / "var"))  # no key configured anywhere
    done = subprocess.run(
        [sys.executable, "-m", "starter", "simulate", str(scenario), "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert not [line for line in lines if line["type"] == "error"], lines
    kinds = {line.get("kind") for line in lines if line["type"] == "email"}
    assert {"reminder", "receipt", "accepted"} <= kinds, kinds
    assert all(not leaks(str(line.get("subject", "")), person) for line in lines)
    assert not (tmp_path / "var").exists()  # the throw-away key is not kept


async def test_overdue_names_a_sole_trader_by_its_org_nr_and_a_company_as_before(
    lov: Lov, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lov overdue` reads LovOrgNr, which holds a sole trader's key: the administrator sees
    the org nr the records hold for the workflow instead; a company's row is as it was."""
    person, company = personal_org_nr(), random_org_nr()
    ref = ProviderIds(parse_key(KEY)).ref(person)
    assert ref is not None
    # The CLI reads the records database the worker writes.
    _use_records(lov, monkeypatch, f"sqlite+aiosqlite:///{lov.tmp / 'records.db'}")
    start = date(datetime.now(ZONE).year + 1, 1, 1)
    late: dict[str, str] = {}
    for org, key in ((person, ref), (company, None)):
        assert (await lov.cli(*_start_args(org))).exit_code == 0
        (late[org],) = await open_past_due(
            lov.client,
            lov.env["LOV_TEMPORAL_TASK_QUEUE"],
            PROJECT_ROOT / "plans",
            plan_id="sundsvall",
            org_nr=org,
            contract_start=start,
            year=start.year,
            days_ago=3,
            ref=key,
            obligations={"annual-accounts"},
        )
    assert late[person].startswith(f"obligation-{ref}-")

    async def listed() -> dict[str, dict[str, Any]]:
        result = await lov.cli("overdue", "--json")
        assert result.exit_code == 0, result.stderr
        # The shared dev server also holds other tests' workflows: look at ours.
        mine = {i["workflow_id"]: i for i in json.loads(result.stdout)}
        assert set(late.values()) <= set(mine), mine.keys()
        return mine

    items = await eventually(listed, timeout=30)
    assert items[late[person]]["org_nr"] == person
    assert items[late[company]]["org_nr"] == company
    assert all(items[w]["days_overdue"] == 3 for w in late.values())

    table = await lov.cli("overdue")
    assert table.exit_code == 0 and not table.stderr, table.stderr
    rows = {line.split()[0]: line for line in table.stdout.splitlines()[1:-1]}
    assert person in rows and company in rows and ref not in table.stdout
    assert rows[company].startswith(f"{company:<12} annual-accounts ")  # as before
    assert rows[person].startswith(f"{person:<12} annual-accounts ")
    assert rows[person].split()[1:4] == rows[company].split()[1:4]  # obligation, period, due

    # Records that do not know the workflow (another database): the key still names the row.
    other = f"sqlite+aiosqlite:///{lov.tmp / 'other.db'}"
    await upgrade(other)
    unknown = await _overdue_with_records(lov, monkeypatch, other)
    assert unknown.exit_code == 0 and not unknown.stderr, unknown.stderr
    keyed = {i["workflow_id"]: i for i in json.loads(unknown.stdout)}
    assert keyed[late[person]]["org_nr"] == ref and keyed[late[company]]["org_nr"] == company
    # Records that cannot be read (no tables): the same list, and one line saying why.
    (lov.tmp / "empty.db").touch()
    broken = await _overdue_with_records(
        lov, monkeypatch, f"sqlite+aiosqlite:///{lov.tmp / 'empty.db'}"
    )
    assert broken.exit_code == 0, broken.stderr
    assert broken.error_line().startswith("registret: "), broken.stderr
    assert ref in broken.stdout and company in broken.stdout
    assert "no such table" in broken.stderr and "SELECT" not in broken.stderr
    # No records database at all: the same, naming the setting, and no empty file is left.
    missing = lov.tmp / "missing.db"
    absent = await _overdue_with_records(lov, monkeypatch, f"sqlite+aiosqlite:///{missing}")
    assert absent.exit_code == 0 and ref in absent.stdout, absent.stderr
    assert absent.error_line().startswith("registret: "), absent.stderr
    assert f"LOV_DATABASE_URL: ingen databas {missing}" in absent.stderr
    assert not missing.exists()


def _use_records(lov: Lov, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    lov.env["LOV_DATABASE_URL"] = url
    monkeypatch.setenv("LOV_DATABASE_URL", url)
    get_settings.cache_clear()


async def _overdue_with_records(lov: Lov, monkeypatch: pytest.MonkeyPatch, url: str) -> Result:
    _use_records(lov, monkeypatch, url)
    return await lov.cli("overdue", "--json")
