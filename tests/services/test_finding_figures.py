"""Findings (brister) in the compliance report (issue 19 point 4), cell by cell: per provider
and year, findings opened, remedied (closed as remedied), open, sanctioned and the kronor
decided, and where the open ones stand; in the JSON, the CSV and the text (services.reports,
models.domain.compliance, `lov report compliance`). The obligation cells stay as they were."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from models.domain.compliance import Matrix, matrix_csv, matrix_json
from models.runtime.settings import Settings
from services.reports import compliance
from starter.report import matrix_html, matrix_text
from tests.support.compliance_records import (
    AS_OF,
    HYGGE,
    NORRSKOG,
    PLANS_DIR,
    SOLROS,
    TALLEN,
    YEAR,
    seed_compliance_year,
)
from tests.support.finding_records import finding_id, seed_findings


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('findings') / 'records.db'}"

    async def build() -> Matrix:
        await seed_compliance_year(url)
        await seed_findings(url)
        return await compliance(Settings(database_url=url, plans_dir=PLANS_DIR), YEAR, AS_OF)

    return asyncio.run(build())


def _provider(document: dict[str, object], org_nr: str) -> dict[str, object]:
    [found] = [p for p in document["providers"] if p["org_nr"] == org_nr]  # type: ignore[attr-defined]
    return found  # type: ignore[no-any-return]


def test_findings_per_provider_in_the_json(matrix: Matrix) -> None:
    document = json.loads(matrix_json(matrix))
    assert _provider(document, SOLROS[0])["findings"] == {
        "opened": 3,  # 004 was registered in 2026
        "remedied": 1,
        "open": 2,
        "sanctioned": 2,  # a påpekande counts; 003 has none
        "sanctioned_amount": "15000.50",
        "decisions": {"pafpekande": 1, "prisavdrag": 1, "vite": 1},
        "open_states": {"not_remedied": 1, "action_plan_requested": 1},
        "open_findings": [
            {"finding_id": finding_id(SOLROS[0], 2027, 2), "state": "not_remedied"},
            {"finding_id": finding_id(SOLROS[0], 2027, 3), "state": "action_plan_requested"},
        ],
    }
    # Closed without a verification (withdrawn): not remedied, not open.
    norrskog = _provider(document, NORRSKOG[0])["findings"]
    assert {k: norrskog[k] for k in ("opened", "remedied", "open", "sanctioned")} == {  # type: ignore[index]
        "opened": 1,
        "remedied": 0,
        "open": 0,
        "sanctioned": 0,
    }
    for org_nr in (TALLEN[0], HYGGE[0]):
        none = _provider(document, org_nr)["findings"]
        assert none["opened"] == 0 and none["sanctioned_amount"] == "0.00"  # type: ignore[index]
    totals = document["finding_totals"]
    assert (totals["opened"], totals["remedied"], totals["open"], totals["sanctioned"]) == (
        4,
        1,
        2,
        2,
    )
    assert totals["sanctioned_amount"] == "15000.50"
    # The existing figures are untouched by the findings.
    assert _provider(document, SOLROS[0])["totals"]["awaiting_completion"] == 1  # type: ignore[index]


def test_findings_are_the_last_columns_of_the_csv(matrix: Matrix) -> None:
    rows = list(csv.reader(io.StringIO(matrix_csv(matrix))))
    # The last but the municipal tasks' four columns (issue 19, added after them).
    assert rows[0][-4].startswith("Kommunens uppgifter")
    assert rows[0][-10:-4] == [
        "Brister öppnade",
        "Brister åtgärdade",
        "Brister öppna",
        "Brister med påföljd",
        "Påföljder, belopp (kr)",
        "Öppna brister, läge",
    ]
    by_org = {r[0]: r for r in rows[1:]}
    assert by_org[SOLROS[0]][-10:-4] == [
        "3",
        "1",
        "2",
        "2",
        "15 000,50",
        "åtgärdsplan begärd 1, inte åtgärdad 1",
    ]
    assert by_org[NORRSKOG[0]][-10:-4] == ["1", "0", "0", "0", "0,00", ""]
    assert by_org[HYGGE[0]][-10:-4] == ["0", "0", "0", "0", "0,00", ""]
    # Before the finding columns: the totals per state, as before.
    assert rows[0][-16:-10] == [
        "i tid",
        "sen",
        "inväntar komplettering",
        "saknas",
        "eftergiven",
        "ej förfallen",
    ]


def test_text_and_html_name_the_findings_of_providers_that_have_them(matrix: Matrix) -> None:
    text = matrix_text(matrix)
    assert (
        "    Brister: öppnade 3, åtgärdade 1, öppna 2 (åtgärdsplan begärd 1, inte åtgärdad 1), "
        "med påföljd 2 (15 000,50 kr)"
    ) in text.splitlines()
    assert text.count("Brister:") == 2  # Solros and Norrskog only
    from datetime import UTC, datetime

    page = matrix_html(matrix, datetime(2027, 6, 1, tzinfo=UTC))
    assert '<table class="findings">' in page
    assert f'<tr data-org-nr="{SOLROS[0]}"><th scope="row">{SOLROS[1]}</th><td>3</td>' in page


async def test_plan_filter_keeps_only_that_plans_findings(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await seed_compliance_year(url)
    await seed_findings(url)
    settings = Settings(database_url=url, plans_dir=PLANS_DIR)
    nordanstig = await compliance(settings, YEAR, AS_OF, "nordanstig")
    assert [(r.org_nr, r.findings.opened) for r in nordanstig.rows] == [(NORRSKOG[0], 1)]
    earlier = await compliance(settings, 2026, AS_OF)
    # 2026: no occurrences, but Solros's finding of that year gives it a row of its own.
    assert [(r.org_nr, r.findings.opened, r.cells) for r in earlier.rows] == [(SOLROS[0], 1, {})]
