"""`lov recovery …` against the real dev server, a real worker, SQLite and a real SMTP server.

Uses the `lov` fixture of tests/support/contract_cli.py (a small plan, a worker on its own task
queue, the CLI's settings pointed at them). Refusals must exit 2 with one line on stderr naming
the field (for CSV: the line number and the column) and start nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from models.ids import case_id_for
from models.messages.recovery import RecoveryStatus
from models.runtime.settings import get_settings
from services import recoveries as recovery_actions
from services.calls import ActionError
from tests.support.cli_runner import Result, run_lov
from tests.support.contract_cli import Lov
from tests.support.helpers import eventually, random_org_nr
from tests.support.plans import ADMIN_EMAIL, PROVIDER_EMAIL


async def recovery_cli(lov: Lov, *args: str) -> Result:
    return await run_lov(lov.env, "recovery", *args)


@pytest.fixture
def records_lov(lov: Lov, monkeypatch: pytest.MonkeyPatch) -> Lov:
    """The CLI also reads the worker's records database (for totals)."""
    url = f"sqlite+aiosqlite:///{lov.tmp / 'records.db'}"
    lov.env["LOV_DATABASE_URL"] = url
    monkeypatch.setenv("LOV_DATABASE_URL", url)
    get_settings.cache_clear()
    return lov


async def test_start_respond_decide_status_totals(records_lov: Lov) -> None:
    lov = records_lov
    org = random_org_nr()
    digits = org.replace("-", "")
    await lov.start(org)

    started = await recovery_cli(
        lov,
        "start",
        org,
        "--line",
        "2027-03,K-1042,12.5,10,385.50",
        "--line",
        "2027-03;K-2077;20,25;19;412,40",
        "--subject",
        "Granskning mars 2027",
        "--actor",
        "Anna Admin",
    )
    assert started.exit_code == 0, started.stderr
    first_line = started.stdout.splitlines()[0]
    assert first_line.startswith(f"Återkrav startat (started): {digits}-")
    case_id = first_line.split(": ")[1].split(" ")[0]
    assert case_id.endswith("-001")
    year = int(case_id.split("-")[1])
    for text in (
        "2027-03 K-1042: fakturerat 12,5 h, godkänt 10 h, skillnad 2,5 h × 385,50 kr/h = 963,75 kr",
        "2027-03 K-2077: fakturerat 20,25 h, godkänt 19 h, skillnad 1,25 h × 412,40 kr/h"
        " = 515,50 kr",
        "Summa att återbetala: 1 479,25 kr",
        f"Underrättelse skickas till {PROVIDER_EMAIL}",
    ):
        assert text in started.stdout, started.stdout
    # The notice carries the provider's portal link: the administrator gets a copy of its own.
    notice, copy = await lov.smtp.wait_for(2)
    assert notice["X-Lov-Kind"] == copy["X-Lov-Kind"] == "recovery-notice"
    assert notice["X-Lov-Workflow"] == f"recovery-{case_id}"
    assert [rcpt for _, rcpt in lov.smtp.envelopes] == [[PROVIDER_EMAIL], [ADMIN_EMAIL]]
    assert "1 479,25 kr" in str(notice["Subject"]) and "K-1042" not in str(notice["Subject"])

    # The same claim from a Swedish spreadsheet export: ';' and decimal commas, a blank line.
    sheet = lov.tmp / "claim.csv"
    sheet.write_text(
        "period;customer_ref;hours_billed;hours_approved;hourly_rate\n"
        "2027-04;K-1042;10;7,5;385,50\n"
        "\n",
        encoding="utf-8",
    )
    from_csv = await recovery_cli(lov, "start", org, "--csv", str(sheet), "--actor", "Anna")
    assert from_csv.exit_code == 0, from_csv.stderr
    assert f"{digits}-{year}-002" in from_csv.stdout
    assert "Summa att återbetala: 963,75 kr" in from_csv.stdout

    # A decision before the response deadline is refused; after the response it is allowed.
    early = await recovery_cli(lov, "decide", case_id, "--confirm", "--actor", "Bertil")
    assert early.exit_code == 2
    assert early.error_line().startswith("fel: response_due: the provider may respond until")
    responded = await recovery_cli(
        lov, "respond", case_id, "--dispute", "--comment", "Extra insats", "--actor", "Anna"
    )
    assert responded.exit_code == 0, responded.stderr
    assert "utföraren invänder" in responded.stdout
    decided = await recovery_cli(
        lov, "decide", case_id, "--adjust", "1200,50", "--reason", "Delvis styrkt", "--actor", "B"
    )
    assert decided.exit_code == 0, decided.stderr
    assert "ändrat · att återbetala 1 200,50 kr" in decided.stdout
    await lov.smtp.wait_for(3)

    text = await recovery_cli(lov, "status", case_id)
    assert text.exit_code == 0, text.stderr
    for line in (
        f"Återkrav {case_id} · Omsorg i Norr AB ({org}) · beslutat, väntar på faktura",
        "Gäller: Granskning mars 2027",
        "Krävt: 1 479,25 kr · att betala nu: 1 200,50 kr",
        "Svar: utföraren invänder: Extra insats",
        "Beslut: ändrat, 1 200,50 kr – Delvis styrkt (B)",
        "noticed (Anna Admin)",
        "response-disputed (Anna)",
        "decision-adjusted (B)",
    ):
        assert line in text.stdout, text.stdout
    assert "Tidsfrister: svar senast" in text.stdout
    as_json = await recovery_cli(lov, "status", case_id, "--json")
    assert as_json.exit_code == 0, as_json.stderr
    status = RecoveryStatus.model_validate_json(as_json.stdout)
    assert status.amount == Decimal("1200.50") and status.claimed_amount == Decimal("1479.25")
    assert status.calculation[-1] == "Summa att återbetala: 1 479,25 kr"
    assert [s.step for s in status.steps] == ["noticed", "response-disputed", "decision-adjusted"]

    async def totals_recorded() -> Result:
        result = await recovery_cli(lov, "totals", "--org-nr", org, "--year", str(year), "--json")
        assert result.exit_code == 0, result.stderr
        rows = json.loads(result.stdout)
        assert rows == [
            {
                "org_nr": org,
                "year": year,
                "cases": 2,
                "open_cases": 2,
                "withdrawn_cases": 0,
                "claimed": "2443.00",
                "decided": "1200.50",
                "paid": "0.00",
                "outstanding": "1200.50",
            }
        ]
        return result

    await eventually(totals_recorded, timeout=20)
    table = await recovery_cli(lov, "totals", "--org-nr", org)
    assert table.exit_code == 0, table.stderr
    assert org in table.stdout and "2 443,00 kr" in table.stdout and "1 200,50 kr" in table.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "period,customer_ref,hours_billed,hours_approved,hourly_rate\n"
            "2027-03,K-1,10,8,385.50\n"
            "2027-03,K-2,-2,1,385.50\n",
            "rad 3, kolumn hours_billed: får inte vara negativt",
        ),
        (
            "period,customer_ref,hours_billed,hours_approved,hourly_rate\n"
            "2027-03,19121212-1212,10,8,385.50\n",
            "rad 2, kolumn customer_ref: ser ut som ett personnummer",
        ),
        (
            "period,customer_ref,hours_billed,hours_approved,hourly_rate\n"
            "2027-03,K-1,tio,8,385.50\n",
            "rad 2, kolumn hours_billed: inte ett tal",
        ),
        (
            "period,customer_ref,hours_billed,hours_approved,hourly_rate\n2027-03,K-1,10,8\n",
            "rad 2: 4 kolumner, väntade 5",
        ),
        ("period,kund,timmar\n2027-03,K-1,10\n", "rad 1: rubrikraden ska vara"),
    ],
    ids=["negative-hours", "personnummer", "not-a-number", "short-row", "header"],
)
async def test_bad_csv_exits_2_and_starts_nothing(
    records_lov: Lov, content: str, expected: str
) -> None:
    lov = records_lov
    org = random_org_nr()
    sheet = lov.tmp / "bad.csv"
    sheet.write_text(content, encoding="utf-8")
    # No contract is needed to refuse a bad file: the lines are checked before anything else.
    result = await recovery_cli(lov, "start", org, "--csv", str(sheet))
    assert result.exit_code == 2
    line = result.error_line()
    assert line.startswith(f"fel: --csv {sheet}: ") and expected in line, line
    assert lov.smtp.messages == []
    with pytest.raises(ActionError, match="case: no recovery case"):
        await recovery_actions.recovery_status(
            lov.client, f"{org.replace('-', '')}-{lov.due.year}-001"
        )


async def test_bad_options_exit_2(records_lov: Lov) -> None:
    lov = records_lov
    org = random_org_nr()
    cases = [
        (["start", org], "fel: --line: minst en rad krävs"),
        (["start", org, "--line", "2027-03,K-1,10,12,385"], "fel: lines: inget att återkräva"),
        (["start", "556036-0794", "--line", "2027-03,K-1,10,8,1"], "fel: org_nr:"),
        (
            ["start", org, "--line", "2027-03,K-1,10,8,385"],
            f"fel: org_nr: no contract for provider {org}",
        ),
        (["status", "ÅK-1"], "fel: case: 'ÅK-1' is not a case id"),
        (["status", "5560360793-2027-999"], "fel: case: no recovery case 5560360793-2027-999"),
        (
            ["respond", "5560360793-2027-999", "--accept"],
            "fel: case: no recovery case 5560360793-2027-999",
        ),
        (["respond", "5560360793-2027-999"], "fel: --accept: ange antingen"),
        (["decide", "5560360793-2027-999", "--withdraw"], "fel: --reason: krävs"),
        (["settle", "5560360793-2027-999"], "fel: --invoice: ange antingen"),
        (["totals", "--year", "27"], "fel: --year:"),
    ]
    for args, expected in cases:
        result = await recovery_cli(lov, *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert result.error_line().startswith(expected), (args, result.stderr)
    assert lov.smtp.messages == []


def test_case_ids() -> None:
    assert recovery_actions.parse_case("recovery-5560360793-2027-001") == "5560360793-2027-001"
    assert case_id_for("556036-0793", 2027, 12) == "5560360793-2027-012"
    with pytest.raises(ActionError, match="case:"):
        recovery_actions.parse_case("5560360793-27-1")


async def test_adjust_by_lines_settle_and_pay(records_lov: Lov) -> None:
    lov = records_lov
    org = random_org_nr()
    await lov.start(org)
    started = await recovery_cli(lov, "start", org, "--line", "2027-03,K-1042,12.5,10,385.50")
    assert started.exit_code == 0, started.stderr
    case_id = started.stdout.splitlines()[0].split(": ")[1].split(" ")[0]
    assert (await recovery_cli(lov, "respond", case_id, "--accept")).exit_code == 0
    decided = await recovery_cli(
        lov, "decide", case_id, "--line", "2027-03,K-1042,12.5,11.5,385.50", "--reason", "Styrkt"
    )
    assert decided.exit_code == 0, decided.stderr
    assert "ändrat · att återbetala 385,50 kr" in decided.stdout
    settled = await recovery_cli(lov, "settle", case_id, "--invoice", "F-77")
    assert settled.exit_code == 0, settled.stderr
    assert "faktura F-77 · 385,50 kr · senast" in settled.stdout
    paid = await recovery_cli(lov, "paid", case_id)
    assert paid.exit_code == 0, paid.stderr
    again = await recovery_cli(lov, "paid", case_id)
    assert again.exit_code == 2 and again.error_line().startswith("fel: status:")
    kinds = [str(m["X-Lov-Kind"]) for m in await lov.smtp.wait_for(5)]
    assert kinds == [
        "recovery-notice",
        "recovery-notice",  # the administrator's copy, without the provider's link
        "recovery-decision",
        "recovery-invoice",
        "recovery-paid",
    ]
    status = await recovery_actions.recovery_status(lov.client, case_id)
    assert status.status == "paid" and status.adjusted_calculation == [
        "2027-03 K-1042: fakturerat 12,5 h, godkänt 11,5 h, skillnad 1,0 h × 385,50 kr/h"
        " = 385,50 kr",
        "Summa att återbetala: 385,50 kr",
    ]
