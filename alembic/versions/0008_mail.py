"""Outbox states `retrying` and `uncertain`; uncertain sends counted; a failure's reason.

Revision ID: 0008_mail
Revises: 0007
Create Date: 2026-12-06

Written by hand, like the others. Before, a transient failure being retried showed `failed`,
the same word as a refusal for good; and a message the relay received but never answered was
resent at once, again and again (issue 15). Existing rows keep their status: a `failed` row
of before may have been either, and nothing can tell which now.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008_mail"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("pending", "sent", "failed")
NEW = (*OLD, "retrying", "uncertain")


def _in(values: tuple[str, ...]) -> str:
    return f"status IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table to change a CHECK constraint.
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("ck_notifications_status"), type_="check")
        batch.create_check_constraint(op.f("ck_notifications_status"), _in(NEW))
        batch.add_column(
            sa.Column("uncertain_sends", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("uncertain_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "mail_failures",
        sa.Column("reason", sa.String(30), nullable=False, server_default="refused"),
    )


def downgrade() -> None:
    op.drop_column("mail_failures", "reason")
    # Rows in the new states go back to the nearest old meaning: not (yet) sent.
    op.execute(
        "UPDATE notifications SET status = 'failed' WHERE status IN ('retrying', 'uncertain')"
    )
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("uncertain_at")
        batch.drop_column("uncertain_sends")
        batch.drop_constraint(op.f("ck_notifications_status"), type_="check")
        batch.create_check_constraint(op.f("ck_notifications_status"), _in(OLD))
