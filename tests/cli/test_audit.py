"""`lov audit` and `lov overdue` on the real dev server, with real workflows, SQLite and SMTP.

The obligations of the "late" plan fell due two days ago, so their workflows go overdue and
escalate as soon as they open; the "testkommun" plan's fall due in ten days.
"""

from __future__ import annotations

import getpass
import json
import socket
import sqlite3
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType

from models.domain.audit import Verified, verify_export
from models.domain.audit_signing import new_key_pair, public_keys
from models.runtime.settings import Settings, get_settings
from tests.support.cli_runner import Result, run_lov
from tests.support.contract_cli import Lov
from tests.support.helpers import eventually, random_org_nr
from tests.support.past_due import open_past_due
from tests.support.plans import PLAN_ID, PROVIDER_EMAIL, local_today

UPDATE_ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
SIGNING_KEY, SIGNING_PUBLIC = new_key_pair()
KEY_ID = "2031-01"


async def invoke(cli: Lov, *args: str) -> Result:
    return await run_lov(cli.env, *args)


@pytest.fixture
def with_records(lov: Lov, monkeypatch: pytest.MonkeyPatch) -> Lov:
    """The CLI reads the same records database as the worker, and seals exports."""
    url = f"sqlite+aiosqlite:///{lov.tmp / 'records.db'}"
    values = {
        "LOV_DATABASE_URL": url,
        "LOV_AUDIT_SIGNING_KEY": SIGNING_KEY,
        "LOV_AUDIT_SIGNING_KEY_ID": KEY_ID,
    }
    for name, value in values.items():
        lov.env[name] = value
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return lov


async def test_audit_timeline_agrees_with_history_and_names_the_actors(
    with_records: Lov,
) -> None:
    s = with_records
    org = random_org_nr()
    await s.start(org)
    assert (await s.cli(*s.submit_args(org))).exit_code == 0
    accepted = await s.cli(
        "review", org, "annual-report", s.year, "--accept", "--actor", "Bo Granskare"
    )
    assert accepted.exit_code == 0, accepted.stderr
    waived = await s.cli(
        "waive", org, "annual-accounts", s.year, "--reason", "Nystartat", "--actor", "Cecilia"
    )
    assert waived.exit_code == 0, waived.stderr
    await s.smtp.wait_for(3)

    async def complete() -> Result:
        result = await invoke(s, "audit", org, "--json")
        assert result.exit_code == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        kinds = [(x.get("source"), x.get("type")) for x in lines if x["line"] == "entry"]
        assert ("email", "waived") in kinds, kinds
        return result

    result = await eventually(complete, timeout=20)
    keys = public_keys(Settings(audit_public_keys={KEY_ID: SIGNING_PUBLIC}))
    assert verify_export(result.stdout, keys) == Verified(
        org, len(result.stdout.splitlines()) - 2, KEY_ID
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    header, entries = lines[0], [x for x in lines if x["line"] == "entry"]
    # Records and Temporal's histories hold the same steps.
    agreement = header["agreement"]
    assert agreement["agrees"] is True, agreement
    assert (
        agreement["events"] >= 5 and agreement["emails"] == 4 and agreement["workflows"] == 3
    )  # with the welcome

    steps = [(e["type"], e.get("obligation"), e["actor"]) for e in entries]
    admin = [s for s in steps if s[2] != "system"]
    assert admin == [
        # `lov contract start` without --actor: the OS user started it.
        ("contract-started", None, getpass.getuser()),
        ("submitted", "annual-report", "Anna Admin"),
        ("accepted", "annual-report", "Bo Granskare"),
        ("waived", "annual-accounts", "Cecilia"),
    ]
    order = [e["type"] for e in entries]
    # The workflow mails the receipt before it reports the submission done.
    assert order[0] == "contract-started" and order.index("opened") < order.index("receipt")
    assert order.index("receipt") < order.index("submitted") < order.index("accepted")
    assert all(e["at"] <= f["at"] for e, f in zip(entries, entries[1:], strict=False))
    receipt = next(e for e in entries if e["type"] == "receipt")
    assert PROVIDER_EMAIL in receipt["to"] and receipt["status"] == "sent"

    # The acting user is in the history too: in the Update's arguments, and Temporal records
    # the CLI's identity (OS user and host) as the caller.
    handle = s.client.get_workflow_handle(
        f"obligation-{org.replace('-', '')}-annual-report-{s.year}"
    )
    history = await handle.fetch_history()
    updates = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request
        for e in history.events
        if e.event_type == UPDATE_ACCEPTED
    ]
    assert len(updates) == 2
    for request, actor in zip(updates, ("Anna Admin", "Bo Granskare"), strict=True):
        assert request.meta.identity.startswith("lov-cli ")
        assert actor.encode() in request.input.args.payloads[0].data

    # Next to each claimed actor, the OS user and host that ran the CLI (this test process).
    caller = f"{getpass.getuser()}@{socket.gethostname()}"
    assert {e["caller"] for e in entries if e["actor"] in ("Bo Granskare", "Cecilia")} == {caller}
    text = await invoke(s, "audit", org, "--from", (local_today()).isoformat())
    assert text.exit_code == 0, text.stderr
    assert f"av Bo Granskare (OS-användare {caller})" in text.stdout
    assert "stämmer överens" in text.stdout
    as_csv = await invoke(s, "audit", org, "--csv", "--records-only")
    assert as_csv.exit_code == 0 and as_csv.stdout.splitlines()[0].startswith("at,type,source")
    assert len(as_csv.stdout.splitlines()) == len(entries) + 1
    future = (local_today() + timedelta(days=400)).isoformat()
    empty = await invoke(s, "audit", org, "--from", future, "--records-only")
    assert "Inget registrerat" in empty.stdout


async def test_audit_includes_recoveries_and_agrees_with_their_histories(
    with_records: Lov,
) -> None:
    s = with_records
    org = random_org_nr()
    await s.start(org)
    started = await invoke(
        s,
        "recovery",
        "start",
        org,
        "--line",
        "2027-03,K-1042,12.5,10,385.50",
        "--actor",
        "Dora Ekonom",
    )
    assert started.exit_code == 0, started.stderr
    case = started.stdout.splitlines()[0].split(": ")[1].split(" ")[0]

    async def recorded() -> list[dict[str, object]]:
        result = await invoke(s, "audit", org, "--json")
        assert result.exit_code == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        entries = [x for x in lines if x["line"] == "entry"]
        assert any(e["type"] == "recovery-notice" for e in entries), entries
        assert lines[0]["agreement"]["agrees"] is True, lines[0]["agreement"]
        return entries

    entries = await eventually(recorded, timeout=20)
    started_steps = [e for e in entries if e["type"] == "recovery-noticed"]
    assert [(e["actor"], e["workflow_id"]) for e in started_steps] == [
        ("Dora Ekonom", f"recovery-{case}")
    ]
    assert started_steps[0]["details"]["amount"] == "963,75 kr"


async def test_audit_reports_workflows_the_records_lost(with_records: Lov) -> None:
    """Records that lost a provider's obligations do not "agree": Temporal's visibility still
    lists those workflows, and their histories hold the steps the records no longer have."""
    s = with_records
    org = random_org_nr()
    await s.start(org)
    digits = org.replace("-", "")
    obligations = sorted(
        f"obligation-{digits}-{k}-{s.year}" for k in ("annual-accounts", "annual-report")
    )

    async def agreed() -> None:
        result = await invoke(s, "audit", org, "--json")
        assert result.exit_code == 0, result.stderr
        agreement = json.loads(result.stdout.splitlines()[0])["agreement"]
        assert agreement["visibility"] is True and agreement["workflows"] == 3, agreement
        assert agreement["agrees"] is True and agreement["events"] >= 3, agreement

    await eventually(agreed, timeout=20)

    # The records lose everything the obligation workflows wrote (a restore from an old backup,
    # a careless DELETE): nothing in them names those workflows any more.
    with sqlite3.connect(s.tmp / "records.db") as db:
        for table in ("audit_events", "notifications"):
            db.execute(f"DELETE FROM {table} WHERE workflow_id LIKE 'obligation-%'")
    text = await invoke(s, "audit", org)
    assert text.exit_code == 1, text.stdout
    assert "stämmer överens" not in text.stdout
    line = text.error_line()
    assert "arbetsflöden saknas i registret (workflows missing from the records)" in line
    assert all(w in line for w in obligations), line
    assert "0 bara i registret" in line and "bara i historiken" in line

    exported = await invoke(s, "audit", org, "--json")
    assert exported.exit_code == 1
    agreement = json.loads(exported.stdout.splitlines()[0])["agreement"]
    assert agreement["agrees"] is False
    assert agreement["unrecorded_workflows"] == obligations
    assert all(k.startswith("obligation-") for k in agreement["only_in_history"]), agreement


async def test_audit_refuses_bad_input(with_records: Lov) -> None:
    s = with_records
    cases = [
        (("audit", "556036-0794"), "org_nr:"),
        (("audit", "556036-0793", "--from", "2031-13-01"), "--from:"),
        (("audit", "556036-0793", "--from", "2031-02-01", "--to", "2031-01-01"), "--to:"),
        (("audit", "556036-0793", "--json", "--csv"), "--json/--csv"),
    ]
    for args, field in cases:
        result = await invoke(s, *args)
        assert result.exit_code == 2, (args, result)
        assert field in result.error_line()


async def test_overdue_lists_exactly_the_overdue_items(with_records: Lov) -> None:
    s = with_records
    late, on_time = random_org_nr(), random_org_nr()
    await s.start(late)
    await s.start(on_time)
    expected = set(
        await open_past_due(
            s.client,
            s.env["LOV_TEMPORAL_TASK_QUEUE"],
            s.tmp / "plans",
            plan_id=PLAN_ID,
            org_nr=late,
            contract_start=s.contract_start,
            year=s.due.year,
            days_ago=3,
        )
    )
    assert len(expected) == 2

    async def listed(ids: set[str]) -> list[dict[str, object]]:
        result = await invoke(s, "overdue", "--json")
        assert result.exit_code == 0, result.stderr
        # The shared dev server also holds other tests' workflows: look at ours.
        mine = [i for i in json.loads(result.stdout) if i["org_nr"] in (late, on_time)]
        assert {i["workflow_id"] for i in mine} == ids, mine
        assert all(i["escalation_level"] == 1 for i in mine), mine
        return mine

    items = await eventually(lambda: listed(expected), timeout=30)
    past = local_today() - timedelta(days=3)
    for item in items:
        assert item["org_nr"] == late and item["kind"] == "obligation"
        assert item["due"] == past.isoformat() and item["days_overdue"] == 3

    # A submission ends the lateness: the item leaves the list.
    doc = s.document("bokslut.pdf")
    period = f"{past.year}-X"
    submitted = await s.cli(
        "submit", late, "annual-accounts", period, "--document", f"annual-accounts={doc}"
    )
    assert submitted.exit_code == 0, submitted.stderr
    remaining = {w for w in expected if "annual-report" in w}
    await eventually(lambda: listed(remaining), timeout=30)
    table = await invoke(s, "overdue")
    assert late in table.stdout and "annual-report" in table.stdout
    assert on_time not in table.stdout
