"""Mail incidents: permanent delivery failures and SMTP outages.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Written by hand and frozen, like 0001; must create exactly the tables in models/records.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("org_nr", sa.String(11), nullable=True),
        sa.Column("workflow_id", sa.String(200), nullable=True),
        sa.Column("refused", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notice_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_failures")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_mail_failures_idempotency_key")),
    )
    op.create_index(op.f("ix_mail_failures_org_nr"), "mail_failures", ["org_nr"])
    op.create_table(
        "mail_outages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("open_slot", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outages")),
        sa.UniqueConstraint("open_slot", name=op.f("uq_mail_outages_open_slot")),
    )


def downgrade() -> None:
    op.drop_table("mail_outages")
    op.drop_index(op.f("ix_mail_failures_org_nr"), table_name="mail_failures")
    op.drop_table("mail_failures")
