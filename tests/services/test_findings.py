"""services.findings without Temporal: what is typed (ids, sanction kinds, amounts in kronor,
decisions) refused with one line naming the field, and the records' list and page of findings
(SQLite, and PostgreSQL when it runs) with their filters, decisions and amounts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from models.messages.finding import DecideRequest
from models.records.store import RecordStore
from services import findings
from services.calls import ActionError
from tests.support.listings import settings_for

AT = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
FIRST, SECOND = "556036-0793", "559001-0004"


@pytest.mark.parametrize(
    ("text", "value"),
    [("5000", Decimal("5000")), ("1 200,50", Decimal("1200.50")), ("0.01", Decimal("0.01"))],
)
def test_an_amount_in_kronor(text: str, value: Decimal) -> None:
    assert findings.parse_amount(text, "--amount") == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "--amount: must be a positive sum in kronor"),
        ("-10", "--amount: must be a positive sum in kronor"),
        ("10,005", "--amount: at most two decimals"),
        ("tio", "--amount: inte ett tal"),
    ],
)
def test_an_amount_that_is_no_positive_sum_in_kronor(text: str, message: str) -> None:
    with pytest.raises(ActionError) as caught:
        findings.parse_amount(text, "--amount")
    assert str(caught.value).startswith(message), str(caught.value)


def test_sanction_kinds_as_typed() -> None:
    assert findings.parse_kind("Påpekande") == "pafpekande"
    assert findings.parse_kind(" hävning ") == "havning"
    with pytest.raises(ActionError, match="^kind: one of pafpekande, prisavdrag, vite, havning"):
        findings.parse_kind("böter")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (DecideRequest(kind="vite", reason=" ", actor="bo"), "reason: must not be empty"),
        (
            DecideRequest(kind="pafpekande", reason="x", amount=Decimal(5), actor="bo"),
            "amount: a pafpekande has no amount",
        ),
        (
            DecideRequest(kind="vite", reason="x", amount=Decimal("-1"), actor="bo"),
            "amount: must be a positive sum in kronor",
        ),
    ],
)
def test_a_decision_needs_a_reason_and_a_sum_in_kronor(
    request_: DecideRequest, message: str
) -> None:
    with pytest.raises(ActionError) as caught:
        findings.check_decision(request_)
    assert str(caught.value).startswith(message)


def test_finding_ids_as_typed() -> None:
    assert findings.parse_finding("finding-5560360793-2031-001") == "5560360793-2031-001"
    with pytest.raises(ActionError, match="^finding: "):
        findings.parse_finding("5560360793-31-1")


async def _findings(store: RecordStore) -> None:
    """Two providers on two plans; three findings, one with a vite."""
    for org, plan in ((FIRST, "sundsvall"), (SECOND, "herning")):
        await store.upsert_provider(org, f"Utförare {org}", "a@b.example", AT)
        await store.record_contract(f"contract-{org[:6]}", org, plan, date(2030, 1, 1), AT)
    for org, plan, n, status in (
        (FIRST, "sundsvall", 1, "noticed"),
        (FIRST, "sundsvall", 2, "closed"),
        (SECOND, "herning", 1, "action_plan_late"),
    ):
        fid = f"{org.replace('-', '')}-2031-00{n}"
        await store.upsert_finding(
            fid, workflow_id=f"finding-{fid}", org_nr=org, plan_id=plan, year=2031,
            status=status, requirement="care-plans", severity="high", source="visit",
            what="Planer saknas", round=1, at=AT, response_due=date(2031, 3, 17),
        )  # fmt: skip
    late = f"{SECOND.replace('-', '')}-2031-001"
    for key, amount in (("a", Decimal("5000")), ("b", Decimal("2500.50")), ("a", Decimal(1))):
        await store.record_finding_decision(
            f"finding-{late}:step:{key}:decision", late, SECOND, "vite", "Bod", amount,
            "Planen kom inte", "mette", AT,
        )  # fmt: skip


async def test_list_findings_filters_and_sums_the_sanctions(
    db_url: str, store: RecordStore
) -> None:
    await _findings(store)

    async def ids(**filters: str) -> list[str]:
        rows = await findings.list_findings(settings_for(db_url), **filters)
        return [r.finding.finding_id for r in rows]

    first, second = FIRST.replace("-", ""), SECOND.replace("-", "")
    assert await ids() == [f"{first}-2031-001", f"{first}-2031-002", f"{second}-2031-001"]
    assert await ids(state="closed") == [f"{first}-2031-002"]
    assert await ids(plan="herning") == [f"{second}-2031-001"]
    assert await ids(org_nr=FIRST, state="noticed") == [f"{first}-2031-001"]

    [row] = await findings.list_findings(settings_for(db_url), plan="herning")
    shown = row.as_json()
    # A retried decision (the same key) is recorded once; the amounts are summed exactly.
    assert (shown["state"], shown["sanctioned_amount"]) == ("action_plan_late", "7500.50")
    page = await findings.finding_page(store, f"finding-{second}-2031-001")
    assert [(d.kind, d.amount) for d in page.decisions] == [
        ("vite", Decimal("5000.00")),
        ("vite", Decimal("2500.50")),
    ]
    with pytest.raises(ActionError, match="^finding: no finding"):
        await findings.finding_page(store, f"{second}-2031-009")


async def test_a_bad_filter_is_refused_before_the_database_is_read(tmp_path: Path) -> None:
    missing = tmp_path / "none" / "records.db"
    with pytest.raises(ActionError) as caught:
        await findings.list_findings(settings_for(f"sqlite+aiosqlite:///{missing}"), state="open")
    assert caught.value.field == "--state"
    assert not missing.exists()
