"""`services.application_records.recorded_application` on a real records database (SQLite and
PostgreSQL): the application as the records hold it, the plan's whole checklist in plan order
with each latest assessment, an assessed key the plan no longer has kept at the end."""

from __future__ import annotations

from datetime import date, timedelta

from models.messages.application import ApplicationState
from models.plans.loader import load_plan
from models.runtime.settings import PROJECT_ROOT
from services.application_records import recorded_application
from tests.support.desk import records
from tests.support.listings import AT, seed_records

PLANS = PROJECT_ROOT / "plans"
WID = "application-5560360793-2"


async def test_the_checklist_and_the_latest_assessments(database_url: str) -> None:
    await seed_records(database_url)
    async with records(database_url) as store:
        await store.upsert_application(
            WID,
            "556036-0793",
            "completion_requested",
            AT + timedelta(days=500),
            submitted_at=AT,
            data={
                "provider_name": "Omsorg i Norr AB",
                "email": "ansokan@omsorg.example",
                "plan_id": "sundsvall",
                "plan_version": "2026-1",
                "decision_due": "2027-03-08",
                "areas": ["Centrum"],
                "service_types": ["omvårdnad"],
                "completions": [
                    {
                        "items": ["Försäkringsbrev"],
                        "due": "2027-02-01",
                        "note": "",
                        "requested_by": "bo",
                        "requested_at": AT.isoformat(),
                    },
                    {"an older shape": True},
                ],
            },
        )
        for n, (key, outcome) in enumerate(
            [("insurance", "not_met"), ("insurance", "met"), ("retired-key", "met")]
        ):
            at = AT + timedelta(hours=n)
            await store.record_assessment(
                f"{WID}:{n}", WID, "556036-0793", key, outcome, f"anteckning {n}", "bo", at
            )
        found = await recorded_application(store, WID, PLANS)
        assert await recorded_application(store, "application-5560360793-77", PLANS) is None

    assert found is not None
    plan = load_plan("sundsvall", PLANS)
    assert [a.key for a in found.checklist] == [k.key for k in plan.skallkrav] + ["retired-key"]
    insurance = next(a for a in found.checklist if a.key == "insurance")
    assert (insurance.title, insurance.outcome, insurance.note) == (
        "Försäkringar",
        "met",
        "anteckning 1",
    )
    assert sum(a.outcome is None for a in found.checklist) == len(plan.skallkrav) - 1
    assert found.state == ApplicationState.COMPLETION_REQUESTED
    assert found.decision_due == date(2027, 3, 8) and found.decision is None
    # The round in an older shape is left out, not a failure.
    assert [c.items for c in found.completions] == [["Försäkringsbrev"]]
    assert found.open_completion is not None


async def test_a_decision_from_the_row(database_url: str) -> None:
    await seed_records(database_url)
    async with records(database_url) as store:
        found = await recorded_application(store, "application-5560360793-1", PLANS)
    assert found is not None and found.state == ApplicationState.REJECTED
    assert found.decision is not None and found.decision.outcome == "rejected"
