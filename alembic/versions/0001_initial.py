"""Initial schema of the records database.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Written by hand and frozen: it does not import `models.records`, so later changes to the ORM
cannot silently change what this revision creates. `tests/test_migrations.py` checks that it creates
exactly the ORM schema on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ORG_NR = sa.String(11)
ID = sa.String(200)
KEY = sa.String(100)
PERIOD = sa.String(20)
STATUS = sa.String(30)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("org_nr", name=op.f("pk_providers")),
        sa.CheckConstraint("org_nr LIKE '______-____'", name=op.f("ck_providers_org_nr_format")),
    )

    op.create_table(
        "contracts",
        _id(),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("plan_id", KEY, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("termination_kind", STATUS, nullable=True),
        sa.Column("termination_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_contracts_workflow_id")),
        sa.ForeignKeyConstraint(
            ["org_nr"],
            ["providers.org_nr"],
            name=op.f("fk_contracts_org_nr_providers"),
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            _in("status", "active", "terminating", "terminated"), name=op.f("ck_contracts_status")
        ),
        sa.CheckConstraint(
            "termination_kind IS NULL OR " + _in("termination_kind", "uppsagning", "havning"),
            name=op.f("ck_contracts_termination_kind"),
        ),
    )
    op.create_index(op.f("ix_contracts_org_nr"), "contracts", ["org_nr"])

    op.create_table(
        "contract_years",
        _id(),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("plan_id", KEY, nullable=False),
        sa.Column("plan_version", KEY, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_years")),
        sa.UniqueConstraint("workflow_id", "year", name=op.f("uq_contract_years_workflow_id_year")),
    )

    op.create_table(
        "applications",
        _id(),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decision", STATUS, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("application_id", name=op.f("uq_applications_application_id")),
    )
    op.create_index(op.f("ix_applications_org_nr"), "applications", ["org_nr"])

    op.create_table(
        "obligation_occurrences",
        _id(),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("obligation", KEY, nullable=False),
        sa.Column("period", PERIOD, nullable=False),
        sa.Column("nominal_due", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("recipient", KEY, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("accepted_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_occurrences")),
        sa.UniqueConstraint("workflow_id", name=op.f("uq_obligation_occurrences_workflow_id")),
        sa.CheckConstraint(
            _in(
                "status",
                "upcoming",
                "open",
                "submitted",
                "completion_requested",
                "accepted",
                "waived",
                "cancelled",
            ),
            name=op.f("ck_obligation_occurrences_status"),
        ),
    )
    op.create_index(
        op.f("ix_obligation_occurrences_org_nr_obligation_period"),
        "obligation_occurrences",
        ["org_nr", "obligation", "period"],
    )
    op.create_index(
        op.f("ix_obligation_occurrences_status_overdue"),
        "obligation_occurrences",
        ["status", "overdue"],
    )

    op.create_table(
        "submissions",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("obligation", KEY, nullable=False),
        sa.Column("period", PERIOD, nullable=False),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("actor", KEY, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submissions_idempotency_key")),
    )
    op.create_index(op.f("ix_submissions_workflow_id"), "submissions", ["workflow_id"])
    op.create_index(
        op.f("ix_submissions_org_nr_obligation_period"),
        "submissions",
        ["org_nr", "obligation", "period"],
    )

    op.create_table(
        "reviews",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("outcome", STATUS, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("actor", KEY, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reviews_idempotency_key")),
        sa.CheckConstraint(
            _in("outcome", "accepted", "completion_requested", "waived", "extended"),
            name=op.f("ck_reviews_outcome"),
        ),
    )
    op.create_index(op.f("ix_reviews_workflow_id"), "reviews", ["workflow_id"])

    op.create_table(
        "notifications",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("kind", KEY, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=True),
        sa.Column("workflow_id", ID, nullable=True),
        sa.Column("obligation", KEY, nullable=True),
        sa.Column("period", PERIOD, nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(998), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_notifications_message_id")),
        sa.CheckConstraint(
            _in("status", "pending", "sent", "failed"), name=op.f("ck_notifications_status")
        ),
    )
    op.create_index(op.f("ix_notifications_org_nr"), "notifications", ["org_nr"])
    op.create_index(op.f("ix_notifications_status"), "notifications", ["status"])

    op.create_table(
        "escalations",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("obligation", KEY, nullable=False),
        sa.Column("period", PERIOD, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", KEY, nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_escalations_idempotency_key")),
    )
    op.create_index(op.f("ix_escalations_org_nr"), "escalations", ["org_nr"])

    op.create_table(
        "meetings",
        _id(),
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("period", PERIOD, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("scheduled_at", TS, nullable=True),
        sa.Column("place", sa.String(300), nullable=True),
        sa.Column("minutes", sa.JSON(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_meetings_meeting_id")),
    )
    op.create_index(op.f("ix_meetings_org_nr"), "meetings", ["org_nr"])

    op.create_table(
        "recoveries",
        _id(),
        sa.Column("recovery_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recoveries")),
        sa.UniqueConstraint("recovery_id", name=op.f("uq_recoveries_recovery_id")),
    )
    op.create_index(op.f("ix_recoveries_org_nr"), "recoveries", ["org_nr"])

    op.create_table(
        "audit_events",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=True),
        sa.Column("workflow_id", ID, nullable=True),
        sa.Column("event_type", KEY, nullable=False),
        sa.Column("actor", KEY, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_audit_events_idempotency_key")),
    )
    op.create_index(op.f("ix_audit_events_org_nr_at"), "audit_events", ["org_nr", "at"])


def downgrade() -> None:
    # Reverse order of creation: contracts refers to providers.
    for table in (
        "audit_events",
        "recoveries",
        "meetings",
        "escalations",
        "notifications",
        "reviews",
        "submissions",
        "obligation_occurrences",
        "applications",
        "contract_years",
        "contracts",
        "providers",
    ):
        op.drop_table(table)
