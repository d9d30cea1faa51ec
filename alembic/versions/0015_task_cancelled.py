"""A municipal task cancelled (its provider's contract ended before it was due) keeps its row.

Revision ID: 0015_task_cancelled
Revises: 0014_municipal_tasks
Create Date: 2026-12-07

Written by hand, like the others. The municipal duties workflow's `remove_municipal_task`
deleted such a task's row; the auditors would rather keep it, so it now sets the state
`cancelled`, which the state check must allow. Nothing to backfill: rows deleted before are
gone (the audit trail's `municipal-task-cancelled` events still say which).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015_task_cancelled"
down_revision: str | None = "0014_municipal_tasks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("open", "due", "overdue", "escalated", "done-on-time", "done-late")
NEW = (*OLD, "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _state_check(values: tuple[str, ...]) -> None:
    # Batch mode: SQLite rebuilds the table to change a CHECK constraint.
    with op.batch_alter_table("municipal_tasks") as batch:
        batch.drop_constraint(op.f("ck_municipal_tasks_state"), type_="check")
        batch.create_check_constraint(op.f("ck_municipal_tasks_state"), _in("state", values))


def upgrade() -> None:
    _state_check(NEW)


def downgrade() -> None:
    # The old check would refuse cancelled rows, and deleting them would lose what the
    # auditors asked to keep: refuse instead, as 0009_cvr does.
    found = op.get_bind().execute(
        sa.text("SELECT count(*) FROM municipal_tasks WHERE state = 'cancelled'")
    )
    if found.scalar_one():
        raise RuntimeError("0015_task_cancelled: cancelled municipal tasks are recorded")
    _state_check(OLD)
