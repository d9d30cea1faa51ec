"""Findings (brister): the `findings` table, their steps and sanction decisions.

Revision ID: 0013_findings
Revises: 0012_placement_plan
Create Date: 2026-12-07

Written by hand and frozen, like the others: it does not import `models.records`. New tables
only, so nothing existing is touched and the downgrade drops them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013_findings"
down_revision: str | None = "0012_placement_plan"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ORG_NR = sa.String(11)
ID = sa.String(200)
KEY = sa.String(100)
STATUS = sa.String(30)
MONEY = sa.Numeric(12, 2)

STATUSES = (
    "noticed",
    "responded",
    "action_plan_requested",
    "action_plan_late",
    "action_plan_submitted",
    "not_remedied",
    "closed",
)
SEVERITIES = ("low", "medium", "high")
SOURCES = ("review", "visit", "survey", "meeting", "own")
SANCTIONS = ("pafpekande", "prisavdrag", "vite", "havning")


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _in(column: str, *values: str) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def upgrade() -> None:
    op.create_table(
        "findings",
        _id(),
        sa.Column("finding_id", ID, nullable=False),
        sa.Column("workflow_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("plan_id", KEY, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("requirement", KEY, nullable=False),
        sa.Column("severity", STATUS, nullable=False),
        sa.Column("source", STATUS, nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("action_plan_due", sa.Date(), nullable=True),
        sa.Column("last_decision", STATUS, nullable=True),
        sa.Column("sanctioned_amount", MONEY, nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_findings_finding_id")),
        sa.CheckConstraint(_in("status", *STATUSES), name=op.f("ck_findings_status")),
        sa.CheckConstraint(_in("severity", *SEVERITIES), name=op.f("ck_findings_severity")),
        sa.CheckConstraint(_in("source", *SOURCES), name=op.f("ck_findings_source")),
    )
    op.create_index(op.f("ix_findings_org_nr"), "findings", ["org_nr"])
    op.create_index(op.f("ix_findings_year_org_nr"), "findings", ["year", "org_nr"])

    op.create_table(
        "finding_steps",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("finding_id", ID, nullable=False),
        sa.Column("step", KEY, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("actor", KEY, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_steps")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_finding_steps_idempotency_key")),
    )
    op.create_index(op.f("ix_finding_steps_finding_id"), "finding_steps", ["finding_id"])

    op.create_table(
        "finding_decisions",
        _id(),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("finding_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("kind", STATUS, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", KEY, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_decisions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_finding_decisions_idempotency_key")),
        sa.CheckConstraint(_in("kind", *SANCTIONS), name=op.f("ck_finding_decisions_kind")),
    )
    op.create_index(op.f("ix_finding_decisions_finding_id"), "finding_decisions", ["finding_id"])
    op.create_index(op.f("ix_finding_decisions_org_nr"), "finding_decisions", ["org_nr"])


def downgrade() -> None:
    op.drop_table("finding_decisions")
    op.drop_table("finding_steps")
    op.drop_table("findings")
