"""`lov recovery list` against the dev server, a real worker and its SQLite records: the cases
the worker recorded, each filter, `--json` with stable keys, and bad filters as one line, exit 2."""

from __future__ import annotations

import pytest

from tests.support.cli_runner import Result, run_lov
from tests.support.contract_cli import Lov, listed_json
from tests.support.helpers import eventually, random_org_nr
from tests.support.plans import PLAN_ID

KEYS = [
    "case_id", "workflow_id", "org_nr", "provider_name", "year", "state", "claimed_amount",
    "amount", "response", "response_due", "decision", "settlement", "invoice_number",
    "payment_due", "paid_at", "opened_at", "updated_at",
]  # fmt: skip


async def recovery(lov: Lov, *args: str) -> Result:
    return await run_lov(lov.env, "recovery", *args)


async def listed(lov: Lov, *filters: str) -> list[dict[str, object]]:
    return await listed_json(lov, "recovery", *filters)


async def test_list_filters_and_json(records_lov: Lov) -> None:
    lov = records_lov
    org = random_org_nr()
    await lov.start(org)
    cases = []
    for line in ("2027-03,K-1042,12.5,10,385.50", "2027-04;K-2077;20,25;19;412,40"):
        started = await recovery(lov, "start", org, "--line", line, "--actor", "Anna")
        assert started.exit_code == 0, started.stderr
        cases.append(started.stdout.split(": ")[1].split(" ")[0])
    first, second = cases
    responded = await recovery(lov, "respond", first, "--accept", "--actor", "Anna")
    assert responded.exit_code == 0, responded.stderr

    async def recorded() -> list[dict[str, object]]:
        rows = await listed(lov)
        assert [(r["case_id"], r["state"]) for r in rows] == [
            (first, "responded"),
            (second, "noticed"),
        ], rows
        return rows

    rows = await eventually(recorded, timeout=20)
    assert all(list(r) == KEYS for r in rows)
    assert rows[0]["org_nr"] == org and rows[0]["provider_name"] == "Omsorg i Norr AB"
    assert (rows[0]["claimed_amount"], rows[1]["amount"]) == ("963.75", "515.50")
    assert rows[0]["workflow_id"] == f"recovery-{first}"

    assert [r["case_id"] for r in await listed(lov, "--state", "noticed")] == [second]
    assert [r["case_id"] for r in await listed(lov, "--org-nr", org)] == [first, second]
    assert await listed(lov, "--org-nr", random_org_nr()) == []
    assert [r["case_id"] for r in await listed(lov, "--plan", PLAN_ID)] == [first, second]

    text = await recovery(lov, "list", "--org-nr", org, "--state", "noticed")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == [
        "Ärende",
        "Utförare",
        "Namn",
        "Läge",
        "Krävt",
        "Att",
        "betala",
        "Frist",
    ]
    assert lines[1].startswith(second) and "underrättad, väntar på svar" in lines[1]
    assert "515,50 kr" in lines[1]
    assert lines[-1] == "1 ärenden (cases)"


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--state", "betald"], "fel: --state: okänt läge (unknown state) 'betald'; ett av"),
        (
            ["--plan", "sundsvall"],
            f"fel: --plan: okänd plan (unknown plan) 'sundsvall'; kända: {PLAN_ID}",
        ),
        (["--org-nr", "123"], "fel: org_nr: '123' is not an organisationsnummer"),
    ],
)
async def test_bad_filters_are_one_line_exit_2(
    records_lov: Lov, args: list[str], start: str
) -> None:
    result = await recovery(records_lov, "list", *args, "--json")
    assert result.exit_code == 2
    assert result.error_line().startswith(start), result.stderr
    assert result.stdout == ""
