"""Findings (brister) in a records database, written as the finding workflow writes them: one
`FindingActivities.record_finding_step` per step (the finding's state, the step, a decision,
the audit event). Beside tests/support/compliance_records.py's year (2027), for the compliance
report's finding figures; no Temporal needed.

What the findings hold:
- SOLROS (Sundsvall), registered in 2027:
  - 001 from a visit: a påpekande, then an åtgärdsplan verified as remedied (closed);
  - 002: verification failed; a prisavdrag of 5 000 kr and a vite of 10 000,50 kr (open,
    not remedied);
  - 003: an åtgärdsplan asked for (open);
  - 004 was registered in 2026: not in 2027's figures.
- NORRSKOG (Nordanstig): 001 closed without a verification (withdrawn): not remedied.
- TALLEN and HYGGE: no findings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from activities.finding import FindingActivities
from models.messages.finding import FindingDecision, FindingState, FindingStepWrite
from tests.support.compliance_records import NORRSKOG, SOLROS
from tests.support.db_fixtures import open_store

START = datetime(2027, 3, 1, 9, tzinfo=UTC)
# (org nr, plan, year, number, [(step, status, decision kind, amount)])
Step = tuple[str, FindingState, str | None, Decimal | None]
S = FindingState
FINDINGS: list[tuple[str, str, int, int, list[Step]]] = [
    (
        SOLROS[0],
        "sundsvall",
        2027,
        1,
        [
            ("noticed", S.NOTICED, None, None),
            ("decision-pafpekande", S.NOTICED, "pafpekande", None),
            ("action-plan-requested", S.ACTION_PLAN_REQUESTED, None, None),
            ("action-plan-submitted", S.ACTION_PLAN_SUBMITTED, None, None),
            ("verified-remedied", S.CLOSED, None, None),
        ],
    ),
    (
        SOLROS[0],
        "sundsvall",
        2027,
        2,
        [
            ("noticed", S.NOTICED, None, None),
            ("action-plan-requested", S.ACTION_PLAN_REQUESTED, None, None),
            ("action-plan-submitted", S.ACTION_PLAN_SUBMITTED, None, None),
            ("verified-not-remedied", S.NOT_REMEDIED, None, None),
            ("decision-prisavdrag", S.NOT_REMEDIED, "prisavdrag", Decimal("5000")),
            ("decision-vite", S.NOT_REMEDIED, "vite", Decimal("10000.50")),
        ],
    ),
    (
        SOLROS[0],
        "sundsvall",
        2027,
        3,
        [
            ("noticed", S.NOTICED, None, None),
            ("action-plan-requested", S.ACTION_PLAN_REQUESTED, None, None),
        ],
    ),
    (SOLROS[0], "sundsvall", 2026, 4, [("noticed", S.NOTICED, None, None)]),
    (
        NORRSKOG[0],
        "nordanstig",
        2027,
        1,
        [("noticed", S.NOTICED, None, None), ("closed", S.CLOSED, None, None)],
    ),
]
TITLES = {"pafpekande": "Påpekande", "prisavdrag": "Prisavdrag", "vite": "Vite"}


def finding_id(org_nr: str, year: int, number: int) -> str:
    return f"{org_nr.replace('-', '')}-{year}-{number:03d}"


async def seed_findings(url: str) -> None:
    """Write FINDINGS into the (migrated) database at `url`."""
    async with open_store(url) as store:
        activities = FindingActivities(store)
        for org_nr, plan, year, number, steps in FINDINGS:
            fid = finding_id(org_nr, year, number)
            wid = f"finding-{fid}"
            at = START.replace(year=year) + timedelta(days=number)
            for n, (step, status, kind, amount) in enumerate(steps, 1):
                at += timedelta(days=7)
                decision = (
                    FindingDecision(
                        kind=kind,  # type: ignore[arg-type]
                        title=TITLES[kind],
                        amount=amount,
                        reason=f"Skäl för {TITLES[kind].lower()}",
                        actor="bo",
                        at=at,
                    )
                    if kind
                    else None
                )
                await activities.record_finding_step(
                    FindingStepWrite(
                        key=f"{wid}:step:{n}",
                        finding_id=fid,
                        workflow_id=wid,
                        org_nr=org_nr,
                        plan_id=plan,
                        year=year,
                        step=step,
                        actor="bo" if kind else "kerstin",
                        at=at,
                        status=status,
                        requirement="care-plans",
                        severity="high",
                        source="visit",
                        what="Genomförandeplaner saknas",
                        round=1,
                        decision=decision,
                        details={"reason": decision.reason} if decision else {},
                    )
                )
