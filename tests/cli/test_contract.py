"""`lov contract …` against the real dev server, a real worker, SQLite and a real SMTP server.

The CLI connects the way it does in production (`models.runtime.temporal.connect` with the
settings), here
pointed at the session's dev server through `LOV_TEMPORAL_ADDRESS`. The happy path runs `lov` as
a separate process; the many refusals run in-process (typer's CliRunner, in a thread because the
CLI calls asyncio.run) to keep the suite fast. Each refusal must exit 2 with one line on stderr
naming the field, and leave the workflow and the mailbox exactly as they were.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from typer.testing import CliRunner

from models.messages.contract import ContractStatus
from models.messages.obligation import ExtendRequest, ObligationStatus, WaiveRequest
from models.runtime.settings import get_settings
from services import calls as actions
from services import contracts
from starter.cli import app
from tests.support.cli_runner import cli_env
from tests.support.contract_cli import Lov
from tests.support.helpers import eventually, free_port, random_org_nr
from tests.support.plans import (
    ADMIN_EMAIL,
    PLAN_ID,
    PROVIDER_EMAIL,
    plan_toml,
)
from workflows.obligation import ObligationWorkflow

PROJECT_ROOT = Path(__file__).resolve().parents[2]


# --- a small plan whose duties fall due within days -------------------------------------------


def kinds(messages: list[EmailMessage]) -> list[str]:
    return [str(m["X-Lov-Kind"]) for m in messages]


# --- running the CLI ----------------------------------------------------------------------------


# --- the happy path, as separate processes ------------------------------------------------------


async def test_start_status_submit_accept_as_processes(lov: Lov) -> None:
    org = random_org_nr()
    started = await lov.process(
        "start",
        org.replace("-", ""),  # accepted without the hyphen, shown with it
        "--name",
        "Omsorg i Norr AB",
        "--email",
        PROVIDER_EMAIL,
        "--start",
        lov.contract_start.isoformat(),
    )
    assert started.exit_code == 0, started.stderr
    assert f"contract-{org.replace('-', '')}" in started.stdout
    assert org in started.stdout and PLAN_ID in started.stdout
    await eventually(lambda: lov._has_items(org), timeout=20)
    await lov.take_welcome(org)  # sent to the provider at the start (issue 16)

    table = await lov.process("status", org)
    assert table.exit_code == 0, table.stderr
    for text in (
        "Omsorg i Norr AB",
        "avtalet är aktivt",
        "annual-report",
        "annual-accounts",
        "kommande",
    ):
        assert text in table.stdout, table.stdout
    assert f"{lov.year}: test-1" in table.stdout  # plan version per year
    assert lov.due.isoformat() in table.stdout

    as_json = await lov.process("status", org, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    status = ContractStatus.model_validate_json(as_json.stdout)
    assert status.plan_id == PLAN_ID and status.provider.email == PROVIDER_EMAIL
    assert status.plan_versions == {lov.due.year: "test-1"}
    opened = status.obligations["annual-report"].open
    assert [(i.period, i.due, i.status.value) for i in opened] == [(lov.year, lov.due, "upcoming")]

    doc = lov.document("avvikelser.pdf", b"analys av avvikelser 2026\n")
    submitted = await lov.process(
        "submit",
        org,
        "annual-report",
        lov.year,
        "--field",
        "customers=12",
        "--field",
        "permit_current=Ja",  # yes/no as people write it: read by the field's type
        "--field",
        "staff_education=87,5",
        "--document",
        f"deviation-analysis={doc}",
        "--actor",
        "Anna Admin",
    )
    assert submitted.exit_code == 0, submitted.stderr
    assert submitted.stdout.startswith("Inlämnat")
    assert f"kvitto skickas till {PROVIDER_EMAIL} och {ADMIN_EMAIL}" in submitted.stdout
    (receipt,) = await lov.smtp.wait_for(1)
    assert receipt["X-Lov-Kind"] == "receipt"
    assert receipt["X-Lov-Obligation"] == "annual-report" and receipt["X-Lov-Period"] == lov.year
    assert set(lov.smtp.envelopes[0][1]) == {PROVIDER_EMAIL, ADMIN_EMAIL}

    one = await lov.process(
        "status", org, "--obligation", "annual-report", "--period", lov.year, "--json"
    )
    assert one.exit_code == 0, one.stderr
    item = ObligationStatus.model_validate_json(one.stdout)
    assert item.status.value == "submitted"
    (record,) = item.submissions
    assert record.actor == "Anna Admin"
    assert record.fields == {"customers": 12, "permit_current": True, "staff_education": 87.5}
    (ref,) = record.documents
    assert ref.key == "deviation-analysis" and ref.filename == str(doc.resolve())
    assert ref.sha256 == hashlib.sha256(doc.read_bytes()).hexdigest()
    assert doc.is_file(), "the document stays where it is"

    accepted = await lov.process(
        "review", org, "annual-report", lov.year, "--accept", "--actor", "Bo Granskare"
    )
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout.startswith("Godkänt")
    messages = await lov.smtp.wait_for(2)
    assert kinds(messages) == ["receipt", "accepted"]
    item = await lov.item(org, "annual-report")
    assert item.status.value == "accepted"
    assert any("accepted (Bo Granskare)" in line for line in item.history)

    detail = await lov.process("status", org, "--obligation", "annual-report", "--period", lov.year)
    assert detail.exit_code == 0, detail.stderr
    assert "godkänd" in detail.stdout
    assert "av Anna Admin: fält customers=12, permit_current=true" in detail.stdout

    again = await lov.process(*lov.submit_args(org))
    assert again.exit_code == 2
    line = again.error_line()
    assert line.startswith("fel: status:") and "accepted" in line, line
    await asyncio.sleep(0.5)
    assert len(lov.smtp.messages) == 2, kinds(lov.smtp.messages)
    assert await lov.item(org, "annual-report") == item


# --- every other action -------------------------------------------------------------------------


async def test_completion_extend_waive_contact_and_termination(lov: Lov) -> None:
    org = random_org_nr()
    await lov.start(org)

    # Fields from a TOML file; --field wins over the file.
    fields_file = lov.tmp / "fields.toml"
    fields_file.write_text("customers = 5\npermit_current = false\n", encoding="utf-8")
    args = lov.submit_args(org, "customers=7")
    submitted = await lov.cli(*args, "--fields-file", str(fields_file))
    assert submitted.exit_code == 0, submitted.stderr
    item = await lov.item(org, "annual-report")
    assert item.submissions[0].fields == {"customers": 7, "permit_current": False}

    new_due = lov.due + timedelta(days=14)
    completion = await lov.cli(
        "review",
        org,
        "annual-report",
        lov.year,
        "--request-completion",
        "--new-due",
        new_due.isoformat(),
        "--note",
        "Analysen saknar Lex Sarah-ärenden",
    )
    assert completion.exit_code == 0, completion.stderr
    assert "Komplettering begärd" in completion.stdout and new_due.isoformat() in completion.stdout
    item = await lov.item(org, "annual-report")
    assert (item.status.value, item.due) == ("completion_requested", new_due)

    later = lov.due + timedelta(days=20)
    extended = await lov.cli(
        "extend",
        org,
        "annual-accounts",
        lov.year,
        "--new-due",
        later.isoformat(),
        "--reason",
        "Revisorn är sjuk",
    )
    assert extended.exit_code == 0, extended.stderr
    assert "Förlängt" in extended.stdout
    assert (await lov.item(org, "annual-accounts")).due == later

    waived = await lov.cli(
        "waive", org, "annual-accounts", lov.year, "--reason", "Nystartat bolag", "--actor", "Cia"
    )
    assert waived.exit_code == 0, waived.stderr
    accounts = await lov.item(org, "annual-accounts")
    assert accounts.status.value == "waived"
    assert any("waived (Cia)" in line for line in accounts.history)

    changed = await lov.cli(
        "change-contact", org, "--email", "ny@omsorg.example", "--name", "Omsorg i Norr AB (nytt)"
    )
    assert changed.exit_code == 0, changed.stderr
    contract = await lov.contract(org)
    assert (contract.provider.email, contract.provider.name) == (
        "ny@omsorg.example",
        "Omsorg i Norr AB (nytt)",
    )

    end = lov.due + timedelta(days=60)
    terminated = await lov.cli(
        "terminate",
        org,
        "--end-date",
        end.isoformat(),
        "--kind",
        "uppsagning",
        "--reason",
        "Utföraren har sagt upp avtalet",
        "--by",
        "utforare",
    )
    assert terminated.exit_code == 0, terminated.stderr
    assert "uppsägning" in terminated.stdout and end.isoformat() in terminated.stdout
    contract = await lov.contract(org)
    assert contract.state == "terminating" and contract.termination is not None
    assert contract.termination.end_date == end

    messages = await lov.smtp.wait_for(5)
    assert kinds(messages) == ["receipt", "completion-request", "extended", "waived", "notice"]
    # The notice says who terminated: here the provider's own uppsägning.
    notice = messages[-1].get_content()
    assert "Vi bekräftar att ni har sagt upp" in notice and "Kommunen säger upp" not in notice
    # The new contact address is used from the change on.
    assert "ny@omsorg.example" in lov.smtp.envelopes[-1][1]

    table = await lov.cli("status", org)
    assert "avtalet upphör (uppsägning, sista dag" in table.stdout, table.stdout
    assert "eftergiven" in table.stdout and "komplettering begärd" in table.stdout


# --- refusals: exit 2, one line naming the field, nothing changed --------------------------------


async def test_bad_input_is_refused_with_the_field_and_changes_nothing(lov: Lov) -> None:
    org = random_org_nr()
    await lov.start(org)
    unknown = random_org_nr()
    year = lov.year
    bad_json = lov.tmp / "fields.json"
    bad_json.write_text("{customers: 1", encoding="utf-8")
    before_due = lov.due - timedelta(days=1)

    cases: list[tuple[list[str], str]] = [
        (["status", "556036-0794"], "org_nr:"),
        (["submit", "55603607", "annual-report", year], "org_nr:"),
        (["status", unknown], "org_nr:"),
        (lov.submit_args(unknown), "org_nr:"),
        (["submit", org, "annual-reprot", year, "--field", "customers=1"], "obligation:"),
        (["submit", org, "annual-report", "1999"], "period:"),
        (["status", org, "--obligation", "annual-report", "--period", "1999"], "period:"),
        (["status", org, "--obligation", "annual-report"], "--period:"),
        (lov.submit_args(org, "customers=-1", "permit_current=true"), "fields.customers:"),
        (lov.submit_args(org, "customers=1", "permit_current=kanske"), "fields.permit_current:"),
        (
            lov.submit_args(org, "customers=20", "permit_current=ja", "current_care_plans=30"),
            "fields.current_care_plans: ”Antal kunder med aktuell genomförandeplan” (30) får "
            "inte vara större än ”Antal kunder” (20)",
        ),
        (
            lov.submit_args(org, "customers=1", "permit_current=nej", "staff_education=150"),
            "fields.staff_education: ”Andel undersköterskor (%)” ska vara mellan 0 och 100",
        ),
        (lov.submit_args(org, "customers=1"), "fields.permit_current:"),
        (lov.submit_args(org, "customers=1", "permit_current=true", "x=1"), "fields.x:"),
        (lov.submit_args(org, "customers"), "--field:"),
        (
            ["submit", org, "annual-report", year, "--field", "customers=1"]
            + ["--field", "permit_current=true"],
            "documents.deviation-analysis:",
        ),
        (
            [*lov.submit_args(org), "--document", "ivo-permit=/no/such/file.pdf"],
            "document ivo-permit:",
        ),
        ([*lov.submit_args(org), "--fields-file", str(bad_json)], "--fields-file:"),
        (["review", org, "annual-report", year, "--accept"], "status:"),
        (["request", org, "annual-report", year, "--due", "31/12"], "--due:"),
        # Opened at the start, so not a duty awaiting a request.
        (["request", org, "annual-report", year, "--due", "2099-01-02"], "period:"),
        (["review", org, "annual-report", year], "--accept:"),
        (
            ["review", org, "annual-report", year, "--request-completion", "--note", "x"],
            "--new-due:",
        ),
        (
            ["extend", org, "annual-report", year, "--new-due", "31/12", "--reason", "x"],
            "--new-due:",
        ),
        (
            ["extend", org, "annual-report", year, "--new-due", before_due.isoformat()]
            + ["--reason", "x"],
            "new_due:",
        ),
        (["waive", org, "annual-report", year], "--reason:"),
        (["waive", org, "annual-report", year, "--reason", "x", "--actor", " "], "--actor:"),
        (["terminate", org, "--end-date", "2099-01-01", "--kind", "x", "--reason", "x"], "--kind:"),
        (
            ["terminate", org, "--end-date", "2099-01-01", "--kind", "havning", "--by", "utforare"]
            + ["--reason", "x"],
            "by:",
        ),
        (
            ["terminate", org, "--end-date", "2099-01-01", "--kind", "uppsagning", "--by", "x"]
            + ["--reason", "x"],
            "--by:",
        ),
        (
            ["terminate", org, "--end-date", "2000-01-01", "--kind", "havning", "--reason", "x"],
            "end_date:",
        ),
        (["change-contact", org, "--email", "inte-en-adress"], "--email:"),
        (
            ["start", org, "--name", "X", "--email", PROVIDER_EMAIL]
            + ["--start", lov.contract_start.isoformat()],
            "org_nr:",
        ),
        (
            ["start", unknown, "--name", "X", "--email", PROVIDER_EMAIL]
            + ["--start", "2026-02-30"],
            "--start:",
        ),
        (
            ["start", unknown, "--name", "X", "--email", PROVIDER_EMAIL]
            + ["--start", "2026-01-01", "--plan", "no-such-plan"],
            "--plan:",
        ),
    ]

    contract_before = await lov.contract(org)
    report_before = await lov.item(org, "annual-report")
    accounts_before = await lov.item(org, "annual-accounts")
    for args, field in cases:
        result = await lov.cli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        line = result.error_line()
        assert line.startswith(f"fel: {field}"), (args, line)
        assert not result.stdout, (args, result.stdout)

    # The workflow validator is the authority: with a plan file revised since the contract's
    # year began, the CLI leaves the checking to it, and the answer is the same.
    plan_file = Path(lov.env["LOV_PLANS_DIR"]) / f"{PLAN_ID}.toml"
    plan_file.write_text(plan_toml(PLAN_ID, lov.due, version="test-2"), encoding="utf-8")
    revised = await lov.cli(*lov.submit_args(org, "customers=-3", "permit_current=true"))
    assert revised.exit_code == 2
    assert revised.error_line().startswith("fel: fields.customers: ”Antal kunder” ska vara minst 0")
    # The rule between two fields too: the workflow's validator refuses 30 of 20.
    over = await lov.cli(
        *lov.submit_args(org, "customers=20", "permit_current=true", "current_care_plans=30")
    )
    assert over.exit_code == 2
    assert over.error_line().startswith("fel: fields.current_care_plans: ”Antal kunder med")

    # A starting contract for the unknown org nr was never created either.
    with pytest.raises(actions.ActionError, match="org_nr"):
        await contracts.contract_status(lov.client, unknown)
    await asyncio.sleep(0.5)
    assert [m for m in lov.smtp.messages if m["X-Lov-Kind"] != "reminder"] == []
    assert await lov.contract(org) == contract_before
    assert await lov.item(org, "annual-report") == report_before
    assert await lov.item(org, "annual-accounts") == accounts_before


async def test_values_an_activity_could_never_store_are_refused(lov: Lov) -> None:
    """Issue 15, points 3, 5, 6 and 11: text longer than its column, dates the calendar cannot
    date and org nrs in other digits were accepted, then failed an activity forever (or created
    a second contract). Now: exit 2, one line naming the field, nothing changed; the longest
    actor that fits is accepted in the same setup."""
    org = random_org_nr()
    await lov.start(org)
    year = lov.year
    later = (lov.due + timedelta(days=5)).isoformat()
    long_actor = "A" * 150
    full_width = org.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    start = ["--name", "X", "--email", PROVIDER_EMAIL, "--start"]
    cases: list[tuple[list[str], str]] = [
        (["waive", org, "annual-report", year, "--reason", "x", "--actor", long_actor], "--actor:"),
        (
            ["extend", org, "annual-report", year, "--new-due", later]
            + ["--reason", "x", "--actor", long_actor],
            "--actor:",
        ),
        (["review", org, "annual-report", year, "--accept", "--actor", long_actor], "--actor:"),
        (["waive", org, "annual-report", year, "--reason", "x", "--actor", "a\x1bb"], "--actor:"),
        (
            ["extend", org, "annual-report", year, "--new-due", "9999-12-31", "--reason", "x"],
            "--new-due: måste ligga mellan 1990-01-01 och 2100-12-31",
        ),
        (
            ["terminate", org, "--end-date", "9999-12-31", "--kind", "havning", "--reason", "x"],
            "--end-date:",
        ),
        (["start", random_org_nr(), *start, "9999-12-31"], "--start: måste ligga mellan"),
        (["start", random_org_nr(), *start, "0001-01-01"], "--start: måste ligga mellan"),
        (["start", full_width, *start, lov.contract_start.isoformat()], "org_nr:"),
    ]
    contract_before = await lov.contract(org)
    report_before = await lov.item(org, "annual-report")
    for args, field in cases:
        result = await lov.cli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert result.error_line().startswith(f"fel: {field}"), (args, result.stderr)
        assert not result.stdout, (args, result.stdout)

    # Straight to the Update, past the CLI: the validator refuses, naming the field.
    handle = lov.client.get_workflow_handle(report_before.workflow_id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            ObligationWorkflow.waive, WaiveRequest(reason="x", actor="a" * 101)
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.message.startswith("actor: högst 100")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            ObligationWorkflow.extend,
            ExtendRequest(new_due=date(9999, 12, 31), reason="x", actor="anna"),
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.message.startswith("new_due: måste")

    # The same company in full-width digits did not get a second contract.
    with pytest.raises(RPCError):
        await lov.client.get_workflow_handle(f"contract-{full_width.replace('-', '')}").describe()
    await asyncio.sleep(0.5)
    assert [m for m in lov.smtp.messages if m["X-Lov-Kind"] != "reminder"] == []
    assert await lov.contract(org) == contract_before
    assert await lov.item(org, "annual-report") == report_before

    # The longest actor that fits is accepted (and recorded) in the same setup.
    fits = "B" * 100
    extended = await lov.cli(
        "extend", org, "annual-report", year, "--new-due", later, "--reason", "x", "--actor", fits
    )
    assert extended.exit_code == 0, extended.stderr
    assert any(
        f"extended ({fits})" in line for line in (await lov.item(org, "annual-report")).history
    )


async def test_unreachable_temporal_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"127.0.0.1:{free_port()}"
    env = cli_env(tmp_path, LOV_TEMPORAL_ADDRESS=address)
    for name in [k for k in os.environ if k.startswith("LOV_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    try:
        result = await asyncio.to_thread(
            CliRunner().invoke, app, ["contract", "status", "556036-0793"], env=env
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fel: Kan inte ansluta till Temporal"), lines
    assert address in lines[0]


# --- help and parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "swedish"),
    [
        ("start", "Starta avtalsarbetsflödet"),
        ("status", "Visa avtalets skyldigheter"),
        ("submit", "Registrera utförarens inlämning"),
        ("review", "Granska en inlämning"),
        ("waive", "Efterge en skyldighet"),
        ("extend", "Förläng tiden"),
        ("terminate", "Säg upp eller häv avtalet"),
        ("change-contact", "Ändra utförarens kontaktuppgifter"),
    ],
)
def test_help_is_swedish_first(command: str, swedish: str) -> None:
    result = CliRunner().invoke(app, ["contract", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert swedish in text
    # Swedish first, English after it in parentheses.
    assert text.index(swedish) < text.index("(", text.index(swedish))
    if command not in ("start", "status"):
        assert "--actor" in text and "Standard: inloggad användare" in text


def test_contract_group_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["contract", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in ("start", "status", "submit", "review", "waive", "extend", "terminate"):
        assert command in result.stdout
    assert "Avtal med utförare" in result.stdout


async def test_a_contract_before_its_start_date_has_not_started(lov: Lov) -> None:
    org = random_org_nr()
    starts = date.today() + timedelta(days=90)
    result = await lov.cli(
        "start",
        org,
        "--name",
        "Omsorg i Norr AB",
        "--email",
        PROVIDER_EMAIL,
        "--start",
        starts.isoformat(),
    )
    assert result.exit_code == 0, result.stderr
    table = await lov.cli("status", org)
    assert table.exit_code == 0, table.stderr
    assert "avtalet har inte börjat gälla än" in table.stdout
    assert "avtalet är aktivt" not in table.stdout
    as_json = await lov.cli("status", org, "--json")
    assert ContractStatus.model_validate_json(as_json.stdout).state == "not-started"
