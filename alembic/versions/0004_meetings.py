"""Follow-up meetings: the meetings table filled in, action items, e-mail attachments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Written by hand and frozen, like 0001: it does not import `models.records`.
`tests/test_migrations.py` checks that the chain creates exactly the ORM schema on SQLite and
PostgreSQL. New columns on existing tables are nullable, so tables that already hold rows can
take them without a server default.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ORG_NR = sa.String(11)
ID = sa.String(200)
KEY = sa.String(100)

MEETING_COLUMNS = ("window_start", "window_end", "ends_at", "link", "sequence", "escalated_at")


def upgrade() -> None:
    op.add_column("meetings", sa.Column("window_start", sa.Date(), nullable=True))
    op.add_column("meetings", sa.Column("window_end", sa.Date(), nullable=True))
    op.add_column("meetings", sa.Column("ends_at", TS, nullable=True))
    op.add_column("meetings", sa.Column("link", sa.String(500), nullable=True))
    op.add_column("meetings", sa.Column("sequence", sa.Integer(), nullable=True))
    op.add_column("meetings", sa.Column("escalated_at", TS, nullable=True))

    op.add_column("notifications", sa.Column("attachments", sa.JSON(), nullable=True))

    op.create_table(
        "meeting_action_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", ID, nullable=False),
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("org_nr", ORG_NR, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("owner", KEY, nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("obligation_workflow_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_action_items")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_meeting_action_items_idempotency_key")
        ),
        sa.UniqueConstraint(
            "meeting_id", "number", name=op.f("uq_meeting_action_items_meeting_id_number")
        ),
    )
    op.create_index(op.f("ix_meeting_action_items_org_nr"), "meeting_action_items", ["org_nr"])


def downgrade() -> None:
    op.drop_table("meeting_action_items")
    # Batch mode: SQLite before 3.35 cannot drop columns, so Alembic rebuilds the table there.
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("attachments")
    with op.batch_alter_table("meetings") as batch:
        for column in reversed(MEETING_COLUMNS):
            batch.drop_column(column)
