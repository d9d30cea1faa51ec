"""A records database holding one provider's audit trail as the README's walkthrough leaves it:
the contract registered in December 2026 to start on 1 February 2027, follow-up year 2027's
duties handled in 2027 and into 2028, a recovery case of 2027, and one duty of 2028. Event types
as the workflows store them (snake_case and kebab-case both), amounts as the recovery activity
stored them ("963.75" and "963,75 kr"). No Temporal: `lov audit … --records-only`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from models.records.db import upgrade
from tests.support.db_fixtures import open_store

ORG = "556036-0793"
CONTRACT = "contract-5560360793"
ANNUAL = "obligation-5560360793-annual-report-2027"
LATER = "obligation-5560360793-annual-report-2028"
APPLICATION = "application-5560360793-1"
CASE = "5560360793-2027-001"
RECOVERY = f"recovery-{CASE}"

# (at (UTC), workflow id, stored event type, actor, details), in time order.
EVENTS: list[tuple[datetime, str, str, str, dict[str, Any]]] = [
    (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), CONTRACT, "contract-started", "system", {
        "plan": "sundsvall"
    }),
    (datetime(2026, 12, 3, 9, 1, tzinfo=UTC), APPLICATION, "application_approved", "Anna", {
        "state": "approved"
    }),
    (datetime(2027, 4, 12, 8, 0, tzinfo=UTC), ANNUAL, "opened", "system", {
        "obligation": "annual-report", "period": "2027", "due": "2027-11-30"
    }),
    (datetime(2027, 12, 1, 8, 0, tzinfo=UTC), ANNUAL, "completion_requested", "Bo", {
        "obligation": "annual-report", "period": "2027", "due": "2027-12-15"
    }),
    (datetime(2028, 1, 15, 9, 30, tzinfo=UTC), RECOVERY, "recovery-noticed", "Dora", {
        "case": CASE, "status": "noticed", "amount": "963.75"
    }),
    (datetime(2028, 2, 10, 9, 0, tzinfo=UTC), ANNUAL, "submitted", "Anna", {
        "obligation": "annual-report", "period": "2027", "late_days": 0
    }),
    (datetime(2028, 3, 1, 10, 0, tzinfo=UTC), RECOVERY, "recovery-paid", "Dora", {
        "case": CASE, "status": "paid", "amount": "963,75 kr"
    }),
    (datetime(2028, 3, 2, 10, 0, tzinfo=UTC), LATER, "opened", "system", {
        "obligation": "annual-report", "period": "2028", "due": "2028-11-30"
    }),
]  # fmt: skip


async def seed_audit_trail(url: str) -> None:
    """Migrate the database at `url` and write the trail above."""
    await upgrade(url)
    async with open_store(url) as store:
        first = EVENTS[0][0]
        await store.upsert_provider(ORG, "Omsorg i Norr AB", "kontakt@omsorg.example", first)
        await store.record_contract(CONTRACT, ORG, "sundsvall", date(2027, 2, 1), first)
        await store.upsert_recovery(
            CASE,
            ORG,
            "paid",
            Decimal("963.75"),
            EVENTS[-2][0],
            workflow_id=RECOVERY,
            year=2027,
        )
        for n, (at, workflow_id, event_type, actor, details) in enumerate(EVENTS):
            await store.record_audit(f"k{n}", at, ORG, workflow_id, event_type, actor, details)


async def seed_walkthrough(url: str) -> None:
    """The README's walkthrough as run on 7 December 2026: a contract starting 1 February 2027,
    its 2027 annual report handed in and accepted the same day. Nothing happened in 2027 yet,
    though all of it concerns follow-up year 2027."""
    await upgrade(url)
    day = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    async with open_store(url) as store:
        await store.upsert_provider(ORG, "Omsorg i Norr AB", "kontakt@omsorg.example", day)
        await store.record_contract(CONTRACT, ORG, "sundsvall", date(2027, 2, 1), day)
        steps = [
            (CONTRACT, "contract-started", {"plan": "sundsvall"}),
            (ANNUAL, "opened", {"obligation": "annual-report", "period": "2027"}),
            (ANNUAL, "submitted", {"obligation": "annual-report", "period": "2027"}),
            (ANNUAL, "accepted", {"obligation": "annual-report", "period": "2027"}),
        ]
        for n, (workflow_id, event_type, details) in enumerate(steps):
            at = day.replace(minute=n)
            await store.record_audit(f"w{n}", at, ORG, workflow_id, event_type, "Anna", details)
