"""`lov application assess` with several skallkrav and `lov application list`, against the dev
server, a real worker, SQLite and a real SMTP server (the shipped Sundsvall plan)."""

from __future__ import annotations

import json

import pytest

from models.records.db import make_engine, make_session_factory
from models.records.store import RecordStore
from models.runtime.settings import get_settings
from tests.support.application_cli import SKALLKRAV, ApplicationCli
from tests.support.cli_runner import Result
from tests.support.helpers import random_org_nr


def records_url(cli: ApplicationCli) -> str:
    # The worker's records database (tests.support.cli_runner.cli_worker).
    return f"sqlite+aiosqlite:///{cli.tmp / 'records.db'}"


async def assessed_keys(cli: ApplicationCli, wid: str) -> list[str]:
    engine = make_engine(records_url(cli))
    try:
        rows = await RecordStore(make_session_factory(engine)).list_assessments(wid)
    finally:
        await engine.dispose()
    return [r.requirement for r in rows]


async def lov_list(cli: ApplicationCli, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """`lov application list …` reading the worker's records database."""
    monkeypatch.setenv("LOV_DATABASE_URL", records_url(cli))
    get_settings.cache_clear()
    return await cli.cli("list", *args)


async def test_assess_several_skallkrav_in_one_call(application_cli: ApplicationCli) -> None:
    cli = application_cli
    org = random_org_nr()
    assert (await cli.submit(org)).exit_code == 0
    wid = f"application-{org.replace('-', '')}-1"
    first, second, third, fourth = SKALLKRAV[:4]

    # An unknown key refuses the lot: one line naming it, nothing assessed.
    refused = await cli.cli("assess", wid, first, "nope", "--met", "--actor", "Bo")
    assert refused.exit_code == 2
    assert "'nope'" in refused.error_line() and "skallkrav" in refused.error_line()
    # So does a "not met" without a note for one of them.
    refused = await cli.cli(
        "assess", wid, first, second, "--not-met", "--note-for", f"{first}=Saknas"
    )
    assert refused.exit_code == 2 and second in refused.error_line()
    status = await cli.status(wid)
    assert all(a.outcome is None for a in status.checklist)
    assert await assessed_keys(cli, wid) == []

    done = await cli.cli(
        "assess",
        wid,
        first,
        second,
        "--met",
        "--note",
        "Styrkt",
        "--note-for",
        f"{second}=Intyg 2027-01-12",
        "--actor",
        "Bo",
        "--request-id",
        "assess-two",
    )
    assert done.exit_code == 0, done.stderr
    assert f"{first}, {second} uppfyllt" in done.stdout
    assert f"{len(SKALLKRAV) - 2} skallkrav kvar" in done.stdout
    notes = {a.key: (a.outcome, a.note, a.actor) for a in (await cli.status(wid)).checklist}
    assert notes[first] == ("met", "Styrkt", "Bo")
    assert notes[second] == ("met", "Intyg 2027-01-12", "Bo")

    # The same request again, keys in another order and one more: each key once.
    again = await cli.cli(
        "assess", wid, third, second, first, "--met", "--actor", "Bo", "--request-id", "assess-two"
    )
    assert again.exit_code == 0, again.stderr
    assert sorted(await assessed_keys(cli, wid)) == sorted([first, second, third])

    # The one-key form is unchanged.
    one = await cli.cli("assess", wid, fourth, "--not-met", "--note", "Saknas", "--actor", "Bo")
    assert one.exit_code == 0, one.stderr
    assert f"Bedömt (assessed): {fourth} ej uppfyllt" in one.stdout


async def test_list_applications(
    application_cli: ApplicationCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = application_cli
    orgs = [random_org_nr(), random_org_nr()]
    for org in orgs:
        assert (await cli.submit(org)).exit_code == 0, org
    wids = [f"application-{org.replace('-', '')}-1" for org in orgs]
    await cli.cli("request-completion", wids[1], "--item", "Försäkringsbrev", "--actor", "Bo")

    table = await lov_list(cli, monkeypatch)
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["Inkom", "Ansökan", "Org", "nr", "Sökande", "Läge", "Plan"]
    # Newest first.
    assert wids[1] in lines[1] and "komplettering begärd" in lines[1]
    assert wids[0] in lines[2] and "under prövning" in lines[2]

    as_json = await lov_list(cli, monkeypatch, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    found = json.loads(as_json.stdout)
    assert [a["application_id"] for a in found] == [wids[1], wids[0]]
    assert {a["state"] for a in found} == {"received", "completion_requested"}
    assert all(a["plan_id"] == "sundsvall" and a["org_nr"] in orgs for a in found)

    received = await lov_list(cli, monkeypatch, "--state", "received", "--json")
    assert [a["application_id"] for a in json.loads(received.stdout)] == [wids[0]]
    searched = await lov_list(
        cli, monkeypatch, "--search", orgs[1], "--plan", "sundsvall", "--json"
    )
    assert [a["application_id"] for a in json.loads(searched.stdout)] == [wids[1]]
    none = await lov_list(cli, monkeypatch, "--plan", "herning")
    assert none.exit_code == 0 and "Inga ansökningar" in none.stdout

    for args, field in (
        (("--state", "godkänd"), "--state"),
        (("--plan", "nope"), "--plan"),
        (("--search", ""), "--search"),
    ):
        bad = await lov_list(cli, monkeypatch, *args)
        assert bad.exit_code == 2 and bad.error_line().startswith(f"fel: {field}: "), args
