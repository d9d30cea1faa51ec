"""Obligation occurrences, their submissions, reviews and escalations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    case,
    func,
    literal,
    select,
)

from models.records.access import snapshot
from models.records.keyed import (
    KeyedStore,
    _documents,
    _given,
    _one_of,
    _org_nr,
)
from models.records.tables import (
    OCCURRENCE_STATUSES,
    REVIEW_OUTCOMES,
    Contract,
    Escalation,
    ObligationOccurrence,
    Provider,
    Review,
    Submission,
    UTCDateTime,
)


@dataclass(frozen=True, slots=True)
class OccurrenceRecord:
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    nominal_due: date
    due: date
    recipient: str
    status: str
    overdue: bool
    escalation_level: int
    submitted_at: datetime | None
    accepted_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    idempotency_key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    submitted_at: datetime
    fields: dict[str, Any]
    documents: list[dict[str, Any]]
    actor: str


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    idempotency_key: str
    workflow_id: str
    outcome: str
    note: str | None
    new_due: date | None
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class EscalationRecord:
    idempotency_key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str
    level: int
    kind: str
    title: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DueRecord:
    """An occurrence with its provider's name (None if the provider is not recorded)."""

    occurrence: OccurrenceRecord
    provider_name: str | None


@dataclass(frozen=True, slots=True)
class OccurrenceEvent:
    """A keyed event of one occurrence (a submission, an escalation): which occurrence, under
    which idempotency key."""

    key: str
    workflow_id: str
    org_nr: str
    obligation: str
    period: str

    def columns(self) -> dict[str, Any]:
        """The columns the event's row starts with."""
        return {
            "idempotency_key": self.key,
            "workflow_id": self.workflow_id,
            "org_nr": _org_nr(self.org_nr),
            "obligation": self.obligation,
            "period": self.period,
        }


class ObligationRecords(KeyedStore):
    async def upsert_occurrence(
        self,
        workflow_id: str,
        org_nr: str,
        obligation: str,
        period: str,
        nominal_due: date,
        due: date,
        recipient: str,
        status: str,
        overdue: bool,
        escalation_level: int,
        at: datetime,
    ) -> bool:
        """Record the occurrence's current state; False if a newer state is already recorded.

        `submitted_at` becomes `at` when the status turns to submitted (again, after a
        completion request), `accepted_at` when it first turns to accepted.
        """
        _one_of("occurrence status", status, OCCURRENCE_STATUSES)
        state = {
            "due": due,
            "recipient": recipient,
            "status": status,
            "overdue": overdue,
            "escalation_level": escalation_level,
        }
        at_value = literal(at, UTCDateTime())
        changes: dict[str, Any] = dict(state)
        if status == "submitted":
            # Compared with the old status: SET expressions see the row before the update.
            changes["submitted_at"] = case(
                (ObligationOccurrence.status == "submitted", ObligationOccurrence.submitted_at),
                else_=at_value,
            )
        if status == "accepted":
            changes["accepted_at"] = func.coalesce(ObligationOccurrence.accepted_at, at_value)
        values = {
            **state,
            "workflow_id": workflow_id,
            "org_nr": _org_nr(org_nr),
            "obligation": obligation,
            "period": period,
            "nominal_due": nominal_due,
            "submitted_at": at if status == "submitted" else None,
            "accepted_at": at if status == "accepted" else None,
        }
        key = ObligationOccurrence.workflow_id == workflow_id
        return await self._upsert(ObligationOccurrence, key, values, changes, at)

    async def get_occurrence(self, workflow_id: str) -> OccurrenceRecord | None:
        return await self._one(
            OccurrenceRecord,
            select(ObligationOccurrence).where(ObligationOccurrence.workflow_id == workflow_id),
        )

    async def list_occurrences(
        self,
        org_nr: str | None = None,
        status: str | None = None,
        overdue: bool | None = None,
    ) -> list[OccurrenceRecord]:
        table = ObligationOccurrence
        conditions = _given(
            (table.org_nr, org_nr), (table.status, status), (table.overdue, overdue)
        )
        return await self._snapshots(
            OccurrenceRecord,
            select(table)
            .where(*conditions)
            .order_by(table.due, table.org_nr, table.obligation, table.period),
        )

    async def record_submission(
        self,
        event: OccurrenceEvent,
        fields: Mapping[str, Any],
        documents: Sequence[Mapping[str, Any]],
        actor: str,
        at: datetime,
    ) -> bool:
        """Record what was handed in; `documents` are {name, path, sha256, size} references."""
        values = {
            **event.columns(),
            "submitted_at": at,
            "fields": dict(fields),
            "documents": _documents(documents),
            "actor": actor,
        }
        return await self._insert_once(Submission, values, Submission.idempotency_key == event.key)

    async def list_submissions(self, workflow_id: str) -> list[SubmissionRecord]:
        return await self._snapshots(
            SubmissionRecord,
            select(Submission)
            .where(Submission.workflow_id == workflow_id)
            .order_by(Submission.submitted_at, Submission.id),
        )

    async def record_review(
        self,
        key: str,
        workflow_id: str,
        outcome: str,
        note: str | None,
        new_due: date | None,
        actor: str,
        at: datetime,
    ) -> bool:
        _one_of("review outcome", outcome, REVIEW_OUTCOMES)
        values = {
            "idempotency_key": key,
            "workflow_id": workflow_id,
            "outcome": outcome,
            "note": note,
            "new_due": new_due,
            "actor": actor,
            "at": at,
        }
        return await self._insert_once(Review, values, Review.idempotency_key == key)

    async def list_reviews(self, workflow_id: str) -> list[ReviewRecord]:
        return await self._snapshots(
            ReviewRecord,
            select(Review).where(Review.workflow_id == workflow_id).order_by(Review.at, Review.id),
        )

    async def record_escalation(
        self,
        event: OccurrenceEvent,
        level: int,
        kind: str,
        title: str,
        at: datetime,
    ) -> bool:
        values = {
            **event.columns(),
            "level": level,
            "kind": kind,
            "title": title,
            "at": at,
        }
        return await self._insert_once(Escalation, values, Escalation.idempotency_key == event.key)

    async def list_escalations(self, org_nr: str | None = None) -> list[EscalationRecord]:
        query = select(Escalation).order_by(Escalation.at, Escalation.id)
        query = query.where(*_given((Escalation.org_nr, org_nr)))
        return await self._snapshots(EscalationRecord, query)

    async def occurrences_due(
        self,
        first: date,
        last: date,
        plan_id: str | None = None,
        org_nr: str | None = None,
        *,
        overdue: bool = False,
        status: str | None = None,
    ) -> list[DueRecord]:
        """Occurrences due from `first` to `last` (both included), by due date, then provider
        name and org nr. `plan_id`: only providers with a contract on that plan; `overdue`:
        only overdue ones; `status`: only those in that state. The filters are the database's
        work: the desk's start page asks for years of occurrences, and turning every one into
        a record to keep a few cost it most of its time (docs/PERFORMANCE.md §6)."""
        table = ObligationOccurrence
        query = (
            select(table, Provider.name.label("provider_name"))
            .outerjoin(Provider, Provider.org_nr == table.org_nr)
            .where(table.due >= first, table.due <= last)
            .order_by(table.due, Provider.name, table.org_nr, table.obligation, table.period)
        )
        if plan_id is not None:
            on_plan = select(Contract.org_nr).where(Contract.plan_id == plan_id)
            query = query.where(table.org_nr.in_(on_plan))
        query = query.where(*_given((table.org_nr, org_nr), (table.status, status)))
        if overdue:
            query = query.where(table.overdue.is_(True))
        return [
            DueRecord(occurrence=snapshot(OccurrenceRecord, row), provider_name=row.provider_name)
            for row in await self._all(query)
        ]

    async def open_escalations(self, org_nr: str) -> list[EscalationRecord]:
        """The provider's escalation steps whose occurrence is not yet settled (neither
        accepted, waived nor cancelled), oldest first."""
        settled = ("accepted", "waived", "cancelled")
        query = (
            select(Escalation)
            .join(ObligationOccurrence, ObligationOccurrence.workflow_id == Escalation.workflow_id)
            .where(Escalation.org_nr == org_nr, ObligationOccurrence.status.not_in(settled))
            .order_by(Escalation.at, Escalation.id)
        )
        return await self._snapshots(EscalationRecord, query)
