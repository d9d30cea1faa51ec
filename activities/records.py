"""Records activities: every outcome goes to the records database exactly once.

Each write is keyed (by workflow id and occurrence), so a retried activity, or a workflow task
replayed after a worker crash, finds its earlier row instead of writing a second one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from temporalio import activity

from models.messages.application import ApplicationWrite, AssessmentWrite
from models.messages.audit import AuditRecord
from models.messages.contract import (
    ContactChange,
    ContractRecord,
    ContractStateRecord,
    ContractYearRecord,
)
from models.messages.meeting import ActionItemWrite, MeetingWrite
from models.messages.obligation import (
    EscalationWrite,
    OccurrenceRecord,
    ReviewWrite,
    SubmissionWrite,
)
from models.records.store import OccurrenceEvent, RecordStore


class RecordActivities:
    def __init__(
        self,
        store: RecordStore,
        on_contract_state: Callable[[ContractStateRecord], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        # Placements follow a terminated contract (activities.placement): hooked here so the
        # contract workflow itself is unchanged.
        self._on_contract_state = on_contract_state

    @activity.defn
    async def record_contract(self, record: ContractRecord) -> None:
        p = record.provider
        await self._store.upsert_provider(p.org_nr, p.name, p.email, record.at)
        await self._store.record_contract(
            record.workflow_id, p.org_nr, record.plan_id, record.contract_start, record.at
        )

    @activity.defn
    async def record_contract_year(self, record: ContractYearRecord) -> None:
        await self._store.record_contract_year(
            record.workflow_id, record.year, record.plan_id, record.plan_version, record.at
        )

    @activity.defn
    async def record_contract_state(self, record: ContractStateRecord) -> None:
        t = record.termination
        await self._store.set_contract_status(
            record.workflow_id,
            record.state,
            record.at,
            end_date=t.end_date if t else None,
            termination_kind=t.kind if t else None,
            reason=t.reason if t else None,
        )
        if self._on_contract_state is not None:
            await self._on_contract_state(record)

    @activity.defn
    async def record_contact(self, change: ContactChange) -> None:
        await self._store.upsert_provider(change.org_nr, change.name, change.email, change.at)

    @activity.defn
    async def record_occurrence(self, record: OccurrenceRecord) -> None:
        await self._store.upsert_occurrence(
            record.workflow_id,
            record.org_nr,
            record.obligation,
            record.period,
            record.nominal_due,
            record.due,
            record.recipient,
            record.status.value,
            record.overdue,
            record.escalation_level,
            record.at,
        )

    @activity.defn
    async def record_submission(self, write: SubmissionWrite) -> bool:
        return await self._store.record_submission(
            OccurrenceEvent(
                write.key, write.workflow_id, write.org_nr, write.obligation, write.period
            ),
            write.fields,
            [
                {"name": d.key, "path": d.filename, "sha256": d.sha256, "size": d.size}
                for d in write.documents
            ],
            write.actor,
            write.at,
        )

    @activity.defn
    async def record_review(self, write: ReviewWrite) -> bool:
        return await self._store.record_review(
            write.key,
            write.workflow_id,
            write.outcome,
            write.note,
            write.new_due,
            write.actor,
            write.at,
        )

    @activity.defn
    async def record_escalation(self, write: EscalationWrite) -> bool:
        return await self._store.record_escalation(
            OccurrenceEvent(
                write.key, write.workflow_id, write.org_nr, write.obligation, write.period
            ),
            write.level,
            write.kind,
            write.title,
            write.at,
        )

    @activity.defn
    async def record_audit(self, record: AuditRecord) -> bool:
        return await self._store.record_audit(
            record.key,
            record.at,
            record.org_nr or None,  # an event of the municipality's own: no provider
            record.workflow_id,
            record.event_type,
            record.actor,
            record.details,
        )

    @activity.defn
    async def record_application(self, record: ApplicationWrite) -> None:
        p = record.provider
        # The applicant's contact address is where acknowledgements and decisions go.
        await self._store.upsert_provider(p.org_nr, p.name, p.email, record.at)
        d = record.decision
        await self._store.upsert_application(
            record.application_id,
            p.org_nr,
            record.state.value,
            record.at,
            submitted_at=record.submitted_at,
            decided_at=d.at if d else None,
            decision=d.outcome if d else None,
            reason=d.reason if d else None,
            data={**record.data, "provider_name": p.name, "email": p.email},
        )

    @activity.defn
    async def record_assessment(self, record: AssessmentWrite) -> None:
        await self._store.record_assessment(
            record.key,
            record.application_id,
            record.org_nr,
            record.requirement,
            record.outcome,
            record.note,
            record.actor,
            record.at,
        )

    @activity.defn
    async def record_meeting(self, record: MeetingWrite) -> bool:
        return await self._store.upsert_meeting(
            record.meeting_id,
            record.org_nr,
            record.period,
            record.status.value,
            record.at,
            scheduled_at=record.starts_at,
            place=record.place,
            minutes=record.minutes,
            window_start=record.window_start,
            window_end=record.window_end,
            ends_at=record.ends_at,
            link=record.link,
            sequence=record.sequence,
            escalated_at=record.escalated_at,
        )

    @activity.defn
    async def record_action_item(self, write: ActionItemWrite) -> bool:
        return await self._store.record_action_item(
            write.key,
            write.meeting_id,
            write.org_nr,
            write.number,
            write.owner,
            write.due,
            write.text,
            write.obligation_workflow_id,
            write.at,
        )
