"""The municipality's own tasks (issue 19): one row per task of a municipal duties workflow.

Revision ID: 0014_municipal_tasks
Revises: 0012_placement_plan (re-point to 0013_findings when the findings branch is merged)
Create Date: 2026-12-07

Written by hand, like the others. A new table only: nothing to backfill (the workflows write
every task's state as they run).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014_municipal_tasks"
down_revision: str | None = "0013_findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
KEY = sa.String(100)
STATES = ("open", "due", "overdue", "escalated", "done-on-time", "done-late")
SCOPES = ("provider", "municipality")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "municipal_tasks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", KEY, nullable=False),
        sa.Column("task_id", sa.String(200), nullable=False),
        sa.Column("duty", KEY, nullable=False),
        sa.Column("owner", KEY, nullable=False),
        sa.Column("scope", sa.String(30), nullable=False),
        sa.Column("org_nr", sa.String(11), nullable=True),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by", KEY, nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipal_tasks")),
        sa.UniqueConstraint("plan_id", "task_id", name=op.f("uq_municipal_tasks_plan_id_task_id")),
        sa.CheckConstraint(_in("state", STATES), name=op.f("ck_municipal_tasks_state")),
        sa.CheckConstraint(_in("scope", SCOPES), name=op.f("ck_municipal_tasks_scope")),
    )
    op.create_index(op.f("ix_municipal_tasks_plan_id"), "municipal_tasks", ["plan_id"])
    op.create_index(op.f("ix_municipal_tasks_owner"), "municipal_tasks", ["owner"])
    op.create_index(op.f("ix_municipal_tasks_org_nr"), "municipal_tasks", ["org_nr"])


def downgrade() -> None:
    op.drop_table("municipal_tasks")
