"""Records activity of the recovery workflow: one call per step writes the case's state, the
step, the claim lines (when they change) and the audit event, each keyed so a retry or a
replayed workflow task writes nothing twice."""

from __future__ import annotations

from temporalio import activity

from models.domain.money import line_amount
from models.messages.recovery import RecoveryStepWrite
from models.records.store import RecordStore


class RecoveryActivities:
    def __init__(self, store: RecordStore) -> None:
        self._store = store

    @activity.defn
    async def record_recovery_step(self, write: RecoveryStepWrite) -> None:
        await self._store.upsert_recovery(
            write.case_id,
            write.org_nr,
            write.status.value,
            write.amount,
            write.at,
            {"last_step": write.step},
            workflow_id=write.workflow_id,
            year=write.year,
            claimed_amount=write.claimed_amount,
            response=write.response,
            response_due=write.response_due,
            decision=write.decision,
            decision_reason=write.decision_reason,
            settlement=write.settlement,
            invoice_number=write.invoice_number,
            payment_due=write.payment_due,
            paid_at=write.paid_at,
        )
        if write.lines_revision is not None:
            await self._store.record_recovery_lines(
                write.case_id,
                write.lines_revision,
                [{**line.model_dump(), "amount": line_amount(line)} for line in write.lines],
            )
        details = {k: str(v) for k, v in write.details.items()}
        await self._store.record_recovery_step(
            write.key, write.case_id, write.step, write.status.value, write.actor, write.at, details
        )
        await self._store.record_audit(
            f"{write.key}:audit",
            write.at,
            write.org_nr,
            write.workflow_id,
            f"recovery-{write.step}",
            write.actor,
            {
                "case": write.case_id,
                "status": write.status.value,
                "amount": str(write.amount),
                **details,
            },
        )
