"""services.recoveries without Temporal: claim lines typed as text, and `list_cases` over a real
records database (SQLite, and PostgreSQL when it runs) with its filters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.records.store import RecordStore
from models.runtime.settings import DatabaseMissing
from services import recoveries
from services.calls import ActionError
from tests.support.listings import settings_for

AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
FIRST, SECOND = "556036-0793", "559001-0004"


def test_lines_typed_with_commas_or_semicolons() -> None:
    lines = recoveries.lines_from_specs(
        ["2027-03,K-1042,12.5,10,385.50", "2027-03;Ö-77;20,25;19;412,40"]
    )
    assert [(x.customer_ref, x.hours_billed, x.hourly_rate) for x in lines] == [
        ("K-1042", Decimal("12.5"), Decimal("385.50")),
        ("Ö-77", Decimal("20.25"), Decimal("412.40")),
    ]


@pytest.mark.parametrize(
    ("specs", "text"),
    [
        (["2027-03,K-1,10,8"], "--line 1: 4 kolumner, väntade 5"),
        (["2027-03,K-1,10,8,100", "2027-3,K-1,1,0,1"], "--line 2, kolumn period: ska vara"),
        (["2027-03,K 1,10,8,100"], "--line 1, kolumn customer_ref: 1–40 tecken"),
        (["2027-03,K-1,tio,8,100"], "--line 1, kolumn hours_billed: inte ett tal"),
    ],
)
def test_a_bad_line_names_the_line_and_the_column(specs: list[str], text: str) -> None:
    with pytest.raises(ActionError) as caught:
        recoveries.lines_from_specs(specs)
    assert str(caught.value).startswith(text), str(caught.value)


def test_a_personnummer_in_a_csv_is_refused_without_repeating_it() -> None:
    text = "period;customer_ref;hours_billed;hours_approved;hourly_rate\n2027-03;K-1;2;1;100\n"
    text += "2027-03;19121212-1212;2;1;100\n"
    with pytest.raises(ActionError) as caught:
        recoveries.lines_from_csv(text, "--csv a.csv")
    message = str(caught.value)
    assert message.startswith(
        "--csv a.csv: rad 3, kolumn customer_ref: ser ut som ett personnummer"
    )
    assert "1212" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "--csv f: filen är tom (empty file)"),
        ("period,kund\n2027-03,K-1\n", "--csv f: rad 1: rubrikraden ska vara"),
        (",".join(recoveries.COLUMNS) + "\n\n", "--csv f: inga rader efter rubrikraden"),
    ],
)
def test_a_bad_csv_is_one_line(text: str, expected: str) -> None:
    with pytest.raises(ActionError) as caught:
        recoveries.lines_from_csv(text, "--csv f")
    assert str(caught.value).startswith(expected)


async def _cases(store: RecordStore) -> None:
    """Two providers on two plans; three cases in three states."""
    for org, plan in ((FIRST, "sundsvall"), (SECOND, "herning")):
        await store.upsert_provider(org, f"Utförare {org}", "a@b.example", AT)
        await store.record_contract(f"contract-{org[:6]}", org, plan, date(2027, 1, 1), AT)
    digits = FIRST.replace("-", "")
    await store.upsert_recovery(
        f"{digits}-2027-001", FIRST, "noticed", Decimal("963.75"), AT,
        claimed_amount=Decimal("963.75"), response_due=date(2027, 3, 15), year=2027,
    )  # fmt: skip
    await store.upsert_recovery(
        f"{digits}-2027-002", FIRST, "paid", Decimal("100.00"), AT,
        claimed_amount=Decimal("120.00"), decision="adjusted", year=2027,
    )  # fmt: skip
    await store.upsert_recovery(
        f"{SECOND.replace('-', '')}-2027-001", SECOND, "noticed", Decimal("50.10"), AT,
        claimed_amount=Decimal("50.10"), year=2027,
    )  # fmt: skip


async def test_list_cases_filters(db_url: str, store: RecordStore) -> None:
    await _cases(store)

    async def ids(**filters: str) -> list[str]:
        rows = await recoveries.list_cases(settings_for(db_url), **filters)
        return [r.case.recovery_id for r in rows]

    digits, other = FIRST.replace("-", ""), SECOND.replace("-", "")
    assert await ids() == [f"{digits}-2027-001", f"{digits}-2027-002", f"{other}-2027-001"]
    assert await ids(state="noticed") == [f"{digits}-2027-001", f"{other}-2027-001"]
    assert await ids(state=" PAID ") == [f"{digits}-2027-002"]
    assert await ids(org_nr=SECOND) == [f"{other}-2027-001"]
    assert await ids(plan="herning") == [f"{other}-2027-001"]
    assert await ids(plan="sundsvall", state="noticed") == [f"{digits}-2027-001"]
    assert await ids(plan="nordanstig") == []

    [row] = await recoveries.list_cases(settings_for(db_url), org_nr=SECOND)
    shown = row.as_json()
    assert list(shown) == [
        "case_id", "workflow_id", "org_nr", "provider_name", "year", "state", "claimed_amount",
        "amount", "response", "response_due", "decision", "settlement", "invoice_number",
        "payment_due", "paid_at", "opened_at", "updated_at",
    ]  # fmt: skip
    assert (shown["provider_name"], shown["state"], shown["amount"]) == (
        f"Utförare {SECOND}",
        "noticed",
        "50.10",
    )


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"state": "betald"}, "--state"), ({"plan": "uppsala"}, "--plan")],
)
async def test_bad_filters_are_refused_before_the_database_is_read(
    tmp_path: Path, filters: dict[str, str], field: str
) -> None:
    missing = tmp_path / "none" / "records.db"
    with pytest.raises(ActionError) as caught:
        await recoveries.list_cases(settings_for(f"sqlite+aiosqlite:///{missing}"), **filters)
    assert caught.value.field == field
    assert not missing.exists()


async def test_a_missing_database_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    missing = tmp_path / "none" / "records.db"
    with pytest.raises(DatabaseMissing, match="ingen databas"):
        await recoveries.list_cases(settings_for(f"sqlite+aiosqlite:///{missing}"))
    assert not missing.exists()
