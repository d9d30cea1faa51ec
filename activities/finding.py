"""Records activity of the finding workflow: one call per step writes the finding's state, the
step, a decision (when the step is one) and the audit event, each keyed so a retry or a
replayed workflow task writes nothing twice."""

from __future__ import annotations

from temporalio import activity

from models.messages.finding import FindingDecision, FindingStepWrite
from models.records.store import RecordStore

# A vite or prisavdrag the plan does not say how to collect is recorded with its amount only.
HANDOFF_NOTE = "to be collected: register it as an återkrav (lov recovery) or on the invoice"


class FindingActivities:
    def __init__(self, store: RecordStore) -> None:
        self._store = store

    @activity.defn
    async def record_finding_step(self, write: FindingStepWrite) -> None:
        decision = write.decision
        await self._store.upsert_finding(
            write.finding_id,
            workflow_id=write.workflow_id,
            org_nr=write.org_nr,
            plan_id=write.plan_id,
            year=write.year,
            status=write.status.value,
            requirement=write.requirement,
            severity=write.severity,
            source=write.source,
            what=write.what,
            round=write.round,
            at=write.at,
            response_due=write.response_due,
            action_plan_due=write.action_plan_due,
            last_decision=decision.kind if decision else None,
            data={"last_step": write.step},
        )
        details = {k: str(v) for k, v in write.details.items()}
        await self._store.record_finding_step(
            write.key,
            write.finding_id,
            write.step,
            write.status.value,
            write.actor,
            write.at,
            details,
        )
        if decision is not None:
            await self._store.record_finding_decision(
                f"{write.key}:decision",
                write.finding_id,
                write.org_nr,
                decision.kind,
                decision.title,
                decision.amount,
                decision.reason,
                decision.actor,
                decision.at,
                _handoff(decision),
            )
        await self._store.record_audit(
            f"{write.key}:audit",
            write.at,
            write.org_nr,
            write.workflow_id,
            f"finding-{write.step}",
            write.actor,
            {
                "finding": write.finding_id,
                "status": write.status.value,
                "requirement": write.requirement,
                **({"amount": str(decision.amount)} if decision and decision.amount else {}),
                **details,
            },
        )


def _handoff(decision: FindingDecision) -> dict[str, str]:
    """The decision record's details: how its amount is collected. "invoice": listed for the
    finance system by its reference (services.findings.sanctions_for_invoicing)."""
    if decision.amount is None:
        return {}
    if decision.collect is not None:
        return {"collect": decision.collect, "invoice_reference": decision.invoice_reference}
    return {"handoff": HANDOFF_NOTE}
