"""ORM tables of the records database, the system of record for outcomes.

Temporal keeps the process; these tables keep what happened: submissions, reviews, e-mails sent
(the outbox), escalations and the audit trail, so that reporting across providers and the
auditors' "what did you do about provider X in 2027?" never need workflow history.

Conventions:
- Every timestamp is timezone-aware and stored in UTC (`UTCDateTime`), on SQLite too.
- Business timestamps come from the caller (workflow time), so there are no server defaults.
- Constraint names follow `NAMING_CONVENTION`, so that the hand-written Alembic migration and the
  ORM agree on names and later migrations can drop constraints by name on both engines.
- The migration in `alembic/versions/` must create exactly this schema; `tests/test_db.py`
  compares the two on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Column sizes live in models.domain.limits: input validation (models.domain.inputs) refuses longer
# text with
# the same numbers.
from models.domain.limits import (
    CUSTOMER_REF_LEN,
    EMAIL_LEN,
    ID_LEN,
    KEY_LEN,
    LINK_LEN,
    NAME_LEN,
    ORG_NR_LEN,
    PERIOD_LEN,
    STATUS_LEN,
    TITLE_LEN,
)

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Allowed values of the string "enum" columns. Plain strings with CHECK constraints rather than
# native ENUM types: adding a value later is then a cheap constraint swap on both engines.
CONTRACT_STATUSES: Final = ("active", "terminating", "terminated")
TERMINATION_KINDS: Final = ("uppsagning", "havning")
OCCURRENCE_STATUSES: Final = (
    "upcoming",
    "open",
    "submitted",
    "completion_requested",
    "accepted",
    "waived",
    "cancelled",
)
REVIEW_OUTCOMES: Final = ("accepted", "completion_requested", "waived", "extended")
# pending: claimed, not sent yet; sent; failed: refused for good (mail_failures); retrying: a
# transient failure (no connection, a 4xx), tried again with backoff; uncertain: the relay got
# the whole message but never answered, resent later at most LOV_SMTP_UNCERTAIN_RESENDS times
# (revision 0008).
OUTBOX_STATUSES: Final = ("pending", "sent", "failed", "retrying", "uncertain")
ASSESSMENT_OUTCOMES: Final = ("met", "not_met")
RECOVERY_STATUSES: Final = (
    "noticed",
    "responded",
    "decided",
    "invoiced",
    "set_off",
    "debt_collection",
    "paid",
    "withdrawn",
)
PLACEMENT_STATUSES: Final = ("awaiting_choice", "active", "ended")

# "556036-0793". SQLite has no regular expressions, so the database checks only the shape;
# models.records.store checks the digits, and messages check the Luhn digit (models.domain.orgnr)
# on the way in.
ORG_NR_SHAPE_SQL: Final = "org_nr LIKE '______-____'"


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that `column` holds one of `values` (shared with the migration)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that is always stored, and always read back, in UTC.

    PostgreSQL keeps the instant in `timestamptz`; SQLite has no time zone type, so the value is
    stored as naive UTC text and made aware again on the way out. Naive input is refused: a
    naive time is ambiguous for a municipality that spans the change to summer time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused; pass an aware one")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # The SQLite dialect's DATETIME formatter drops the offset anyway; dropping it after
            # converting to UTC keeps stored text sortable and unambiguous.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
        Decimal: Numeric(12, 2),
    }


class Provider(Base):
    """A provider (utförare), identified by its organisationsnummer."""

    __tablename__ = "providers"
    __table_args__ = (CheckConstraint(ORG_NR_SHAPE_SQL, name="org_nr_format"),)

    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    email: Mapped[str] = mapped_column(String(EMAIL_LEN))  # RFC 5321 maximum
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Contract(Base):
    """One provider contract, i.e. one contract workflow."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint(in_values("status", CONTRACT_STATUSES), name="status"),
        CheckConstraint(
            "termination_kind IS NULL OR " + in_values("termination_kind", TERMINATION_KINDS),
            name="termination_kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    org_nr: Mapped[str] = mapped_column(
        String(ORG_NR_LEN), ForeignKey("providers.org_nr", ondelete="RESTRICT"), index=True
    )
    plan_id: Mapped[str] = mapped_column(String(KEY_LEN))
    start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    end_date: Mapped[date | None]
    termination_kind: Mapped[str | None] = mapped_column(String(STATUS_LEN))
    termination_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ContractYear(Base):
    """Which plan (and version) a contract followed in a follow-up year: auditors ask this."""

    __tablename__ = "contract_years"
    __table_args__ = (UniqueConstraint("workflow_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN))
    year: Mapped[int]
    plan_id: Mapped[str] = mapped_column(String(KEY_LEN))
    plan_version: Mapped[str] = mapped_column(String(KEY_LEN))
    recorded_at: Mapped[datetime]


class Application(Base):
    """An application to become a provider; `data` holds what was applied for and komplettering."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(STATUS_LEN))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApplicationAssessment(Base):
    """One assessment of one skallkrav of an application; a reassessment adds a row."""

    __tablename__ = "application_assessments"
    __table_args__ = (CheckConstraint(in_values("outcome", ASSESSMENT_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    application_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN))
    requirement: Mapped[str] = mapped_column(String(KEY_LEN))
    outcome: Mapped[str] = mapped_column(String(STATUS_LEN))
    note: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[datetime]


class ObligationOccurrence(Base):
    """One occurrence of a plan obligation (one obligation workflow) and its current state."""

    __tablename__ = "obligation_occurrences"
    __table_args__ = (
        CheckConstraint(in_values("status", OCCURRENCE_STATUSES), name="status"),
        # Leading org_nr also serves "everything about provider X" without a separate index.
        Index(None, "org_nr", "obligation", "period"),
        Index(None, "status", "overdue"),
        # Reports select one follow-up year by period (revision 0007).
        Index(None, "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN))
    obligation: Mapped[str] = mapped_column(String(KEY_LEN))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    nominal_due: Mapped[date]  # as written in the plan
    due: Mapped[date]  # after business-day adjustment and extensions
    recipient: Mapped[str] = mapped_column(String(KEY_LEN))  # plan role
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    overdue: Mapped[bool]
    escalation_level: Mapped[int]
    submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Submission(Base):
    """What a provider handed in for an occurrence, as registered by the administrator."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(None, "org_nr", "obligation", "period"),
        Index(None, "period"),  # reports select one follow-up year (revision 0007)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN))
    obligation: Mapped[str] = mapped_column(String(KEY_LEN))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    submitted_at: Mapped[datetime]
    fields: Mapped[dict[str, Any]]
    # [{name, path, sha256, size}]: the files themselves live outside the database.
    documents: Mapped[list[dict[str, Any]]]
    actor: Mapped[str] = mapped_column(String(KEY_LEN))


class Review(Base):
    """The administrator's decision on an occurrence."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint(in_values("outcome", REVIEW_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    outcome: Mapped[str] = mapped_column(String(STATUS_LEN))
    note: Mapped[str | None] = mapped_column(Text)
    new_due: Mapped[date | None]  # set by "extended"
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[datetime]


class Notification(Base):
    """The e-mail outbox: one row per message, claimed before sending so retries resend the
    same Message-ID instead of a second e-mail."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(in_values("status", OUTBOX_STATUSES), name="status"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    message_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    kind: Mapped[str] = mapped_column(String(KEY_LEN))
    org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN), index=True)
    workflow_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    obligation: Mapped[str | None] = mapped_column(String(KEY_LEN))
    period: Mapped[str | None] = mapped_column(String(PERIOD_LEN))
    recipients: Mapped[list[str]]
    subject: Mapped[str] = mapped_column(String(998))  # RFC 5322 line limit
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # [{filename, content_type, content}] (e.g. a meeting's .ics), so a retry resends the same
    # file; NULL for plain text e-mails (revision 0004).
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Sends whose outcome is unknown (status `uncertain`), and when the latest was made: the
    # next resend waits for the backoff from then (revision 0008).
    uncertain_sends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    uncertain_at: Mapped[datetime | None]


class MailFailure(Base):
    """An e-mail the mail server refused for good (a 5xx reply, an unknown recipient, no
    address on record): recorded once per outbox key and reported to the administrator,
    instead of being retried forever (revision 0006)."""

    __tablename__ = "mail_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    kind: Mapped[str] = mapped_column(String(KEY_LEN))
    org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN), index=True)
    workflow_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    # The recipients the server refused; others on the same e-mail may have received it.
    refused: Mapped[list[str]]
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    # Outbox key of the notice to the administrator, once it has been sent.
    notice_key: Mapped[str | None] = mapped_column(String(ID_LEN))
    # "refused" (the server said no) or "uncertain" (sent, resent, never answered: it may have
    # arrived) (revision 0008).
    reason: Mapped[str] = mapped_column(
        String(STATUS_LEN), default="refused", server_default="refused"
    )


class MailOutage(Base):
    """A stretch of time in which every send failed transiently (server down, 4xx replies).

    `open_slot` is 1 while the outage lasts and NULL afterwards: its unique constraint lets only
    one outage be open at a time, even when many activities fail at once (NULLs never clash, on
    SQLite and PostgreSQL alike). `declared_at` is set once the outage has lasted longer than
    the threshold; only declared outages are reported to the administrator (revision 0006).
    """

    __tablename__ = "mail_outages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    open_slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    started_at: Mapped[datetime]
    last_failure_at: Mapped[datetime]
    failures: Mapped[int]
    last_error: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Lease of the worker sending the "server is back" notice, and when it went out.
    notice_claimed_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]


class Escalation(Base):
    """A step on the escalation ladder that was taken for an overdue occurrence."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN))
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    obligation: Mapped[str] = mapped_column(String(KEY_LEN))
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))
    level: Mapped[int]
    kind: Mapped[str] = mapped_column(String(KEY_LEN))
    title: Mapped[str] = mapped_column(String(TITLE_LEN))
    at: Mapped[datetime]


class Meeting(Base):
    """A follow-up meeting (uppföljningsmöte), i.e. one meeting workflow, and its current state.

    The columns after `updated_at` came with revision 0004 and are nullable so the revision
    can add them to a table that may already hold rows.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)  # the workflow id
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))  # "2027-H1"
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    scheduled_at: Mapped[datetime | None]  # when the meeting starts
    place: Mapped[str | None] = mapped_column(String(NAME_LEN))
    # {summary, attendees, actions: [{number, owner, due, text, obligation_workflow_id}], …}
    minutes: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    ends_at: Mapped[datetime | None]
    link: Mapped[str | None] = mapped_column(String(LINK_LEN))
    sequence: Mapped[int | None]  # SEQUENCE of the latest invitation (.ics)
    escalated_at: Mapped[datetime | None]


class MeetingActionItem(Base):
    """An action item from a meeting's minutes; the provider's become obligations."""

    __tablename__ = "meeting_action_items"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    meeting_id: Mapped[str] = mapped_column(String(ID_LEN))
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    number: Mapped[int]
    owner: Mapped[str] = mapped_column(String(KEY_LEN))
    due: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    obligation_workflow_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    created_at: Mapped[datetime]


class Recovery(Base):
    """A recovery (återkrav) case: one recovery workflow, its current state and amounts.

    `claimed_amount` is what the notice asked for (the sum of the noticed lines); `amount` is
    what is owed now: the claim until a decision, then the decided amount (0 when withdrawn).
    Totals per provider and year are summed from these rows, so `year` is the year the case
    was opened, in the plan's time zone.
    """

    __tablename__ = "recoveries"
    __table_args__ = (
        CheckConstraint(in_values("status", RECOVERY_STATUSES), name="status"),
        Index(None, "year", "org_nr"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recovery_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)  # the case id
    workflow_id: Mapped[str] = mapped_column(String(ID_LEN))
    org_nr: Mapped[str] = mapped_column(String(ORG_NR_LEN), index=True)
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    claimed_amount: Mapped[Decimal | None]  # SEK, two decimals
    amount: Mapped[Decimal | None]  # SEK, two decimals
    response: Mapped[str | None] = mapped_column(String(STATUS_LEN))  # accepted | disputed
    response_due: Mapped[date | None]
    decision: Mapped[str | None] = mapped_column(String(STATUS_LEN))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    settlement: Mapped[str | None] = mapped_column(String(STATUS_LEN))  # invoice | set_off
    invoice_number: Mapped[str | None] = mapped_column(String(KEY_LEN))
    payment_due: Mapped[date | None]
    paid_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RecoveryLine(Base):
    """One claim line of a recovery case. Revision 0 holds the lines as noticed; a decision
    that adjusts the lines adds revision 1, so both what was claimed and what was decided
    stay on record."""

    __tablename__ = "recovery_lines"
    __table_args__ = (UniqueConstraint("recovery_id", "revision", "line_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recovery_id: Mapped[str] = mapped_column(
        String(ID_LEN), ForeignKey("recoveries.recovery_id", ondelete="RESTRICT")
    )
    revision: Mapped[int]
    line_no: Mapped[int]
    period: Mapped[str] = mapped_column(String(PERIOD_LEN))  # "2027-03"
    customer_ref: Mapped[str] = mapped_column(
        String(CUSTOMER_REF_LEN)
    )  # pseudonymous, never a personnummer
    hours_billed: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    hours_approved: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    amount: Mapped[Decimal]


class RecoveryStep(Base):
    """A step of a recovery case (notice, response, decision, settlement, reminder, inkasso,
    payment), in the order taken: the case's own trail beside the audit trail."""

    __tablename__ = "recovery_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    recovery_id: Mapped[str] = mapped_column(String(ID_LEN), index=True)
    step: Mapped[str] = mapped_column(String(KEY_LEN))
    status: Mapped[str] = mapped_column(String(STATUS_LEN))  # the case's status after the step
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    at: Mapped[datetime]
    details: Mapped[dict[str, Any]]


class Placement(Base):
    """A customer's placement (one biståndsbeslut) with a provider: kundval, seed 001/003.

    The customer is known only by a pseudonymous reference; no personnummer or name is stored.
    Per-provider statistics (seed 003 §2.2) are read from here.
    """

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint(in_values("status", PLACEMENT_STATUSES), name="status"),
        Index(None, "org_nr", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    placement_id: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    customer_ref: Mapped[str] = mapped_column(String(KEY_LEN))
    area: Mapped[str] = mapped_column(String(KEY_LEN))
    service_type: Mapped[str] = mapped_column(String(KEY_LEN))
    granted_hours: Mapped[Decimal]  # per month
    decision_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(STATUS_LEN))
    org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN))  # the current provider
    pending_org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN))  # switching to
    provider_start: Mapped[date | None]
    care_plan_due: Mapped[date | None]
    care_plan_done_on: Mapped[date | None]
    care_plan_current: Mapped[bool]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditEvent(Base):
    """An append-only audit trail entry: who did what to which provider, when."""

    __tablename__ = "audit_events"
    # Auditors read one provider's trail in time order; the compliance report finds each
    # occurrence's "submitted" events (revision 0007).
    __table_args__ = (Index(None, "org_nr", "at"), Index(None, "workflow_id", "event_type"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(ID_LEN), unique=True)
    at: Mapped[datetime]
    org_nr: Mapped[str | None] = mapped_column(String(ORG_NR_LEN))
    workflow_id: Mapped[str | None] = mapped_column(String(ID_LEN))
    event_type: Mapped[str] = mapped_column(String(KEY_LEN))
    actor: Mapped[str] = mapped_column(String(KEY_LEN))
    details: Mapped[dict[str, Any]]
