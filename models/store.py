"""`RecordStore`: the idempotent write and read API of the records database, used by activities.

Temporal retries activities, so every write here may run twice (or concurrently, when a timed-out
attempt is still running). Each write is therefore keyed, by an idempotency key or a natural key,
and the database's unique constraint is the arbiter: the insert runs in its own transaction, and
an `IntegrityError` followed by finding the row under that key means "already written". This
works the same on SQLite and PostgreSQL, with no dialect-specific upsert syntax.

Business timestamps (`at`) come from the caller, i.e. workflow time, so a simulated year records
simulated dates and a retry records the same time as the first attempt.

Reads return frozen dataclass snapshots, never live ORM objects, so callers cannot lazy-load
through a closed session or write by accident.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from models.access import CoreAccess, insert_ignoring_duplicate, snapshot
from models.compliance import OccurrenceFact
from models.records import (
    ASSESSMENT_OUTCOMES,
    CONTRACT_STATUSES,
    OCCURRENCE_STATUSES,
    PLACEMENT_STATUSES,
    RECOVERY_STATUSES,
    REVIEW_OUTCOMES,
    TERMINATION_KINDS,
    Application,
    ApplicationAssessment,
    AuditEvent,
    Base,
    Contract,
    ContractYear,
    Escalation,
    Meeting,
    MeetingActionItem,
    Notification,
    ObligationOccurrence,
    Placement,
    Provider,
    Recovery,
    RecoveryLine,
    RecoveryStep,
    Review,
    Submission,
    UTCDateTime,
)

_ORG_NR = re.compile(r"[0-9]{6}-[0-9]{4}")
_DOCUMENT_KEYS = frozenset({"name", "path", "sha256", "size"})
_LINE_KEYS = ("period", "customer_ref", "hours_billed", "hours_approved", "hourly_rate", "amount")
# An SMTP error can be long (a whole transcript); the outbox keeps enough to diagnose.
_MAX_ERROR_CHARS = 2000


class RecordNotFound(LookupError):
    """An update addressed a row that was never recorded."""


# --- snapshots -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    org_nr: str
    name: str
    email: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContractRecord:
    workflow_id: str
    org_nr: str
    plan_id: str
    start_date: date
    status: str
    end_date: date | None
    termination_kind: str | None
    termination_reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContractYearRecord:
    workflow_id: str
    year: int
    plan_id: str
    plan_version: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    application_id: str
    org_nr: str
    status: str
    submitted_at: datetime | None
    decided_at: datetime | None
    decision: str | None
    reason: str | None
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    idempotency_key: str
    application_id: str
    org_nr: str
    requirement: str
    outcome: str
    note: str
    actor: str
    at: datetime


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
class OutboxEntry:
    """One e-mail of the outbox. `attempts` counts the claims made while it was unsent."""

    idempotency_key: str
    message_id: str
    kind: str
    org_nr: str | None
    workflow_id: str | None
    obligation: str | None
    period: str | None
    recipients: list[str]
    subject: str
    body: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    attachments: list[dict[str, Any]] | None = None
    uncertain_sends: int = 0
    uncertain_at: datetime | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"


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
class MeetingRecord:
    meeting_id: str
    org_nr: str
    period: str
    status: str
    scheduled_at: datetime | None
    place: str | None
    minutes: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    window_start: date | None = None
    window_end: date | None = None
    ends_at: datetime | None = None
    link: str | None = None
    sequence: int | None = None
    escalated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActionItemRecord:
    idempotency_key: str
    meeting_id: str
    org_nr: str
    number: int
    owner: str
    due: date
    text: str
    obligation_workflow_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RecoveryRecord:
    recovery_id: str
    workflow_id: str
    org_nr: str
    year: int
    status: str
    claimed_amount: Decimal | None
    amount: Decimal | None
    response: str | None
    response_due: date | None
    decision: str | None
    decision_reason: str | None
    settlement: str | None
    invoice_number: str | None
    payment_due: date | None
    paid_at: datetime | None
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RecoveryLineRecord:
    recovery_id: str
    revision: int
    line_no: int
    period: str
    customer_ref: str
    hours_billed: Decimal
    hours_approved: Decimal
    hourly_rate: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class RecoveryStepRecord:
    idempotency_key: str
    recovery_id: str
    step: str
    status: str
    actor: str
    at: datetime
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecoveryTotal:
    """Recovery cases of one provider opened in one year (amounts in SEK)."""

    org_nr: str
    year: int
    cases: int
    open_cases: int
    withdrawn_cases: int
    claimed: Decimal  # as noticed
    decided: Decimal  # confirmed or adjusted
    paid: Decimal
    outstanding: Decimal  # decided, not yet paid


@dataclass(frozen=True, slots=True)
class PlacementRecord:
    placement_id: str
    customer_ref: str
    area: str
    service_type: str
    granted_hours: Decimal
    decision_date: date
    status: str
    org_nr: str | None
    pending_org_nr: str | None
    provider_start: date | None
    care_plan_due: date | None
    care_plan_done_on: date | None
    care_plan_current: bool
    end_date: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProviderPlacementStats:
    """Seed 003 §2.2, per provider over its current placements."""

    org_nr: str
    decisions: int
    granted_hours: Decimal
    care_plans_current: int

    @property
    def share_current(self) -> Decimal:
        if not self.decisions:
            return Decimal("0")
        return (Decimal(self.care_plans_current) / Decimal(self.decisions)).quantize(
            Decimal("0.01")
        )


@dataclass(frozen=True, slots=True)
class AuditRecord:
    idempotency_key: str
    at: datetime
    org_nr: str | None
    workflow_id: str | None
    event_type: str
    actor: str
    details: dict[str, Any]


# --- validation ----------------------------------------------------------------------------


def _org_nr(value: str) -> str:
    if not _ORG_NR.fullmatch(value):
        raise ValueError(f"organisationsnummer {value!r} ska skrivas NNNNNN-NNNN")
    return value


def _one_of(what: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{what} {value!r} is not one of {', '.join(allowed)}")


def _period_in_year(period: Any, year: int) -> ColumnElement[bool]:
    """`period` is `year` or starts with `year-`. The range comes first so that both engines
    can use the index on period (a LIKE alone cannot on PostgreSQL's default collation); the
    exact test keeps the meaning."""
    return and_(
        period >= str(year),
        period < str(year + 1),
        or_(period == str(year), period.like(f"{year}-%")),
    )


def _money(amounts: Iterable[Decimal | None]) -> Decimal:
    return sum((a for a in amounts if a is not None), Decimal("0.00")).quantize(Decimal("0.01"))


def _documents(documents: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for document in documents:
        missing = _DOCUMENT_KEYS - document.keys()
        if missing:
            raise ValueError(f"document {dict(document)!r} lacks {', '.join(sorted(missing))}")
        result.append(dict(document))
    return result


# --- the store -----------------------------------------------------------------------------


class RecordStore(CoreAccess):
    async def _insert_once(self, table: type[Base], values: dict[str, Any], *key: Any) -> bool:
        """Insert unless a row under `key` (column == value conditions) exists; True if inserted.

        The unique constraint decides, so two concurrent callers cannot both insert. An
        `IntegrityError` with no row under the key is a real error (a foreign key, a check, or
        a clash on another unique column) and propagates.
        """
        try:
            async with self._transaction() as session:
                await session.execute(insert(table).values(**values))
            return True
        except IntegrityError:
            if await self._first(select(table).where(*key)) is None:
                raise
            return False

    async def _upsert(
        self,
        table: type[Base],
        key: ColumnElement[bool],
        values: dict[str, Any],
        update_values: Mapping[str, Any],
        at: datetime,
    ) -> bool:
        """Insert `values`, or apply `update_values` to the row under `key`; True if written.

        An update carrying a workflow time older than the row's `updated_at` is dropped: a
        late retry of an old activity must not overwrite a newer state.
        """
        stamp: Any = table.updated_at  # type: ignore[attr-defined]
        guarded = update(table).where(key, stamp <= at).values(**update_values, updated_at=at)
        for _ in range(2):
            async with self._transaction() as session:
                if (await session.execute(guarded)).rowcount:  # type: ignore[attr-defined]
                    return True
            if await self._first(select(table).where(key)) is not None:
                return False  # the row is newer than this call
            try:
                async with self._transaction() as session:
                    await session.execute(
                        insert(table).values(**values, created_at=at, updated_at=at)
                    )
                return True
            except IntegrityError:
                # Either a concurrent caller inserted first (the next round updates its row),
                # or the values break another constraint: no row under the key, re-raise.
                if await self._first(select(table).where(key)) is None:
                    raise
        return False

    # --- providers and contracts -----------------------------------------------------------

    async def upsert_provider(self, org_nr: str, name: str, email: str, at: datetime) -> bool:
        values = {"org_nr": _org_nr(org_nr), "name": name, "email": email}
        return await self._upsert(
            Provider, Provider.org_nr == org_nr, values, {"name": name, "email": email}, at
        )

    async def get_provider(
        self, org_nr: str, connection: AsyncConnection | None = None
    ) -> ProviderRecord | None:
        row = await self._first(select(Provider).where(Provider.org_nr == org_nr), connection)
        return None if row is None else snapshot(ProviderRecord, row)

    async def provider_email(
        self, org_nr: str, connection: AsyncConnection | None = None
    ) -> str | None:
        provider = await self.get_provider(org_nr, connection)
        return None if provider is None else provider.email

    async def record_contract(
        self, workflow_id: str, org_nr: str, plan_id: str, start_date: date, at: datetime
    ) -> bool:
        """Record a new active contract; the provider must be recorded first."""
        values = {
            "workflow_id": workflow_id,
            "org_nr": _org_nr(org_nr),
            "plan_id": plan_id,
            "start_date": start_date,
            "status": "active",
            "created_at": at,
            "updated_at": at,
        }
        return await self._insert_once(Contract, values, Contract.workflow_id == workflow_id)

    async def get_contract(self, workflow_id: str) -> ContractRecord | None:
        row = await self._first(select(Contract).where(Contract.workflow_id == workflow_id))
        return None if row is None else snapshot(ContractRecord, row)

    async def set_contract_status(
        self,
        workflow_id: str,
        status: str,
        at: datetime,
        end_date: date | None = None,
        termination_kind: str | None = None,
        reason: str | None = None,
    ) -> None:
        _one_of("contract status", status, CONTRACT_STATUSES)
        if termination_kind is not None:
            _one_of("termination kind", termination_kind, TERMINATION_KINDS)
        # Setting absolute values makes a repeated call a no-op, so no key is needed.
        statement = (
            update(Contract)
            .where(Contract.workflow_id == workflow_id)
            .values(
                status=status,
                end_date=end_date,
                termination_kind=termination_kind,
                termination_reason=reason,
                updated_at=at,
            )
        )
        async with self._transaction() as session:
            if not (await session.execute(statement)).rowcount:  # type: ignore[attr-defined]
                raise RecordNotFound(f"no contract recorded for workflow {workflow_id}")

    async def record_contract_year(
        self, workflow_id: str, year: int, plan_id: str, plan_version: str, at: datetime
    ) -> bool:
        values = {
            "workflow_id": workflow_id,
            "year": year,
            "plan_id": plan_id,
            "plan_version": plan_version,
            "recorded_at": at,
        }
        key = (ContractYear.workflow_id == workflow_id, ContractYear.year == year)
        return await self._insert_once(ContractYear, values, *key)

    async def contract_years(self, workflow_id: str) -> list[ContractYearRecord]:
        rows = await self._all(
            select(ContractYear)
            .where(ContractYear.workflow_id == workflow_id)
            .order_by(ContractYear.year)
        )
        return [snapshot(ContractYearRecord, row) for row in rows]

    # --- obligations -----------------------------------------------------------------------

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
        row = await self._first(
            select(ObligationOccurrence).where(ObligationOccurrence.workflow_id == workflow_id)
        )
        return None if row is None else snapshot(OccurrenceRecord, row)

    async def list_occurrences(
        self,
        org_nr: str | None = None,
        status: str | None = None,
        overdue: bool | None = None,
    ) -> list[OccurrenceRecord]:
        table = ObligationOccurrence
        conditions = []
        if org_nr is not None:
            conditions.append(table.org_nr == org_nr)
        if status is not None:
            conditions.append(table.status == status)
        if overdue is not None:
            conditions.append(table.overdue == overdue)
        rows = await self._all(
            select(table)
            .where(*conditions)
            .order_by(table.due, table.org_nr, table.obligation, table.period)
        )
        return [snapshot(OccurrenceRecord, row) for row in rows]

    # --- reporting ---------------------------------------------------------------------------

    async def provider_names(self) -> dict[str, str]:
        async with self._sessions() as session:
            rows = await session.execute(select(Provider.org_nr, Provider.name))
            return {org_nr: name for org_nr, name in rows.all()}

    async def workflow_org_nrs(self, workflow_ids: Collection[str]) -> dict[str, str]:
        """Workflow id → org nr, for those of `workflow_ids` that are obligations or
        applications (the workflows that go overdue): a sole trader's workflow carries only
        its opaque key in Temporal, and `lov overdue` names the provider by its org nr."""
        ids = sorted(set(workflow_ids))
        if not ids:
            return {}
        occurrences = select(ObligationOccurrence.workflow_id, ObligationOccurrence.org_nr).where(
            ObligationOccurrence.workflow_id.in_(ids)
        )
        applications = select(Application.application_id, Application.org_nr).where(
            Application.application_id.in_(ids)
        )
        rows = await self._all(union_all(occurrences, applications))
        return {workflow_id: org_nr for workflow_id, org_nr in rows}

    async def compliance_facts(self, year: int) -> list[OccurrenceFact]:
        """Every occurrence of follow-up year `year`, with its first submission's lateness.

        Two queries whatever the number of providers: the occurrences, and the "submitted"
        outcomes of those occurrences (their audit details carry the lateness as computed by the
        workflow against the deadline then in force).
        """
        occ = ObligationOccurrence
        in_year = _period_in_year(occ.period, year)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(
                        occ.workflow_id, occ.org_nr, occ.obligation, occ.period, occ.due, occ.status
                    ).where(in_year)
                )
            ).all()
            submitted = (
                await session.execute(
                    select(AuditEvent.workflow_id, AuditEvent.details)
                    .join(occ, occ.workflow_id == AuditEvent.workflow_id)
                    .where(in_year, AuditEvent.event_type == "submitted")
                    .order_by(AuditEvent.at, AuditEvent.id)
                )
            ).all()
        first: dict[str, int] = {}
        for workflow_id, details in submitted:
            first.setdefault(workflow_id, int(details.get("late_days", 0)))
        return [
            OccurrenceFact(org_nr, obligation, period, due, status, first.get(workflow_id))
            for workflow_id, org_nr, obligation, period, due, status in rows
        ]

    async def latest_report_fields(self, year: int, key: str) -> dict[str, dict[str, Any]]:
        """Per provider, the fields of its latest submission of `year` that reports `key`."""
        sub = Submission
        in_year = _period_in_year(sub.period, year)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(sub.org_nr, sub.fields).where(in_year).order_by(sub.submitted_at, sub.id)
                )
            ).all()
        latest: dict[str, dict[str, Any]] = {}
        for org_nr, fields in rows:
            if key in fields:
                latest[org_nr] = dict(fields)
        return latest

    async def record_submission(
        self,
        key: str,
        workflow_id: str,
        org_nr: str,
        obligation: str,
        period: str,
        fields: Mapping[str, Any],
        documents: Sequence[Mapping[str, Any]],
        actor: str,
        at: datetime,
    ) -> bool:
        """Record what was handed in; `documents` are {name, path, sha256, size} references."""
        values = {
            "idempotency_key": key,
            "workflow_id": workflow_id,
            "org_nr": _org_nr(org_nr),
            "obligation": obligation,
            "period": period,
            "submitted_at": at,
            "fields": dict(fields),
            "documents": _documents(documents),
            "actor": actor,
        }
        return await self._insert_once(Submission, values, Submission.idempotency_key == key)

    async def list_submissions(self, workflow_id: str) -> list[SubmissionRecord]:
        rows = await self._all(
            select(Submission)
            .where(Submission.workflow_id == workflow_id)
            .order_by(Submission.submitted_at, Submission.id)
        )
        return [snapshot(SubmissionRecord, row) for row in rows]

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
        rows = await self._all(
            select(Review).where(Review.workflow_id == workflow_id).order_by(Review.at, Review.id)
        )
        return [snapshot(ReviewRecord, row) for row in rows]

    async def record_escalation(
        self,
        key: str,
        workflow_id: str,
        org_nr: str,
        obligation: str,
        period: str,
        level: int,
        kind: str,
        title: str,
        at: datetime,
    ) -> bool:
        values = {
            "idempotency_key": key,
            "workflow_id": workflow_id,
            "org_nr": _org_nr(org_nr),
            "obligation": obligation,
            "period": period,
            "level": level,
            "kind": kind,
            "title": title,
            "at": at,
        }
        return await self._insert_once(Escalation, values, Escalation.idempotency_key == key)

    async def list_escalations(self, org_nr: str | None = None) -> list[EscalationRecord]:
        query = select(Escalation).order_by(Escalation.at, Escalation.id)
        if org_nr is not None:
            query = query.where(Escalation.org_nr == org_nr)
        return [snapshot(EscalationRecord, row) for row in await self._all(query)]

    # --- audit -----------------------------------------------------------------------------

    async def record_audit(
        self,
        key: str,
        at: datetime,
        org_nr: str | None,
        workflow_id: str | None,
        event_type: str,
        actor: str,
        details: Mapping[str, Any],
    ) -> bool:
        values = {
            "idempotency_key": key,
            "at": at,
            "org_nr": None if org_nr is None else _org_nr(org_nr),
            "workflow_id": workflow_id,
            "event_type": event_type,
            "actor": actor,
            "details": dict(details),
        }
        return await self._insert_once(AuditEvent, values, AuditEvent.idempotency_key == key)

    async def list_audit(self, org_nr: str | None = None) -> list[AuditRecord]:
        query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
        if org_nr is not None:
            query = query.where(AuditEvent.org_nr == org_nr)
        return [snapshot(AuditRecord, row) for row in await self._all(query)]

    # --- outbox ----------------------------------------------------------------------------

    async def claim_outbox(
        self,
        key: str,
        message_id: str,
        kind: str,
        org_nr: str | None,
        workflow_id: str | None,
        obligation: str | None,
        period: str | None,
        recipients: Sequence[str],
        subject: str,
        body: str,
        at: datetime,
        attachments: Sequence[Mapping[str, Any]] = (),
        connection: AsyncConnection | None = None,
    ) -> OutboxEntry:
        """Claim the e-mail under `key` before sending it.

        The first claim writes the row (pending, attempts 1). A later claim (an activity retry)
        returns the row as first written (same Message-ID, subject, body) so the resend is
        recognisably the same e-mail; it counts one more attempt unless the e-mail was already
        sent, in which case the caller must not send again.
        """
        values = {
            "idempotency_key": key,
            "message_id": message_id,
            "kind": kind,
            "org_nr": None if org_nr is None else _org_nr(org_nr),
            "workflow_id": workflow_id,
            "obligation": obligation,
            "period": period,
            "recipients": list(recipients),
            "subject": subject,
            "body": body,
            "status": "pending",
            "attempts": 1,
            "created_at": at,
            "attachments": [dict(a) for a in attachments] or None,
        }
        # One transaction: every e-mail is claimed once per attempt, so its round trips count
        # (docs/PERFORMANCE.md). The insert yields to an existing row under the key only; any
        # other constraint still fails loudly.
        async with self._within(connection) as tx:
            insert_once = insert_ignoring_duplicate(tx, Notification, "idempotency_key")
            if not (await tx.execute(insert_once.values(**values))).rowcount:
                bump = (
                    update(Notification)
                    .where(Notification.idempotency_key == key, Notification.status != "sent")
                    .values(attempts=Notification.attempts + 1)
                )
                await tx.execute(bump)
            query = select(Notification).where(Notification.idempotency_key == key)
            row = (await tx.execute(query)).first()
        assert row is not None  # written or found above; rows are never deleted
        return snapshot(OutboxEntry, row)

    async def get_outbox(self, key: str) -> OutboxEntry | None:
        row = await self._first(select(Notification).where(Notification.idempotency_key == key))
        return None if row is None else snapshot(OutboxEntry, row)

    async def mark_sent(
        self, key: str, at: datetime, connection: AsyncConnection | None = None
    ) -> None:
        """Mark the e-mail sent; a repeated call keeps the first `sent_at`."""
        statement = (
            update(Notification)
            .where(Notification.idempotency_key == key)
            .values(
                status="sent",
                sent_at=func.coalesce(Notification.sent_at, literal(at, UTCDateTime())),
            )
        )
        await self._update_outbox(key, statement, connection)

    async def mark_failed(self, key: str, error: str) -> None:
        """Record that the server refused the e-mail for good; an e-mail already sent stays
        sent."""
        await self._mark_unsent(key, "failed", error)

    async def mark_retrying(self, key: str, error: str) -> None:
        """Record a transient failure (no connection, a 4xx reply): it is tried again."""
        await self._mark_unsent(key, "retrying", error)

    async def _mark_unsent(self, key: str, status: str, error: str) -> None:
        statement = (
            update(Notification)
            .where(Notification.idempotency_key == key, Notification.status != "sent")
            .values(status=status, last_error=error[:_MAX_ERROR_CHARS])
        )
        await self._update_outbox(key, statement)

    async def mark_uncertain(self, key: str, error: str, at: datetime) -> OutboxEntry:
        """Record a send whose outcome is unknown (the relay got the message and never
        answered): one more uncertain send, made at `at`. Returns the row as it is now."""
        statement = (
            update(Notification)
            .where(Notification.idempotency_key == key, Notification.status != "sent")
            .values(
                status="uncertain",
                last_error=error[:_MAX_ERROR_CHARS],
                uncertain_sends=Notification.uncertain_sends + 1,
                uncertain_at=at,
            )
        )
        await self._update_outbox(key, statement)
        found = await self.get_outbox(key)
        assert found is not None  # _update_outbox raised otherwise
        return found

    async def _update_outbox(
        self, key: str, statement: Any, connection: AsyncConnection | None = None
    ) -> None:
        async with self._within(connection) as tx:
            if (await tx.execute(statement)).rowcount:
                return
            # Nothing updated: the row's state made the statement a no-op, or there is no row.
            query = select(Notification.id).where(Notification.idempotency_key == key)
            if await self._first(query, tx) is None:
                raise RecordNotFound(f"no outbox entry under key {key}")

    async def list_notifications(self, org_nr: str | None = None) -> list[OutboxEntry]:
        query = select(Notification).order_by(Notification.created_at, Notification.id)
        if org_nr is not None:
            query = query.where(Notification.org_nr == org_nr)
        return [snapshot(OutboxEntry, row) for row in await self._all(query)]

    # --- applications, meetings, recoveries (minimal until their issues) --------------------

    async def upsert_application(
        self,
        application_id: str,
        org_nr: str,
        status: str,
        at: datetime,
        submitted_at: datetime | None = None,
        decided_at: datetime | None = None,
        decision: str | None = None,
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> bool:
        state = {
            "status": status,
            "submitted_at": submitted_at,
            "decided_at": decided_at,
            "decision": decision,
            "reason": reason,
            "data": dict(data or {}),
        }
        values = {**state, "application_id": application_id, "org_nr": _org_nr(org_nr)}
        key = Application.application_id == application_id
        return await self._upsert(Application, key, values, state, at)

    async def get_application(self, application_id: str) -> ApplicationRecord | None:
        row = await self._first(
            select(Application).where(Application.application_id == application_id)
        )
        return None if row is None else snapshot(ApplicationRecord, row)

    async def list_applications(self, org_nr: str | None = None) -> list[ApplicationRecord]:
        query = select(Application).order_by(Application.submitted_at, Application.id)
        if org_nr is not None:
            query = query.where(Application.org_nr == org_nr)
        return [snapshot(ApplicationRecord, row) for row in await self._all(query)]

    async def record_assessment(
        self,
        key: str,
        application_id: str,
        org_nr: str,
        requirement: str,
        outcome: str,
        note: str,
        actor: str,
        at: datetime,
    ) -> bool:
        _one_of("outcome", outcome, ASSESSMENT_OUTCOMES)
        values = {
            "idempotency_key": key,
            "application_id": application_id,
            "org_nr": _org_nr(org_nr),
            "requirement": requirement,
            "outcome": outcome,
            "note": note,
            "actor": actor,
            "at": at,
        }
        return await self._insert_once(
            ApplicationAssessment, values, ApplicationAssessment.idempotency_key == key
        )

    async def list_assessments(self, application_id: str) -> list[AssessmentRecord]:
        query = (
            select(ApplicationAssessment)
            .where(ApplicationAssessment.application_id == application_id)
            .order_by(ApplicationAssessment.at, ApplicationAssessment.id)
        )
        return [snapshot(AssessmentRecord, row) for row in await self._all(query)]

    async def upsert_meeting(
        self,
        meeting_id: str,
        org_nr: str,
        period: str,
        status: str,
        at: datetime,
        scheduled_at: datetime | None = None,
        place: str | None = None,
        minutes: Mapping[str, Any] | None = None,
        window_start: date | None = None,
        window_end: date | None = None,
        ends_at: datetime | None = None,
        link: str | None = None,
        sequence: int | None = None,
        escalated_at: datetime | None = None,
    ) -> bool:
        """Record the meeting's current state (absolute values: a repeat is a no-op); False if
        a newer state is already recorded."""
        state = {
            "status": status,
            "scheduled_at": scheduled_at,
            "place": place,
            "minutes": None if minutes is None else dict(minutes),
            "window_start": window_start,
            "window_end": window_end,
            "ends_at": ends_at,
            "link": link,
            "sequence": sequence,
            "escalated_at": escalated_at,
        }
        values = {**state, "meeting_id": meeting_id, "org_nr": _org_nr(org_nr), "period": period}
        return await self._upsert(Meeting, Meeting.meeting_id == meeting_id, values, state, at)

    async def get_meeting(self, meeting_id: str) -> MeetingRecord | None:
        row = await self._first(select(Meeting).where(Meeting.meeting_id == meeting_id))
        return None if row is None else snapshot(MeetingRecord, row)

    async def list_meetings(self, org_nr: str | None = None) -> list[MeetingRecord]:
        query = select(Meeting).order_by(Meeting.org_nr, Meeting.period)
        if org_nr is not None:
            query = query.where(Meeting.org_nr == org_nr)
        return [snapshot(MeetingRecord, row) for row in await self._all(query)]

    async def record_action_item(
        self,
        key: str,
        meeting_id: str,
        org_nr: str,
        number: int,
        owner: str,
        due: date,
        text: str,
        obligation_workflow_id: str | None,
        at: datetime,
    ) -> bool:
        values = {
            "idempotency_key": key,
            "meeting_id": meeting_id,
            "org_nr": _org_nr(org_nr),
            "number": number,
            "owner": owner,
            "due": due,
            "text": text,
            "obligation_workflow_id": obligation_workflow_id,
            "created_at": at,
        }
        return await self._insert_once(
            MeetingActionItem, values, MeetingActionItem.idempotency_key == key
        )

    async def list_action_items(self, meeting_id: str) -> list[ActionItemRecord]:
        rows = await self._all(
            select(MeetingActionItem)
            .where(MeetingActionItem.meeting_id == meeting_id)
            .order_by(MeetingActionItem.number)
        )
        return [snapshot(ActionItemRecord, row) for row in rows]

    # --- recoveries (återkrav) ---------------------------------------------------------------

    async def upsert_recovery(
        self,
        recovery_id: str,
        org_nr: str,
        status: str,
        amount: Decimal | None,
        at: datetime,
        data: Mapping[str, Any] | None = None,
        *,
        workflow_id: str | None = None,
        year: int | None = None,
        claimed_amount: Decimal | None = None,
        response: str | None = None,
        response_due: date | None = None,
        decision: str | None = None,
        decision_reason: str | None = None,
        settlement: str | None = None,
        invoice_number: str | None = None,
        payment_due: date | None = None,
        paid_at: datetime | None = None,
    ) -> bool:
        """Record a case's whole current state (the workflow always sends all of it), so a
        repeated call is a no-op and an older state never overwrites a newer one."""
        _one_of("recovery status", status, RECOVERY_STATUSES)
        state = {
            "status": status,
            "amount": amount,
            "claimed_amount": claimed_amount,
            "response": response,
            "response_due": response_due,
            "decision": decision,
            "decision_reason": decision_reason,
            "settlement": settlement,
            "invoice_number": invoice_number,
            "payment_due": payment_due,
            "paid_at": paid_at,
            "data": dict(data or {}),
        }
        values = {
            **state,
            "recovery_id": recovery_id,
            "workflow_id": workflow_id or recovery_id,
            "org_nr": _org_nr(org_nr),
            "year": year if year is not None else at.year,
        }
        key = Recovery.recovery_id == recovery_id
        return await self._upsert(Recovery, key, values, state, at)

    async def get_recovery(self, recovery_id: str) -> RecoveryRecord | None:
        row = await self._first(select(Recovery).where(Recovery.recovery_id == recovery_id))
        return None if row is None else snapshot(RecoveryRecord, row)

    async def list_recoveries(
        self, org_nr: str | None = None, year: int | None = None
    ) -> list[RecoveryRecord]:
        query = select(Recovery).order_by(Recovery.year, Recovery.org_nr, Recovery.recovery_id)
        if org_nr is not None:
            query = query.where(Recovery.org_nr == org_nr)
        if year is not None:
            query = query.where(Recovery.year == year)
        return [snapshot(RecoveryRecord, row) for row in await self._all(query)]

    async def record_recovery_lines(
        self, recovery_id: str, revision: int, lines: Sequence[Mapping[str, Any]]
    ) -> int:
        """Record a revision of a case's claim lines (numbered from 1); returns rows written.

        `lines` are {period, customer_ref, hours_billed, hours_approved, hourly_rate, amount};
        each line is keyed by (case, revision, line number), so a retry writes nothing twice.
        """
        written = 0
        for line_no, line in enumerate(lines, 1):
            values = {
                "recovery_id": recovery_id,
                "revision": revision,
                "line_no": line_no,
                **{name: line[name] for name in _LINE_KEYS},
            }
            key = (
                RecoveryLine.recovery_id == recovery_id,
                RecoveryLine.revision == revision,
                RecoveryLine.line_no == line_no,
            )
            written += await self._insert_once(RecoveryLine, values, *key)
        return written

    async def list_recovery_lines(
        self, recovery_id: str, revision: int | None = None
    ) -> list[RecoveryLineRecord]:
        query = (
            select(RecoveryLine)
            .where(RecoveryLine.recovery_id == recovery_id)
            .order_by(RecoveryLine.revision, RecoveryLine.line_no)
        )
        if revision is not None:
            query = query.where(RecoveryLine.revision == revision)
        return [snapshot(RecoveryLineRecord, row) for row in await self._all(query)]

    async def record_recovery_step(
        self,
        key: str,
        recovery_id: str,
        step: str,
        status: str,
        actor: str,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> bool:
        _one_of("recovery status", status, RECOVERY_STATUSES)
        values = {
            "idempotency_key": key,
            "recovery_id": recovery_id,
            "step": step,
            "status": status,
            "actor": actor,
            "at": at,
            "details": dict(details or {}),
        }
        return await self._insert_once(RecoveryStep, values, RecoveryStep.idempotency_key == key)

    async def list_recovery_steps(self, recovery_id: str) -> list[RecoveryStepRecord]:
        query = (
            select(RecoveryStep)
            .where(RecoveryStep.recovery_id == recovery_id)
            .order_by(RecoveryStep.at, RecoveryStep.id)
        )
        return [snapshot(RecoveryStepRecord, row) for row in await self._all(query)]

    async def recovery_totals(
        self, org_nr: str | None = None, year: int | None = None
    ) -> list[RecoveryTotal]:
        """Per provider and year: cases, amounts claimed, decided, paid and still owed.

        Summed here with Decimal rather than by SQL SUM: SQLite keeps NUMERIC as floating
        point, and a sum of many öre amounts must not drift.
        """
        groups: dict[tuple[str, int], list[RecoveryRecord]] = {}
        for record in await self.list_recoveries(org_nr, year):
            groups.setdefault((record.org_nr, record.year), []).append(record)
        totals = []
        for (org, the_year), cases in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
            decided = [c for c in cases if c.decision in ("confirmed", "adjusted")]
            paid = [c for c in decided if c.status == "paid"]
            totals.append(
                RecoveryTotal(
                    org_nr=org,
                    year=the_year,
                    cases=len(cases),
                    open_cases=sum(c.status not in ("paid", "withdrawn") for c in cases),
                    withdrawn_cases=sum(c.status == "withdrawn" for c in cases),
                    claimed=_money(c.claimed_amount for c in cases),
                    decided=_money(c.amount for c in decided),
                    paid=_money(c.amount for c in paid),
                    outstanding=_money(c.amount for c in decided if c.status != "paid"),
                )
            )
        return totals

    # --- placements (kundval) ---------------------------------------------------------------

    async def upsert_placement(
        self,
        placement_id: str,
        *,
        customer_ref: str,
        area: str,
        service_type: str,
        granted_hours: Decimal,
        decision_date: date,
        status: str,
        org_nr: str | None,
        pending_org_nr: str | None,
        provider_start: date | None,
        care_plan_due: date | None,
        care_plan_done_on: date | None,
        care_plan_current: bool,
        end_date: date | None,
        at: datetime,
    ) -> bool:
        _one_of("placement status", status, PLACEMENT_STATUSES)
        if not isinstance(granted_hours, Decimal):
            raise TypeError("granted_hours: Decimal required (never float)")
        state = {
            "status": status,
            "org_nr": None if org_nr is None else _org_nr(org_nr),
            "pending_org_nr": None if pending_org_nr is None else _org_nr(pending_org_nr),
            "provider_start": provider_start,
            "care_plan_due": care_plan_due,
            "care_plan_done_on": care_plan_done_on,
            "care_plan_current": care_plan_current,
            "end_date": end_date,
        }
        values = {
            **state,
            "placement_id": placement_id,
            "customer_ref": customer_ref,
            "area": area,
            "service_type": service_type,
            "granted_hours": granted_hours,
            "decision_date": decision_date,
        }
        key = Placement.placement_id == placement_id
        return await self._upsert(Placement, key, values, state, at)

    async def get_placement(self, placement_id: str) -> PlacementRecord | None:
        row = await self._first(select(Placement).where(Placement.placement_id == placement_id))
        return None if row is None else snapshot(PlacementRecord, row)

    async def current_placements(self, org_nr: str) -> list[str]:
        """Ids of the placements not ended that `org_nr` serves or is about to take over."""
        query = (
            select(Placement.placement_id)
            .where(
                Placement.status != "ended",
                (Placement.org_nr == org_nr) | (Placement.pending_org_nr == org_nr),
            )
            .order_by(Placement.id)
        )
        async with self._sessions() as session:
            return list((await session.execute(query)).scalars().all())

    async def placement_statistics(self) -> list[ProviderPlacementStats]:
        """Per provider: decisions, granted hours and current genomförandeplaner (active ones)."""
        current = func.sum(case((Placement.care_plan_current, 1), else_=0))
        query = (
            select(
                Placement.org_nr,
                func.count(Placement.id),
                func.sum(Placement.granted_hours),
                current,
            )
            .where(Placement.status == "active", Placement.org_nr.is_not(None))
            .group_by(Placement.org_nr)
            .order_by(Placement.org_nr)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            ProviderPlacementStats(
                org_nr=org_nr,
                decisions=int(count),
                # SQLite sums NUMERIC as float; go through str so no binary fraction survives.
                granted_hours=Decimal(str(hours)).quantize(Decimal("0.01")),
                care_plans_current=int(done or 0),
            )
            for org_nr, count, hours, done in rows
        ]
