"""`lov finding sanctions` on a real records database: the decided amounts a plan hands to
invoicing (`collect = "invoice"`), as CSV and JSON for the finance system, filtered by plan and
decision date (the plan's time zone); a decision recorded without `collect` is not listed, and
bad filters are one line, exit 2. The workflow writing these records is tested in
tests/workflows/test_finding_lifecycle.py and tests/system/test_follow_up_per_plan.py."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.records.db import make_engine, make_session_factory, upgrade
from models.records.store import RecordStore
from tests.support.cli_runner import Result, run_lov_on_records

ORG = "556036-0793"
OTHER = "556841-2837"


async def _decided(
    store: RecordStore,
    finding_id: str,
    org_nr: str,
    plan_id: str,
    at: datetime,
    amount: str,
    details: dict[str, str],
    reason: str = "Åtgärdsplanen kom inte in i tid.",
) -> None:
    await store.upsert_finding(
        finding_id,
        workflow_id=f"finding-{finding_id}",
        org_nr=org_nr,
        plan_id=plan_id,
        year=at.year,
        status="not_remedied",
        requirement="care-plans",
        severity="high",
        source="visit",
        what="Genomförandeplaner saknas",
        round=1,
        at=at,
        last_decision="vite",
    )
    await store.record_finding_decision(
        f"finding-{finding_id}:step:9:decision",
        finding_id,
        org_nr,
        "vite",
        "Vite",
        Decimal(amount),
        reason,
        "bo",
        at,
        details,
    )


@pytest.fixture
async def records(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.db'}"
    await upgrade(url)
    engine = make_engine(url)
    try:
        store = RecordStore(make_session_factory(engine))
        at = datetime(2031, 5, 1, 8, tzinfo=UTC)
        await store.upsert_provider(ORG, "Omsorg i Norr AB", "info@norr.example", at)
        await store.upsert_provider(OTHER, "Hemtjänst Syd AB", "info@syd.example", at)
        invoice = "5560360793-2031-001-B2"
        await _decided(
            store,
            "5560360793-2031-001",
            ORG,
            "sundsvall",
            # 22:30 UTC on 20 May is 21 May in Sundsvall: the decided date is the plan's.
            datetime(2031, 5, 20, 22, 30, tzinfo=UTC),
            "10000.00",
            {"collect": "invoice", "invoice_reference": invoice},
            reason="=Planen kom inte",
        )
        await _decided(
            store,
            "5568412837-2032-001",
            OTHER,
            "herning",
            datetime(2032, 3, 2, 10, tzinfo=UTC),
            "2500.50",
            {"collect": "invoice", "invoice_reference": "5568412837-2032-001-B1"},
        )
        # Recorded before the plan said how to collect: not handed to invoicing.
        await _decided(
            store,
            "5560360793-2030-001",
            ORG,
            "sundsvall",
            datetime(2030, 6, 2, 10, tzinfo=UTC),
            "5000.00",
            {"handoff": "to be collected"},
        )
    finally:
        await engine.dispose()
    return url


async def lov(records: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    return await run_lov_on_records(records, monkeypatch, "finding", "sanctions", *args)


async def test_csv_json_and_filters(records: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = await lov(records, monkeypatch, "--csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [
        [
            "org_nr",
            "provider_name",
            "finding_id",
            "kind",
            "amount",
            "decided",
            "reason",
            "invoice_reference",
        ],
        [
            ORG,
            "Omsorg i Norr AB",
            "5560360793-2031-001",
            "vite",
            "10000.00",
            "2031-05-21",
            # A reason a spreadsheet would read as a formula is kept as text.
            "'=Planen kom inte",
            "5560360793-2031-001-B2",
        ],
        [
            OTHER,
            "Hemtjänst Syd AB",
            "5568412837-2032-001",
            "vite",
            "2500.50",
            "2032-03-02",
            "Åtgärdsplanen kom inte in i tid.",
            "5568412837-2032-001-B1",
        ],
    ]

    listed = await lov(records, monkeypatch, "--json", "--plan", "herning")
    assert listed.exit_code == 0, listed.stderr
    assert json.loads(listed.stdout) == [
        {
            "org_nr": OTHER,
            "provider_name": "Hemtjänst Syd AB",
            "finding_id": "5568412837-2032-001",
            "kind": "vite",
            "amount": "2500.50",
            "decided": "2032-03-02",
            "reason": "Åtgärdsplanen kom inte in i tid.",
            "invoice_reference": "5568412837-2032-001-B1",
            "plan": "herning",
        }
    ]
    since = await lov(records, monkeypatch, "--json", "--since", "2031-05-22")
    assert [r["finding_id"] for r in json.loads(since.stdout)] == ["5568412837-2032-001"]
    on_the_day = await lov(records, monkeypatch, "--json", "--since", "2031-05-21")
    assert len(json.loads(on_the_day.stdout)) == 2

    text = await lov(records, monkeypatch, "--plan", "sundsvall")
    assert text.exit_code == 0, text.stderr
    assert "10 000,00 kr" in text.stdout and "5560360793-2031-001-B2" in text.stdout
    assert text.stdout.splitlines()[-1] == "1 beslut att fakturera (decisions to invoice)"
    none = await lov(records, monkeypatch, "--plan", "nordanstig")
    assert none.stdout.strip() == "Inga beslut att fakturera. (No decisions to invoice.)"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--plan", "nowhere"), "--plan"),
        (("--since", "2031-13-01"), "--since"),
        (("--csv", "--json"), "--json/--csv"),
    ],
)
async def test_bad_filters(
    records: str, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], field: str
) -> None:
    result = await lov(records, monkeypatch, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.error_line().startswith(f"fel: {field}"), result.stderr
