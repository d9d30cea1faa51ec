"""Recovery (återkrav) cases: the full `recoveries` table, claim lines and steps.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Written by hand and frozen, like 0001: it does not import `models.records`.

0001 created `recoveries` as a placeholder that nothing wrote outside tests, so it is dropped
and created again with its real columns and CHECK constraint instead of being altered column by
column (SQLite cannot add a CHECK constraint to an existing table without recreating it anyway).
The downgrade restores the placeholder as 0001 created it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ORG_NR = sa.String(11)
ID = sa.String(200)
KEY = sa.String(100)
PERIOD = sa.String(20)
STATUS = sa.String(30)
MONEY = sa.Numeric(12, 2)

STATUSES = (
    "noticed",
    "responded",
    "decided",
    "invoiced",
    "set_off",
    "debt_collection",
    "paid",
    "withdrawn",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.drop_index(op.f("ix_recoveries_org_nr"), table_name="recoveries")
    op.drop_table("recoveries")

    op.create_table(
        "recoveries",
        _id(),
        sa.Column("recovery_id", ID, nullable=False),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("claimed_amount", MONEY, nullable=True),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("response", STATUS, nullable=True),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("decision", STATUS, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("settlement", STATUS, nullable=True),
        sa.Column("invoice_number", KEY, nullable=True),
        sa.Column("payment_due", sa.Date(), nullable=True),
        sa.Column("paid_at", TS, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recoveries")),
        sa.UniqueConstraint("recovery_id", name=op.f("uq_recoveries_recovery_id")),
        sa.CheckConstraint(_in("status", *STATUSES), name=op.f("ck_recoveries_status")),
    )
    op.create_index(op.f("ix_recoveries_org_nr"), "recoveries", ["org_nr"])
    op.create_index(op.f("ix_recoveries_year_org_nr"), "recoveries", ["year", "org_nr"])

    op.create_table(
        "recovery_lines",
        _id(),
        sa.Column("recovery_id", ID, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("period", PERIOD, nullable=False),
        sa.Column("customer_ref", sa.String(40), nullable=False),
        sa.Column("hours_billed", sa.Numeric(9, 2), nullable=False),
        sa.Column("hours_approved", sa.Numeric(9, 2), nullable=False),
        sa.Column("hourly_rate", sa.Numeric(10, 2), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_lines")),
        sa.UniqueConstraint(
            "recovery_id",
            "revision",
            "line_no",
            name=op.f("uq_recovery_lines_recovery_id_revision_line_no"),
        ),
        sa.ForeignKeyConstraint(
            ["recovery_id"],
            ["recoveries.recovery_id"],
            name=op.f("fk_recovery_lines_recovery_id_recoveries"),
            ondelete="RESTRICT",
        ),
    )

    op.create_table(
        "recovery_steps",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("recovery_id", ID, nullable=False),
        sa.Column("step", KEY, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("actor", KEY, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_steps")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_recovery_steps_idempotency_key")),
    )
    op.create_index(op.f("ix_recovery_steps_recovery_id"), "recovery_steps", ["recovery_id"])


def downgrade() -> None:
    op.drop_table("recovery_steps")
    op.drop_table("recovery_lines")
    op.drop_table("recoveries")
    # The placeholder of 0001.
    op.create_table(
        "recoveries",
        _id(),
        sa.Column("recovery_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recoveries")),
        sa.UniqueConstraint("recovery_id", name=op.f("uq_recoveries_recovery_id")),
    )
    op.create_index(op.f("ix_recoveries_org_nr"), "recoveries", ["org_nr"])
