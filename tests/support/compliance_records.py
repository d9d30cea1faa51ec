"""A records database holding one follow-up year (2027) under three real plans (plans/):
Sundsvall, Nordanstig and Herning, as the obligation and contract workflows would have written
it. For the compliance report's services and CLI tests; no Temporal needed.

What each provider's year holds, as of AS_OF (1 June 2027):
- SOLROS (Sundsvall): self-inspection T1 handed in on time, then sent back for komplettering
  by 10 May (not yet completed: 22 days past); annual-accounts (plan: 31 July, a Saturday, so
  Monday 2 August) extended to 20 August for this provider alone; 35 of 41 customers with a
  current genomförandeplan (85,4 %); one placement of 1 234,50 hours.
- TALLEN (Sundsvall): contract ended 31 May 2027 on the provider's uppsägning; annual report
  not yet due.
- NORRSKOG (Nordanstig): self-inspection 2027 ("Egenkontroll inför tillsynsbesök") handed in
  two days late.
- HYGGE (Herning, Danish): the response to the aggregated report sent back for supplering by
  20 May; 1 025 of 1 200 citizens with a current plan; a placement of 1 234,50 hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from models.records.db import upgrade
from models.records.store import OccurrenceEvent, RecordStore
from tests.support.db_fixtures import open_store

PLANS_DIR = Path(__file__).resolve().parents[2] / "plans"
YEAR = 2027
AS_OF = date(2027, 6, 1)
SOLROS = ("556677-1233", "Solros Omsorg AB", "sundsvall")
TALLEN = ("559012-1231", "Tallen Hemtjänst AB", "sundsvall")
NORRSKOG = ("556123-1233", "Norrskog Vård AB", "nordanstig")
HYGGE = ("556036-0793", "Hygge Pleje ApS", "herning")
AT = datetime(2027, 1, 1, 8, tzinfo=UTC)


def _digits(org_nr: str) -> str:
    return org_nr.replace("-", "")


async def seed_compliance_year(url: str) -> None:
    """Migrate the database at `url` and write the year described above."""
    await upgrade(url)
    async with open_store(url) as store:
        for org_nr, name, plan in (SOLROS, TALLEN, NORRSKOG, HYGGE):
            wid = f"contract-{_digits(org_nr)}"
            await store.upsert_provider(org_nr, name, f"info@{_digits(org_nr)}.example", AT)
            await store.record_contract(wid, org_nr, plan, date(2026, 1, 1), AT)
            await store.record_contract_year(wid, YEAR, plan, "2027-1", AT)
        await store.set_contract_status(
            f"contract-{_digits(TALLEN[0])}",
            "terminated",
            datetime(2027, 5, 31, 22, tzinfo=UTC),
            end_date=date(2027, 5, 31),
            termination_kind="uppsagning",
            reason="Verksamheten läggs ned",
        )

        async def occurrence(
            org_nr: str,
            obligation: str,
            period: str,
            nominal: date,
            due: date,
            status: str,
            late_days: int | None = None,
            fields: dict[str, int] | None = None,
        ) -> None:
            wid = f"obligation-{_digits(org_nr)}-{obligation}-{period}"
            await store.upsert_occurrence(
                wid, org_nr, obligation, period, nominal, due, "x", status, False, 0, AT
            )
            if late_days is not None:
                await store.record_audit(
                    f"{wid}:event:1", AT, org_nr, wid, "submitted", "Anna", {"late_days": late_days}
                )
            if fields is not None:
                await store.record_submission(
                    OccurrenceEvent(f"{wid}:submission:1", wid, org_nr, obligation, period),
                    fields,
                    [],
                    "Anna",
                    AT,
                )

        s, t, n, h = SOLROS[0], TALLEN[0], NORRSKOG[0], HYGGE[0]
        april_20 = date(2027, 4, 20)
        await occurrence(
            s,
            "self-inspection",
            "2027-T1",
            april_20,
            date(2027, 5, 10),
            "completion_requested",
            late_days=0,
            fields={"customers": 41, "current_care_plans": 35},
        )
        await occurrence(s, "annual-accounts", "2027", date(2027, 7, 31), date(2027, 8, 20), "open")
        await occurrence(
            t, "annual-report", "2027", date(2027, 11, 30), date(2027, 11, 30), "upcoming"
        )
        await occurrence(
            n,
            "self-inspection",
            "2027",
            date(2027, 3, 31),
            date(2027, 3, 31),
            "accepted",
            late_days=2,
        )
        await occurrence(
            h,
            "aggregated-report-response",
            "2027",
            date(2027, 4, 30),
            date(2027, 5, 20),
            "completion_requested",
            late_days=0,
            fields={"customers": 1200, "current_care_plans": 1025},
        )
        for n_, org_nr in enumerate((s, h), 1):
            await store.upsert_placement(
                f"placement-test-{n_}",
                customer_ref=f"K-{n_}",
                area="Centrum",
                service_type="omvårdnad",
                granted_hours=Decimal("1234.50"),
                decision_date=date(2027, 1, 10),
                status="active",
                org_nr=org_nr,
                pending_org_nr=None,
                provider_start=date(2027, 1, 20),
                care_plan_due=date(2027, 2, 3),
                care_plan_done_on=date(2027, 2, 1),
                care_plan_current=True,
                end_date=None,
                at=AT,
            )


ANNUAL_ACCOUNTS = f"obligation-{_digits(SOLROS[0])}-annual-accounts-{YEAR}"


async def hand_in_annual_accounts(url: str) -> None:
    """SOLROS's annual accounts (not yet due) handed in on time, as the workflow records it:
    its "submitted" outcome, the submission and the occurrence's new state, all at the seed's
    own time, so no table's latest `updated_at` moves (a cache must see the new rows, not the
    clock)."""
    async with open_store(url) as store:
        await store.record_audit(
            f"{ANNUAL_ACCOUNTS}:event:9",
            AT,
            SOLROS[0],
            ANNUAL_ACCOUNTS,
            "submitted",
            "Anna",
            {"late_days": 0},
        )
        await store.record_submission(
            OccurrenceEvent(
                f"{ANNUAL_ACCOUNTS}:submission:9",
                ANNUAL_ACCOUNTS,
                SOLROS[0],
                "annual-accounts",
                str(YEAR),
            ),
            {"customers": 41},
            [],
            "Anna",
            AT,
        )
        await set_annual_accounts(store, "submitted")


async def set_annual_accounts(store: RecordStore, status: str) -> None:
    """SOLROS's annual accounts in `status`, written at the seed's time with no audit event."""
    await store.upsert_occurrence(
        ANNUAL_ACCOUNTS,
        SOLROS[0],
        "annual-accounts",
        str(YEAR),
        date(2027, 7, 31),
        date(2027, 8, 20),
        "x",
        status,
        False,
        0,
        AT,
    )
